/** The label of a language-model loss: held-out only when its windows were held out from the model's training. */
/**
 * What the validation windows are to the model, so that a loss is labelled with what it is:
 *   "documents"      held-out documents (the run's split by document): held out
 *   "token-block"    the last block of tokens of a corpus with too few documents for the share: held out
 *   "training-text"  the run's training text (it has no validation text): not held out
 *   "given-text"     a checkpoint's --corpus text: held out from the HMM fits; whether the model saw it is not known
 */
export type LmEvaluationText = "documents" | "token-block" | "training-text" | "given-text";

/** The words a loss on `text` is labelled with: a table header, and the sentence naming the windows. */
export function lossLabel(text: LmEvaluationText): { readonly loss: string; readonly windows: string; readonly heldOut: boolean } {
  switch (text) {
    case "documents":
      return { loss: "held-out loss", windows: "validation windows of held-out documents", heldOut: true };
    case "token-block":
      return { loss: "held-out loss", windows: "validation windows of the held-out last block of tokens (too few documents to hold out by document)", heldOut: true };
    case "training-text":
      return { loss: "training-text loss (not held out)", windows: "windows of the training text (the run has no validation text)", heldOut: false };
    case "given-text":
      return { loss: "loss on the given text", windows: "windows of the given corpus (not in the HMM fits; whether the model trained on it is not known)", heldOut: false };
  }
}
