/**
 * tokenizer.json `normalizer`: null (GPT-2, GPT-Neo, ours), Unicode
 * normalisation forms, Lowercase, or a Sequence of these. Offsets reported by
 * the tokenizer refer to the normalised text (identical to the input when the
 * normalizer is null).
 */
import { type ComponentJson, tokenizerJsonError } from "./tokenizerJson.js";

export type Normalizer = (text: string) => string;

export function makeNormalizer(config: ComponentJson | null | undefined, source: string, field = "normalizer"): Normalizer | null {
  if (!config) return null;
  switch (config.type) {
    case "NFC":
    case "NFD":
    case "NFKC":
    case "NFKD": {
      const form = config.type;
      return (text) => text.normalize(form);
    }
    case "Lowercase":
      return (text) => text.toLowerCase();
    case "Sequence": {
      const list = config.normalizers;
      if (!Array.isArray(list)) throw tokenizerJsonError(source, `${field}.normalizers`, typeof list, "an array");
      const parts = list.map((c, k) => makeNormalizer(c as ComponentJson, source, `${field}.normalizers[${k}]`)).filter((f): f is Normalizer => f !== null);
      return parts.length === 0 ? null : (text) => parts.reduce((t, f) => f(t), text);
    }
    default:
      throw tokenizerJsonError(source, `${field}.type`, JSON.stringify(config.type), "null, \"NFC\", \"NFD\", \"NFKC\", \"NFKD\", \"Lowercase\" or a \"Sequence\" of them");
  }
}
