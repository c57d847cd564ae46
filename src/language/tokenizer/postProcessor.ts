/**
 * tokenizer.json `post_processor`: what `encode` adds around the ids when
 * special tokens are requested. ByteLevel (GPT-2, ours) adds nothing;
 * TemplateProcessing (single template), RobertaProcessing and BertProcessing
 * add their special tokens; a Sequence applies each in turn.
 */
import { type ComponentJson, tokenizerJsonError } from "./tokenizerJson.js";

/** Ids to put before and after the text's ids. */
export interface SpecialFrame {
  readonly before: readonly number[];
  readonly after: readonly number[];
}

const NOTHING: SpecialFrame = { before: [], after: [] };

export function makePostProcessor(config: ComponentJson | null | undefined, source: string, field = "post_processor"): SpecialFrame {
  if (!config) return NOTHING;
  switch (config.type) {
    case "ByteLevel":
      return NOTHING;
    case "RobertaProcessing":
    case "BertProcessing": {
      const cls = config.cls as [string, number] | undefined;
      const sep = config.sep as [string, number] | undefined;
      if (!Array.isArray(cls) || !Array.isArray(sep) || typeof cls[1] !== "number" || typeof sep[1] !== "number") {
        throw tokenizerJsonError(source, field, "cls/sep fields that are not [token, id]", "cls: [string, id], sep: [string, id]");
      }
      return { before: [cls[1]], after: [sep[1]] };
    }
    case "TemplateProcessing": {
      const single = config.single as unknown[] | undefined;
      const specials = (config.special_tokens ?? {}) as Record<string, { ids?: number[] }>;
      if (!Array.isArray(single)) throw tokenizerJsonError(source, `${field}.single`, typeof single, "an array of template pieces");
      const before: number[] = [];
      const after: number[] = [];
      let seenSequence = false;
      for (const [k, piece] of single.entries()) {
        const p = piece as { SpecialToken?: { id: string }; Sequence?: { id: string } };
        if (p.Sequence) {
          seenSequence = true;
        } else if (p.SpecialToken) {
          const ids = specials[p.SpecialToken.id]?.ids;
          if (!Array.isArray(ids)) throw tokenizerJsonError(source, `${field}.special_tokens`, `no ids for ${JSON.stringify(p.SpecialToken.id)}`, "ids for every special token the template uses");
          (seenSequence ? after : before).push(...ids);
        } else {
          throw tokenizerJsonError(source, `${field}.single[${k}]`, JSON.stringify(piece), "{ SpecialToken } or { Sequence }");
        }
      }
      return { before, after };
    }
    case "Sequence": {
      const list = config.processors;
      if (!Array.isArray(list)) throw tokenizerJsonError(source, `${field}.processors`, typeof list, "an array");
      const frames = list.map((c, k) => makePostProcessor(c as ComponentJson, source, `${field}.processors[${k}]`));
      return { before: frames.flatMap((f) => f.before), after: frames.reverse().flatMap((f) => f.after) };
    }
    default:
      throw tokenizerJsonError(source, `${field}.type`, JSON.stringify(config.type), "null, \"ByteLevel\", \"TemplateProcessing\", \"RobertaProcessing\", \"BertProcessing\" or a \"Sequence\"");
  }
}
