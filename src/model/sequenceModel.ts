/**
 * SequenceModel: the one interface every architecture is used through.
 * Training, evaluation, probes, recovery, pipelines and the command line take
 * a SequenceModel and never a concrete class. The public API is plain typed
 * arrays; jax-js arrays and their ownership stay inside (see `engineAccess`).
 *
 * What a call keeps and what it disposes:
 * - `forward` / `runWithCache` copy their inputs and return fresh host arrays
 *   the caller owns; the model keeps nothing from a call but compiled code.
 * - `stateDict` returns host copies; `loadStateDict` copies its input.
 * - `dispose` frees the parameters and compiled code; the model is unusable after.
 */
import { jit, tree, numpy as np, type OwnedFunction } from "@jax-js/jax";
import { ArgumentError, checkInteger, describe } from "../util/errors.js";
import { engineDevice, ensureEngine, type EngineDevice } from "../engine/jax.js";
import { readFloat32, toDevice, toHost } from "../engine/hostTensor.js";
import { ActivationCache } from "./cache.js";
import type { AnyArchitecture, Architecture, HostForward, Params } from "./architecture.js";
import { initialStateDictFromSpecs } from "./init.js";
import { sizeOf, type ActivationSite, type HostTensor, type ModelConfigBase, type StateDict } from "./types.js";
import { didYouMean } from "../util/didYouMean.js";

export interface RunWithCacheOptions {
  /** Hooks to capture; default every residual stream (each architecture's `layerSites` hooks). */
  readonly names?: readonly string[];
  /** Sequences per forward call (bounds memory). Default 1024. */
  readonly batchSize?: number;
  /**
   * "auto" (default): the architecture's host forward (the transformer's fused wasm kernels) when it
   * has one for this config, captures every requested hook, and jax-js runs on wasm or cpu; else
   * jax-js. "jax": always jax-js, the reference the host forward is tested against.
   */
  readonly engine?: "auto" | "jax";
}

export interface RunResult {
  /** [batch, pos, d_vocab] */
  readonly logits: HostTensor;
  readonly cache: ActivationCache;
}

export interface SequenceModel<C extends ModelConfigBase = ModelConfigBase> {
  /** Registry name of the architecture, e.g. "transformer". */
  readonly architecture: string;
  readonly config: C;
  readonly nCtx: number;
  readonly dVocab: number;
  /** Trainable parameters. */
  readonly parameterCount: number;
  /** "4-layer d_model-64 transformer", for reports. */
  readonly summary: string;
  /** Every hook point, in forward order. */
  hookNames(): string[];
  /** Shape of a hook's activation, e.g. "[batch, pos, d_model]". */
  hookShape(name: string): string;
  /** Default probe sites: the embedding, each layer, and all layers concatenated. */
  layerSites(): ActivationSite[];
  /** Logits [batch, pos, d_vocab] for tokens [batch, pos] (row-major). */
  forward(tokens: Int32Array, nPos: number, options?: { readonly batchSize?: number; readonly engine?: "auto" | "jax" }): Promise<HostTensor>;
  /** Run and keep the activations at `names` (TransformerLens's run_with_cache). tokens: [batch, pos]. */
  runWithCache(tokens: Int32Array, nPos: number, options?: RunWithCacheOptions): Promise<RunResult>;
  /** Host copies of the parameters, by name. */
  stateDict(): Promise<StateDict>;
  /** Replace the parameters with copies of these (names and shapes are checked). */
  loadStateDict(stateDict: StateDict): void;
  /** Free device memory; the model is unusable afterwards. */
  dispose(): void;
}

interface EngineAccess {
  /** Owned references to the parameters (the caller disposes them). */
  params(model: SequenceModel): Params;
  /** Replace the parameters (takes ownership). */
  setParams(model: SequenceModel, params: Params): void;
  architecture(model: SequenceModel): AnyArchitecture;
}
// Set by JaxModel's static block below.
let engineAccessImpl: EngineAccess;

type CachedForward = OwnedFunction<(params: Params, tokens: np.Array) => { logits: np.Array; cache: Record<string, np.Array> }>;

/** The jax-js implementation of SequenceModel, shared by every architecture with a pure forward. */
export class JaxModel<C extends ModelConfigBase = ModelConfigBase> implements SequenceModel<C> {
  readonly arch: Architecture<C>;
  readonly config: C;
  #params: Params;
  readonly #compiled = new Map<string, CachedForward>();
  /** The architecture's host forward on the current parameters, made on first use; null: none. */
  #host: Promise<HostForward | null> | null = null;

  protected constructor(arch: Architecture<C>, config: C, params: Params) {
    this.arch = arch;
    this.config = config;
    this.#params = params;
  }

  /** A model from host tensors (checks names and shapes). Starts the engine on `device` if needed. */
  static async fromStateDict<C extends ModelConfigBase>(arch: Architecture<C>, config: C, stateDict: StateDict, options: { device?: EngineDevice } = {}): Promise<JaxModel<C>> {
    await ensureEngine(options.device);
    const c = arch.makeConfig(config as unknown as Record<string, unknown>);
    checkStateDict(arch, c, stateDict, `${arch.name}: fromStateDict`);
    const params: Params = {};
    for (const spec of arch.parameterSpecs(c)) params[spec.name] = toDevice(stateDict[spec.name]);
    return new JaxModel(arch, c, params);
  }

  /** A freshly initialised model; the same seed gives the same weights on every backend. */
  static async create<C extends ModelConfigBase>(arch: Architecture<C>, config: C, seed = 0, options: { device?: EngineDevice } = {}): Promise<JaxModel<C>> {
    const c = arch.makeConfig(config as unknown as Record<string, unknown>);
    return JaxModel.fromStateDict(arch, c, initialStateDictFromSpecs(arch.parameterSpecs(c), seed), options);
  }

  get architecture(): string {
    return this.arch.name;
  }
  get nCtx(): number {
    return this.config.nCtx;
  }
  get dVocab(): number {
    return this.config.dVocab;
  }
  get parameterCount(): number {
    return this.arch.parameterSpecs(this.config).reduce((a, s) => a + sizeOf(s.shape), 0);
  }
  get summary(): string {
    return this.arch.summary(this.config);
  }
  hookNames(): string[] {
    return this.arch.hookNames(this.config);
  }
  hookShape(name: string): string {
    return this.arch.hookShape(this.config, name);
  }
  layerSites(): ActivationSite[] {
    return this.arch.layerSites(this.config);
  }

  async forward(tokens: Int32Array, nPos: number, options: { readonly batchSize?: number; readonly engine?: "auto" | "jax" } = {}): Promise<HostTensor> {
    return (await this.runWithCache(tokens, nPos, { names: [], batchSize: options.batchSize, engine: options.engine })).logits;
  }

  async runWithCache(tokens: Int32Array, nPos: number, options: RunWithCacheOptions = {}): Promise<RunResult> {
    const fn = `${this.arch.name}: runWithCache`;
    const c = this.config;
    checkInteger(fn, "nPos", nPos, 1, c.nCtx);
    checkTokens(fn, tokens, nPos, c.dVocab);
    const valid = new Set(this.hookNames());
    const names = [...new Set(options.names ?? defaultCacheNames(this))];
    for (const name of names) {
      if (!valid.has(name)) {
        throw new ArgumentError({ fn, argument: "names", received: describe(name), expected: `a hook of this model: ${[...valid].join(", ")}`, hint: didYouMean(name, valid) || undefined });
      }
    }
    const batchSize = checkInteger(fn, "batchSize", options.batchSize ?? 1024, 1);
    const nSeq = tokens.length / nPos;
    if (options.engine !== undefined && options.engine !== "auto" && options.engine !== "jax") {
      throw new ArgumentError({ fn, argument: "engine", received: describe(options.engine), expected: '"auto" or "jax"' });
    }
    const host = options.engine === "jax" ? null : await this.#hostForward(names);
    if (host) {
      const out = host.run(tokens, nSeq, nPos, names);
      const captured = new Map(names.map((name) => [name, { shape: [nSeq, nPos, out.activations[name].length / (nSeq * nPos)], data: out.activations[name] }]));
      return { logits: { shape: [nSeq, nPos, c.dVocab], data: out.logits }, cache: new ActivationCache(captured) }; // logits [batch, pos, d_vocab]
    }
    const compiled = this.#compiledFor(names);

    const logits = new Float32Array(nSeq * nPos * c.dVocab);
    const captured = new Map<string, { shape: number[]; data: Float32Array }>();
    for (let start = 0; start < nSeq; start += batchSize) {
      const n = Math.min(batchSize, nSeq - start);
      const chunk = np.array(tokens.subarray(start * nPos, (start + n) * nPos), { dtype: np.int32 }).reshape([n, nPos]); // [batch, pos]
      const out = compiled(tree.ref(this.#params) as Params, chunk);
      logits.set(await readFloat32(out.logits), start * nPos * c.dVocab); // [batch, pos, d_vocab]
      for (const name of names) {
        const arr = out.cache[name];
        const shape = arr.shape;
        let slot = captured.get(name);
        if (!slot) {
          slot = { shape: [nSeq, ...shape.slice(1)], data: new Float32Array((nSeq * arr.size) / shape[0]) };
          captured.set(name, slot);
        }
        slot.data.set(await readFloat32(arr), (start * arr.size) / shape[0]);
      }
    }
    return { logits: { shape: [nSeq, nPos, c.dVocab], data: logits }, cache: new ActivationCache(captured) };
  }

  async stateDict(): Promise<StateDict> {
    const out: StateDict = {};
    for (const [name, arr] of Object.entries(this.#params)) out[name] = await toHost(arr);
    return out;
  }

  loadStateDict(stateDict: StateDict): void {
    checkStateDict(this.arch, this.config, stateDict, `${this.arch.name}: loadStateDict`);
    const params: Params = {};
    for (const spec of this.arch.parameterSpecs(this.config)) params[spec.name] = toDevice(stateDict[spec.name]);
    this.#setParams(params);
  }

  dispose(): void {
    this.#dropHost();
    for (const f of this.#compiled.values()) f.dispose();
    this.#compiled.clear();
    tree.dispose(this.#params);
    this.#params = {};
  }

  #setParams(params: Params): void {
    this.#dropHost();
    tree.dispose(this.#params);
    this.#params = params;
  }

  /** The host forward for these hooks, when the architecture has one that applies. */
  async #hostForward(names: readonly string[]): Promise<HostForward | null> {
    const device = engineDevice();
    if (!this.arch.createHostForward || (device !== "wasm" && device !== "cpu")) return null;
    this.#host ??= this.stateDict().then((sd) => this.arch.createHostForward!(this.config, sd));
    const host = await this.#host;
    return host && names.every((n) => host.hookNames.includes(n)) ? host : null;
  }

  #dropHost(): void {
    const host = this.#host;
    this.#host = null;
    void host?.then((h) => h?.dispose(), () => {});
  }

  #compiledFor(names: readonly string[]): CachedForward {
    const key = names.join("|");
    let f = this.#compiled.get(key);
    if (!f) {
      const { arch, config } = this;
      const wanted = new Set<string>(names);
      f = jit((params: Params, tokens: np.Array) => {
        const cache: Record<string, np.Array> = {};
        const logits = arch.forward(config, params, tokens, (name, x) => {
          if (wanted.has(name)) cache[name] = x.ref;
          return x;
        });
        return { logits, cache };
      }) as CachedForward;
      this.#compiled.set(key, f);
    }
    return f;
  }

  static {
    // The engine layer (src/train) reaches the device parameters through `engineAccess`, which is
    // not exported from the package: ownership never appears in the public API.
    engineAccessImpl = {
      params: (m) => tree.ref((m as JaxModel).#params) as Params,
      setParams: (m, p) => (m as JaxModel).#setParams(p),
      architecture: (m) => (m as JaxModel).arch,
    };
  }
}


/** Engine-layer access to a jax-backed model's device parameters. Not part of the package API. */
export function engineAccess(model: SequenceModel): EngineAccess {
  if (!(model instanceof JaxModel)) {
    throw new ArgumentError({ fn: "engineAccess", argument: "model", received: describe(model), expected: "a model built by createModel / loadModel (a jax-js model)" });
  }
  return engineAccessImpl;
}

/** The hooks of every layer site (the residual stream at each depth), without repeats. */
export function defaultCacheNames(model: Pick<SequenceModel, "layerSites">): string[] {
  return [...new Set(model.layerSites().flatMap((s) => s.hooks))];
}

/** Check that token ids are in range and the shape is [batch, nPos]. */
export function checkTokens(fn: string, tokens: Int32Array, nPos: number, dVocab: number): void {
  if (!(tokens instanceof Int32Array) || tokens.length % nPos !== 0 || tokens.length === 0) {
    throw new ArgumentError({ fn, argument: "tokens", received: tokens instanceof Int32Array ? `${tokens.length} tokens` : describe(tokens), expected: `a non-empty Int32Array whose length is a multiple of nPos = ${nPos}` });
  }
  for (let k = 0; k < tokens.length; k++) {
    if (!(tokens[k] >= 0 && tokens[k] < dVocab)) {
      throw new ArgumentError({ fn, argument: `tokens[${k}]`, received: String(tokens[k]), expected: `a token id in [0, ${dVocab})` });
    }
  }
}

/** Check that a state dict has exactly this config's parameters with the right shapes. */
export function checkStateDict<C extends ModelConfigBase>(arch: Architecture<C>, c: C, sd: StateDict, fn: string): void {
  const specs = arch.parameterSpecs(c);
  const expected = new Set(specs.map((s) => s.name));
  if (typeof sd !== "object" || sd === null) throw new ArgumentError({ fn, argument: "stateDict", received: describe(sd), expected: "an object of tensors by parameter name" });
  for (const name of Object.keys(sd)) {
    if (!expected.has(name)) {
      throw new ArgumentError({ fn, argument: `stateDict["${name}"]`, received: "a parameter this config does not have", expected: `only ${[...expected].join(", ")}` });
    }
  }
  for (const spec of specs) {
    const t = sd[spec.name];
    if (!t) throw new ArgumentError({ fn, argument: `stateDict["${spec.name}"]`, received: "nothing", expected: `a tensor of shape [${spec.shape.join(", ")}]` });
    const n = sizeOf(spec.shape);
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
