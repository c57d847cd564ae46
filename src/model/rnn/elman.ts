/**
 * Elman RNN (Elman 1990, "Finding structure in time"), as torch.nn.RNN with tanh:
 *   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
 */
import { numpy as np } from "@jax-js/jax";
import type { RecurrentConfig } from "./config.js";
import { recurrentArchitecture, type RecurrentCell } from "./recurrent.js";

export const elmanCell: RecurrentCell = {
  gates: 1,
  hasCell: false,
  step(xProj, hProj, prev) {
    prev.h.dispose();
    return { h: np.tanh(xProj.add(hProj)) }; // [batch, d_hidden]
  },
};

const defaults: RecurrentConfig = Object.freeze({ nLayers: 1, dHidden: 64, dEmbed: 64, nCtx: 10, dVocab: 3 });

/** Parameter counts for d_vocab 3 (the 1-layer / 2-layer transformers have 51,139 / 101,123). */
export const ELMAN_PRESETS = {
  /** 1 layer of 64 (8,707 parameters). */
  h64: {},
  /** About as many parameters as the 1-layer transformer "1l" (52,483); widths are multiples of 8 (see WIDTH_NOTE). */
  "like-1l": { dHidden: 160, dEmbed: 160 },
  /** About as many parameters as the 2-layer transformer "2l" (104,003). */
  "like-2l": { nLayers: 2, dHidden: 160, dEmbed: 160 },
  /** Tiny, for tests (643). */
  small: { dHidden: 16, dEmbed: 16 },
} as const satisfies Record<string, Partial<RecurrentConfig>>;

export const elman = recurrentArchitecture({
  name: "rnn",
  title: "Elman RNN",
  description: "Elman RNN (tanh), as torch.nn.RNN: fields nLayers, dHidden, dEmbed; hooks hook_embed, rnn.{l}.hook_hidden",
  cell: elmanCell,
  defaults,
  presets: ELMAN_PRESETS,
  defaultPreset: "h64",
});
