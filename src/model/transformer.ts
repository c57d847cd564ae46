/**
 * HookedTransformer: a decoder-only transformer with TransformerLens hook
 * names, parameters held as jax-js arrays on the engine's device. The public
 * API takes and returns plain typed arrays; jax-js ownership stays inside.
 */
import { jit, tree, numpy as np, type OwnedFunction } from "@jax-js/jax";
import { ArgumentError, checkInteger, describe } from "../util/errors.js";
import { initEngine } from "../engine/jax.js";
import { toDevice, toHost } from "../engine/hostTensor.js";
import { ActivationCache } from "./cache.js";
import { makeConfig, type TransformerConfig } from "./config.js";
import { forward, type Params } from "./forward.js";
import { hookNames, type HookName } from "./hooks.js";
import { initialStateDict, parameterSpecs, type HostTensor, type StateDict } from "./params.js";

export interface RunWithCacheOptions {
  /** Hooks to capture; default every residual stream (resid_pre of each block and resid_post of the last). */
  readonly names?: readonly HookName[];
  /** Sequences per forward call (memory bound). Default 1024. */
  readonly batchSize?: number;
}

export interface RunResult {
  /** [batch, pos, d_vocab] */
  readonly logits: HostTensor;
  readonly cache: ActivationCache;
}

type CachedForward = OwnedFunction<(params: Params, tokens: np.Array) => { logits: np.Array; cache: Record<string, np.Array> }>;

export class HookedTransformer {
  readonly config: TransformerConfig;
  #params: Params;
  readonly #compiled = new Map<string, CachedForward>();

  private constructor(config: TransformerConfig, params: Params) {
    this.config = config;
    this.#params = params;
  }

  /** A freshly initialised model; the same seed gives the same weights. */
  static async create(config: Partial<TransformerConfig> | TransformerConfig, seed = 0): Promise<HookedTransformer> {
    const c = makeConfig(config);
    return HookedTransformer.fromStateDict(c, initialStateDict(c, seed));
  }

  /** A model from host tensors (a checkpoint); checks names and shapes. */
  static async fromStateDict(config: TransformerConfig, stateDict: StateDict): Promise<HookedTransformer> {
    await initEngine();
    const c = makeConfig(config);
    checkStateDict(c, stateDict, "HookedTransformer.fromStateDict");
    const params: Params = {};
    for (const spec of parameterSpecs(c)) {
      params[spec.name] = toDevice(stateDict[spec.name]);
    }
    return new HookedTransformer(c, params);
  }

  /** Parameters by TransformerLens name, as owned jax arrays (engine layer only). */
  paramsRef(): Params {
    return tree.ref(this.#params) as Params;
  }

  /** Replace the parameters (engine layer only; takes ownership). */
  setParams(params: Params): void {
    tree.dispose(this.#params);
    this.#params = params;
  }

  /** Copy the parameters to the host. */
  stateDict(): StateDict {
    return Object.fromEntries(Object.entries(this.#params).map(([name, arr]) => [name, toHost(arr)]));
  }

  /** Logits [batch, pos, d_vocab] for tokens [batch, pos] (row-major Int32Array). */
  async forward(tokens: Int32Array, nPos: number, batchSize = 1024): Promise<HostTensor> {
    return (await this.runWithCache(tokens, nPos, { names: [], batchSize })).logits;
  }

  /**
   * Run the model and keep the activations at `names` (TransformerLens's
   * run_with_cache). tokens: [batch, pos] row-major.
   */
  async runWithCache(tokens: Int32Array, nPos: number, options: RunWithCacheOptions = {}): Promise<RunResult> {
    const fn = "HookedTransformer.runWithCache";
    const c = this.config;
    checkInteger(fn, "nPos", nPos, 1, c.nCtx);
    if (tokens.length % nPos !== 0 || tokens.length === 0) {
      throw new ArgumentError({ fn, argument: "tokens", received: `${tokens.length} tokens`, expected: `a non-empty multiple of nPos = ${nPos}` });
    }
    for (let k = 0; k < tokens.length; k++) {
      if (!(tokens[k] >= 0 && tokens[k] < c.dVocab)) {
        throw new ArgumentError({ fn, argument: `tokens[${k}]`, received: String(tokens[k]), expected: `a token id in [0, ${c.dVocab})` });
      }
    }
    const valid = new Set(hookNames(c));
    const names = [...(options.names ?? defaultCacheNames(c))];
    for (const name of names) {
      if (!valid.has(name)) {
        throw new ArgumentError({ fn, argument: "names", received: describe(name), expected: `a hook of this model: ${[...valid].join(", ")}` });
      }
    }
    const batchSize = checkInteger(fn, "batchSize", options.batchSize ?? 1024, 1);
    const nSeq = tokens.length / nPos;
    const compiled = this.#compiledFor(names);

    const logits = new Float32Array(nSeq * nPos * c.dVocab);
    const captured = new Map<HookName, { shape: number[]; data: Float32Array }>();
    for (let start = 0; start < nSeq; start += batchSize) {
      const n = Math.min(batchSize, nSeq - start);
      const chunk = np.array(tokens.subarray(start * nPos, (start + n) * nPos), { dtype: np.int32 }).reshape([n, nPos]); // [batch, pos]
      const out = compiled(tree.ref(this.#params) as Params, chunk);
      logits.set(out.logits.dataSync() as Float32Array, start * nPos * c.dVocab);
      for (const name of names) {
        const arr = out.cache[name];
        const shape = arr.shape;
        let slot = captured.get(name);
        if (!slot) {
          slot = { shape: [nSeq, ...shape.slice(1)], data: new Float32Array((nSeq * arr.size) / shape[0]) };
          captured.set(name, slot);
        }
        slot.data.set(arr.dataSync() as Float32Array, (start * arr.size) / shape[0]);
      }
    }
    return { logits: { shape: [nSeq, nPos, c.dVocab], data: logits }, cache: new ActivationCache(captured) };
  }

  #compiledFor(names: readonly HookName[]): CachedForward {
    const key = names.join("|");
    let f = this.#compiled.get(key);
    if (!f) {
      const c = this.config;
      const wanted = new Set<string>(names);
      f = jit((params: Params, tokens: np.Array) => {
        const cache: Record<string, np.Array> = {};
        const logits = forward(c, params, tokens, (name, x) => {
          if (wanted.has(name)) cache[name] = x.ref;
          return x;
        });
        return { logits, cache };
      }) as CachedForward;
      this.#compiled.set(key, f);
    }
    return f;
  }

  /** Free device memory. The model is unusable afterwards. */
  dispose(): void {
    for (const f of this.#compiled.values()) f.dispose();
    this.#compiled.clear();
    tree.dispose(this.#params);
    this.#params = {};
  }
}

/** Residual stream at every depth: hook_resid_pre of each block, then resid_post of the last. */
export function defaultCacheNames(c: TransformerConfig): HookName[] {
  const names: HookName[] = [];
  for (let l = 0; l < c.nLayers; l++) names.push(`blocks.${l}.hook_resid_pre`);
  if (c.nLayers > 0) names.push(`blocks.${c.nLayers - 1}.hook_resid_post`);
  return names;
}

/** Check that a state dict has exactly this config's parameters with the right shapes. */
export function checkStateDict(c: TransformerConfig, sd: StateDict, fn: string): void {
  const specs = parameterSpecs(c);
  const expected = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(sd)) {
    if (!expected.has(name)) {
      throw new ArgumentError({ fn, argument: `stateDict["${name}"]`, received: "a parameter this config does not have", expected: `only ${[...expected].join(", ")}` });
    }
  }
  for (const spec of specs) {
    const t = sd[spec.name];
    if (!t) throw new ArgumentError({ fn, argument: `stateDict["${spec.name}"]`, received: "nothing", expected: `a tensor of shape [${spec.shape.join(", ")}]` });
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i]) || t.data.length !== n) {
      throw new ArgumentError({
        fn,
        argument: `stateDict["${spec.name}"]`,
        received: `shape [${t.shape.join(", ")}] with ${t.data.length} values`,
        expected: `shape [${spec.shape.join(", ")}]`,
      });
    }
  }
}
