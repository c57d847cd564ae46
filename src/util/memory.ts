/**
 * The memory model of every size option: a command estimates its peak memory
 * from its sizes before it allocates anything, and refuses what exceeds the
 * budget (--max-memory) with the estimate, what it is made of, and the largest
 * value of the option that fits. Pure: the default budget (a share of the
 * machine's memory) is decided by the caller (src/cli/commonOptions.ts).
 * docs/memory.md lists the model of each option.
 */
import { ArgumentError } from "./errors.js";

export const KiB = 1024;
export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;

/** The most elements one typed array may hold in Node (V8): beyond it "Invalid typed array length". */
export const MAX_TYPED_ARRAY_LENGTH = 2 ** 32;

/** The share of the machine's memory that --max-memory defaults to. */
export const DEFAULT_MEMORY_SHARE = 0.5;

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: KiB,
  m: 1e6,
  mb: 1e6,
  mib: MiB,
  g: 1e9,
  gb: 1e9,
  gib: GiB,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
};

/** "4GiB", "2048MB", "1.5 G", "500000000" into bytes (decimal kB/MB/GB, binary KiB/MiB/GiB; a bare number is bytes). */
export function parseMemorySize(text: string, argument = "--max-memory"): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)(?:e(\d+))?\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[3].toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Number(m[1]) * 10 ** Number(m[2] ?? 0) * unit : NaN;
  if (!(bytes >= MiB) || !Number.isFinite(bytes)) {
    throw new ArgumentError({
      fn: "beliefscope",
      argument,
      received: JSON.stringify(text),
      expected: 'a memory size of at least 1 MiB, e.g. "4GiB", "2048MB", "512MiB" (a bare number is bytes)',
    });
  }
  return Math.floor(bytes);
}

/** Bytes for humans: "512 B", "3.4 KiB", "120 MiB", "6.1 GiB", "1.2 TiB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = u === 0 || v >= 100 ? 0 : 1;
  return `${v.toFixed(digits)} ${units[u]}`;
}

/** A memory budget and where it came from, e.g. "half of this machine's 23 GiB". */
export interface MemoryBudget {
  readonly bytes: number;
  /** How the budget was set, for messages: "the default, half of this machine's 23 GiB" or "given". */
  readonly source: string;
}

/** The default budget: DEFAULT_MEMORY_SHARE of the machine's memory. */
export function defaultMemoryBudget(totalBytes: number): MemoryBudget {
  return { bytes: Math.floor(DEFAULT_MEMORY_SHARE * totalBytes), source: `the default, half of this machine's ${formatBytes(totalBytes)}` };
}

/** A limit besides the budget, e.g. the most elements a typed array holds or characters a string holds. */
export interface SizeLimit {
  /** What is counted, e.g. "elements in one typed array". */
  readonly what: string;
  readonly max: number;
  readonly size: (value: number) => number;
}

/** The most elements one typed array holds. */
export function typedArrayLimit(size: (value: number) => number): SizeLimit {
  return { what: "elements in one typed array (JavaScript's limit)", max: MAX_TYPED_ARRAY_LENGTH, size };
}

/** The most characters one string holds in V8 (a JSON text built in one piece). */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;

export function stringLimit(size: (value: number) => number): SizeLimit {
  return { what: "characters in one JSON text (V8's string limit)", max: MAX_STRING_LENGTH, size };
}

/** The memory model of one size option. */
export interface SizeModel {
  /** The flag as typed, e.g. "--sequences". */
  readonly flag: string;
  /** The value asked for. */
  readonly value: number;
  /** Smallest value the option accepts (for the search for the largest that fits). Default 1. */
  readonly min?: number;
  /** Estimated peak bytes for a value of the option (non-decreasing in it). */
  readonly bytes: (value: number) => number;
  /** The formula in words, e.g. "n x 10 positions x 6.2 KiB per position: activations, controls". */
  readonly formula: (value: number) => string;
  /** Limits besides the budget (each non-decreasing in the value). */
  readonly limits?: readonly SizeLimit[];
  /** The value in words when "FLAG VALUE" would not read, e.g. "--file big.txt (52428800 characters)". */
  readonly describe?: (value: number) => string;
  /** What to lower, when "lower FLAG" would not read, e.g. "encode a smaller file". */
  readonly lower?: string;
}

/** The largest v in [min, value] with ok(v) (ok non-increasing in v), or min - 1 when none. */
export function largestThatFits(ok: (v: number) => boolean, min: number, value: number): number {
  if (!ok(min)) return min - 1;
  let lo = min;
  let hi = value;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A size that does not fit the memory budget: an ArgumentError on the option, with the whole story as its message. */
export class MemoryLimitError extends ArgumentError {
  constructor(fn: string, model: SizeModel, message: string) {
    super({ fn, argument: model.flag, received: String(model.value), expected: "a size that fits --max-memory" });
    this.name = "MemoryLimitError";
    this.message = message;
  }
}

/**
 * Refuse `model.value` when its estimate exceeds the budget (or it passes one of model.limits):
 * the message names the estimate, the formula, the budget or limit, and the largest value of the
 * option that fits. Returns the estimate in bytes.
 */
export function checkMemory(fn: string, model: SizeModel, budget: MemoryBudget): number {
  const min = model.min ?? 1;
  const limits = model.limits ?? [];
  const ok = (v: number) => model.bytes(v) <= budget.bytes && limits.every((l) => l.size(v) <= l.max);
  const need = model.bytes(model.value);
  if (ok(model.value)) return need;
  const fits = largestThatFits(ok, min, model.value);
  const over = need > budget.bytes ? undefined : limits.find((l) => l.size(model.value) > l.max);
  const said = (v: number) => (model.describe ? model.describe(v) : `${model.flag} ${v}`);
  const what = `${fn}: ${said(model.value)} needs about ${formatBytes(need)} of memory (${model.formula(model.value)})`;
  const limit = over
    ? `that is within --max-memory ${formatBytes(budget.bytes)}, but it needs ${Math.ceil(over.size(model.value))} ${over.what}, more than ${over.max}`
    : `--max-memory is ${formatBytes(budget.bytes)} (${budget.source})`;
  // What stops the next value up: the budget, or (named) another limit.
  const binding = fits >= min && model.bytes(fits + 1) <= budget.bytes ? limits.find((l) => l.size(fits + 1) > l.max) : undefined;
  const bound = binding && binding !== over ? ` (beyond it, more than ${binding.max} ${binding.what})` : "";
  const largest = fits >= min ? `${model.describe ? `the largest that fits is ${model.describe(fits)}` : `the largest ${model.flag} that fits is ${fits}`}${bound}` : `even ${said(min)} does not fit`;
  const lower = model.lower ?? `lower ${model.flag}`;
  const next = over ? `${lower[0].toUpperCase()}${lower.slice(1)}` : `Raise --max-memory or ${lower}`;
  throw new MemoryLimitError(fn, model, `${what}; ${limit}; ${largest}. ${next}.`);
}

/** "n x 10 x 6.2 KiB" style: a count times a per-unit size, for formulas. */
export function perUnit(count: number, unit: string, bytesPerUnit: number): string {
  return `${count} ${unit} x ${formatBytes(bytesPerUnit)}`;
}
