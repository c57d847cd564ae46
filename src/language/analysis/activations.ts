/**
 * Activations of many windows at probe sites, in bounded memory: the model
 * runs on chunks of windows whose forward pass (logits [chunk, pos, d_vocab]
 * and the layers' intermediates) stays within `maxForwardBytes`, the logits
 * of each chunk are dropped, and only the sites' features are kept, as
 * float64 rows [windows * pos, features] (what src/probe fits). Without the
 * chunks one call would hold every window's logits at once: 256 windows of
 * 128 positions over GPT-2's 50,257 tokens are 6.6 GB of float32.
 */
import type { SequenceModel } from "../../model/sequenceModel.js";
import type { ActivationSite } from "../../model/types.js";
import { ArgumentError, checkInteger } from "../../util/errors.js";
import type { Rows } from "../../util/rows.js";

/** Default bound on one forward chunk (logits and intermediates), bytes: 64 MiB. */
export const DEFAULT_FORWARD_BYTES = 64 * 2 ** 20;

/**
 * float32 values one window's forward pass holds (an estimate from the config: logits, the
 * residual stream, attention scores and patterns, q/k/v, the MLP's hidden layer, per layer).
 */
export function forwardFloatsPerWindow(model: Pick<SequenceModel, "config" | "dVocab">, nPos: number): number {
  const c = model.config as unknown as Record<string, unknown>;
  const num = (key: string, fallback: number) => (typeof c[key] === "number" ? (c[key] as number) : fallback);
  const d = num("dModel", num("dHidden", 64));
  const layers = Math.max(1, num("nLayers", 1));
  const heads = num("nHeads", 1);
  const dHead = num("dHead", d / heads);
  const mlp = num("dMlp", 4 * d);
  const perPosition = model.dVocab + d + layers * (3 * d + 3 * heads * dHead + mlp + 2 * heads * nPos);
  return nPos * perPosition;
}

/**
 * Working memory of one window's forward pass, bytes: 4 bytes x the floats above x 4, the ratio
 * measured on jax-js (whose jitted forward keeps more intermediates alive than the tensors listed:
 * 98 windows of the default study's model grew its wasm memory by 200 MB against 65 MB listed).
 * The fused engine needs less; the bound holds on both.
 */
export function forwardBytesPerWindow(model: Pick<SequenceModel, "config" | "dVocab">, nPos: number): number {
  return 4 * 4 * forwardFloatsPerWindow(model, nPos);
}

/** Windows per forward call so that one call stays within `maxForwardBytes` (at least 1). */
export function windowsPerForward(model: Pick<SequenceModel, "config" | "dVocab">, nPos: number, maxForwardBytes = DEFAULT_FORWARD_BYTES): number {
  return Math.max(1, Math.floor(maxForwardBytes / forwardBytesPerWindow(model, nPos)));
}

export interface SiteActivationOptions {
  /** Bound on one forward chunk, bytes. Default DEFAULT_FORWARD_BYTES (64 MiB). */
  readonly maxForwardBytes?: number;
}

/** Checks tokens [windows, nPos] for `fn`; the window count and the windows per forward chunk. */
function forwardWindows(fn: string, model: SequenceModel, tokens: Int32Array, nPos: number, maxForwardBytes: number | undefined): { windows: number; chunk: number } {
  checkInteger(fn, "nPos", nPos, 1, model.nCtx);
  if (tokens.length === 0 || tokens.length % nPos !== 0) {
    throw new ArgumentError({ fn, argument: "tokens", received: `${tokens.length} tokens`, expected: `[windows, nPos = ${nPos}] tokens` });
  }
  return { windows: tokens.length / nPos, chunk: windowsPerForward(model, nPos, maxForwardBytes) };
}

/**
 * Features [windows * nPos, sum of the hooks' widths] per site for tokens [windows, nPos], the
 * hooks of a site side by side in their order (as ActivationCache.features).
 */
export async function siteActivations(model: SequenceModel, tokens: Int32Array, nPos: number, sites: readonly ActivationSite[], options: SiteActivationOptions = {}): Promise<Record<string, Rows>> {
  const { windows, chunk } = forwardWindows("siteActivations", model, tokens, nPos, options.maxForwardBytes);
  const hooks = [...new Set(sites.flatMap((s) => s.hooks))];
  const out: Record<string, Rows> = {};
  for (let start = 0; start < windows; start += chunk) {
    const n = Math.min(chunk, windows - start);
    const { cache } = await model.runWithCache(tokens.subarray(start * nPos, (start + n) * nPos), nPos, { names: hooks, batchSize: n }); // logits [n, pos, d_vocab] dropped
    for (const site of sites) {
      const part = cache.features(site.hooks); // [n * pos, features]
      const whole = (out[site.label] ??= { rows: windows * nPos, cols: part.cols, data: new Float64Array(windows * nPos * part.cols) });
      whole.data.set(part.data, start * nPos * part.cols);
    }
  }
  return out;
}

export interface HookActivations {
  /** Per hook [windows, pos, ...] float32, as runWithCache gives them. */
  readonly hooks: Record<string, { readonly shape: number[]; readonly data: Float32Array }>;
  /** [windows, pos, d_vocab] when asked for. */
  readonly logits: { readonly shape: number[]; readonly data: Float32Array } | null;
}

/**
 * The activations at `hooks` (and the logits when `logits` is true) of tokens [windows, nPos], run a
 * forward chunk at a time (within `maxForwardBytes`); only what is returned is held whole.
 */
export async function hookActivations(model: SequenceModel, tokens: Int32Array, nPos: number, hooks: readonly string[], options: SiteActivationOptions & { readonly logits?: boolean } = {}): Promise<HookActivations> {
  const { windows, chunk } = forwardWindows("hookActivations", model, tokens, nPos, options.maxForwardBytes);
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  let logits: { shape: number[]; data: Float32Array } | null = null;
  for (let start = 0; start < windows; start += chunk) {
    const n = Math.min(chunk, windows - start);
    const run = await model.runWithCache(tokens.subarray(start * nPos, (start + n) * nPos), nPos, { names: hooks, batchSize: n });
    for (const name of hooks) {
      const t = run.cache.get(name);
      const per = t.data.length / n;
      const whole = (out[name] ??= { shape: [windows, ...t.shape.slice(1)], data: new Float32Array(windows * per) });
      whole.data.set(t.data, start * per);
    }
    if (options.logits) {
      logits ??= { shape: [windows, nPos, model.dVocab], data: new Float32Array(windows * nPos * model.dVocab) }; // [windows, pos, d_vocab]
      logits.data.set(run.logits.data, start * nPos * model.dVocab);
    }
  }
  return { hooks: out, logits };
}
