/**
 * Pre-tokenisation from a tokenizer.json `pre_tokenizer`: split text into
 * pieces (BPE never merges across pieces), each with its offset in the text.
 * Supported: `ByteLevel` (GPT-2's regex, optional prefix space), `Split` with a
 * regex or string (behaviours Isolated and Removed), and a `Sequence` of these,
 * which covers GPT-2, GPT-Neo (TinyStories), RoBERTa, and Llama 3 / Qwen-style
 * tokenizers whose regex JavaScript can compile.
 */
import { GPT2_PATTERN_SOURCE } from "./byteLevel.js";
import { type ComponentJson, tokenizerJsonError } from "./tokenizerJson.js";

/** A piece of text; `start` is its offset in the input, `virtualPrefix` 1 when a space was added before it. */
export interface Piece {
  readonly text: string;
  readonly start: number;
  readonly virtualPrefix: 0 | 1;
}

type Step = (piece: Piece, out: Piece[]) => void;

export interface PreTokenizer {
  /** Pieces of `text`, whose offsets start at `offset`. */
  split(text: string, offset: number): Piece[];
  /** True when a ByteLevel step maps bytes to symbols (required for this toolkit's BPE). */
  readonly byteLevel: boolean;
  /** When the whole pre-tokenizer is one regex whose matches are the pieces (GPT-2's), that regex: a fast path. */
  readonly singleRegex: RegExp | null;
}

const ISOLATED_REGEX = Symbol("isolated regex");
type TaggedStep = Step & { [ISOLATED_REGEX]?: RegExp };

/** Split a piece with a global regex, keeping matches and the text between them (Isolated) or dropping matches (Removed). */
function regexStep(pattern: RegExp, keepMatches: boolean, keepGaps: boolean): Step {
  const step: TaggedStep = (piece, out) => {
    const text = piece.text;
    const sub = (from: number, to: number) => {
      if (to <= from) return;
      // Offsets shift by the virtual prefix everywhere but inside it.
      const start = from === 0 ? piece.start : piece.start + from - piece.virtualPrefix;
      out.push({ text: text.slice(from, to), start, virtualPrefix: from === 0 ? piece.virtualPrefix : 0 });
    };
    pattern.lastIndex = 0;
    let last = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      if (m[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      if (keepGaps) sub(last, m.index);
      if (keepMatches) sub(m.index, m.index + m[0].length);
      last = m.index + m[0].length;
    }
    if (keepGaps) sub(last, text.length);
  };
  if (keepMatches && keepGaps) step[ISOLATED_REGEX] = pattern;
  return step;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compileStep(config: ComponentJson, source: string, field: string, state: { byteLevel: boolean }): Step[] {
  switch (config.type) {
    case "ByteLevel": {
      state.byteLevel = true;
      const steps: Step[] = [];
      if (config.add_prefix_space === true) {
        steps.push((piece, out) => {
          out.push(piece.text.startsWith(" ") ? piece : { text: " " + piece.text, start: piece.start, virtualPrefix: 1 });
        });
      }
      if (config.use_regex !== false) steps.push(regexStep(new RegExp(GPT2_PATTERN_SOURCE, "gu"), true, true));
      return steps;
    }
    case "Split": {
      const pattern = config.pattern as { Regex?: unknown; String?: unknown } | undefined;
      let regex: RegExp;
      if (pattern && typeof pattern.Regex === "string") {
        try {
          regex = new RegExp(pattern.Regex, "gu");
        } catch (err) {
          throw tokenizerJsonError(source, `${field}.pattern.Regex`, JSON.stringify(pattern.Regex), "a regex JavaScript can compile", (err as Error).message);
        }
      } else if (pattern && typeof pattern.String === "string" && pattern.String.length > 0) {
        regex = new RegExp(escapeRegex(pattern.String), "gu");
      } else {
        throw tokenizerJsonError(source, `${field}.pattern`, JSON.stringify(pattern), "{ Regex: string } or { String: string }");
      }
      if (config.invert === true) throw tokenizerJsonError(source, `${field}.invert`, "true", "false (inverted splits are not supported)");
      if (config.behavior === "Isolated") return [regexStep(regex, true, true)];
      if (config.behavior === "Removed") return [regexStep(regex, false, true)];
      throw tokenizerJsonError(source, `${field}.behavior`, JSON.stringify(config.behavior), "\"Isolated\" or \"Removed\"");
    }
    case "Sequence": {
      const list = config.pretokenizers;
      if (!Array.isArray(list)) throw tokenizerJsonError(source, `${field}.pretokenizers`, typeof list, "an array");
      return list.flatMap((c, k) => compileStep(c as ComponentJson, source, `${field}.pretokenizers[${k}]`, state));
    }
    default:
      throw tokenizerJsonError(
        source,
        `${field}.type`,
        JSON.stringify(config.type),
        "\"ByteLevel\", \"Split\" or \"Sequence\" (byte-level BPE pre-tokenizers)",
      );
  }
}

/** Build the pre-tokenizer a tokenizer.json describes. */
export function makePreTokenizer(config: ComponentJson | null | undefined, source: string): PreTokenizer {
  const state = { byteLevel: false };
  const steps = config ? compileStep(config, source, "pre_tokenizer", state) : [];
  // GPT-2's pattern matches every character, so its matches alone are the pieces.
  const only = steps.length === 1 ? (steps[0] as TaggedStep)[ISOLATED_REGEX] : undefined;
  const singleRegex = only !== undefined && only.source === new RegExp(GPT2_PATTERN_SOURCE, "gu").source ? only : null;
  return {
    byteLevel: state.byteLevel,
    singleRegex,
    split(text, offset) {
      let pieces: Piece[] = [{ text, start: offset, virtualPrefix: 0 }];
      for (const step of steps) {
        const next: Piece[] = [];
        for (const p of pieces) step(p, next);
        pieces = next;
      }
      return pieces;
    },
  };
}
