/**
 * A training step on the fused kernels behind a small interface: one update on a
 * batch of tokens, or the loss and gradients without one (tests). Single-threaded
 * and browser-safe; src/node/fast/ runs the same network on several worker threads.
 */
import { ArgumentError, checkInteger, describe } from "../../util/errors.js";
import type { TransformerConfig } from "../../model/transformer/config.js";
import type { HostTensor, StateDict } from "../../model/types.js";
import type { OptimizerConfig } from "../optimizer.js";
import { compileKernels, engineName, type CompiledKernels, type KernelFlavour } from "../../engine/fast/kernels.js";
import { packStateDict, unpackStateDict } from "../../model/transformer/fast/layout.js";
import { FastNetwork } from "../../model/transformer/fast/network.js";
import { fastTrainerSupport } from "./support.js";
import { applyUpdate, checkScalars, optimizerStateNames } from "./update.js";

export interface FastTrainerOptions {
  readonly config: TransformerConfig;
  readonly optimizer: OptimizerConfig;
  /** Sequences per step. */
  readonly batchSize: number;
  /** Positions the model reads per sequence (<= config.nCtx); each sequence holds nPos + 1 tokens. */
  readonly nPos: number;
  /** Initial parameters (TransformerLens names, as initialStateDict / HookedTransformer.stateDict). */
  readonly params: StateDict;
  /** Optimizer state to resume from: "m/<param>", "v/<param>" (Adam) or "momentum/<param>" (SGD), as src/train/trainer.ts. Default zeros. */
  readonly optimizerState?: Record<string, HostTensor>;
  /** Threads; the core engine runs 1 (use createParallelFastTrainer from beliefscope/node for more). */
  readonly threads?: number;
  /** Kernel build; default the best this runtime validates. */
  readonly flavour?: KernelFlavour;
}

export interface LossAndGrad {
  /** Mean next-token cross-entropy (nats). */
  readonly loss: number;
  /** d loss / d parameter, TransformerLens names. */
  readonly grads: StateDict;
}

export interface FastTrainer {
  /** e.g. "fast-wasm-relaxed-simd". */
  readonly engine: string;
  readonly threads: number;
  /**
   * One update on tokens [batch, nPos + 1] (inputs 0..nPos-1, targets 1..nPos, every
   * position trained, mean cross-entropy in nats); scalars = makeOptimizer(config).scalars(t, lr).
   * Returns the loss before the update.
   */
  step(tokens: Int32Array, scalars: Record<string, number>): Promise<number> | number;
  /** Loss and gradients on tokens [batch, nPos + 1], no update. */
  lossAndGrad(tokens: Int32Array): LossAndGrad | Promise<LossAndGrad>;
  stateDict(): StateDict;
  /** "m/<param>", "v/<param>" (Adam) or "momentum/<param>" (SGD with momentum). */
  optimizerState(): Record<string, HostTensor>;
  /** Bytes of wasm memory held (all threads). */
  readonly memoryBytes: number;
  dispose(): void;
}

/** Check options shared by the single- and multi-threaded trainers; throws ArgumentError. */
export function checkTrainerOptions(fn: string, o: FastTrainerOptions): void {
  if (typeof o !== "object" || o === null) throw new ArgumentError({ fn, argument: "options", received: describe(o), expected: "an options object" });
  const support = fastTrainerSupport(o.config, o.optimizer);
  if (!support.ok) {
    throw new ArgumentError({ fn, argument: "config", received: support.reason, expected: "a model and optimizer the fast engine implements", hint: "Check fastTrainerSupport first and train on jax-js otherwise." });
  }
  checkInteger(fn, "batchSize", o.batchSize, 1, 1 << 20);
  checkInteger(fn, "nPos", o.nPos, 1, o.config.nCtx);
}

/** Throw unless tokens is an Int32Array [batch, nPos + 1] of ids in [0, dVocab). */
export function checkTokens(fn: string, tokens: Int32Array, batch: number, nPos: number, dVocab: number): void {
  if (!(tokens instanceof Int32Array) || tokens.length !== batch * (nPos + 1)) {
    throw new ArgumentError({ fn, argument: "tokens", received: describe(tokens), expected: `an Int32Array of batch * (nPos + 1) = ${batch * (nPos + 1)} tokens` });
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!(t >= 0 && t < dVocab)) {
      throw new ArgumentError({ fn, argument: `tokens[${i}]`, received: String(t), expected: `a token id in [0, ${dVocab})` });
    }
  }
}

/** A network holding these parameters and optimizer state, for up to maxSeqs sequences. */
export async function createTrainingNetwork(fn: string, compiled: CompiledKernels, o: FastTrainerOptions, maxSeqs: number, reduceScratch = false): Promise<FastNetwork> {
  const stateNames = optimizerStateNames(o.optimizer);
  const net = await FastNetwork.create(compiled, { config: o.config, maxSeqs, nPos: o.nPos, stateNames, reduceScratch });
  packStateDict(o.config, net.layout, o.params, net.paramsView(), fn, "params");
  if (o.optimizerState) {
    for (const s of stateNames) packStateDict(o.config, net.layout, o.optimizerState, net.stateView(s), fn, "optimizerState", `${s}/`);
  }
  return net;
}

/** Optimizer state of `net` as "<state>/<param>" tensors. */
export function optimizerStateOf(net: FastNetwork, o: OptimizerConfig): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const s of optimizerStateNames(o)) Object.assign(out, unpackStateDict(net.config, net.layout, net.stateView(s), `${s}/`));
  return out;
}

/** A single-threaded fast trainer (browser-safe). */
export async function createFastTrainer(o: FastTrainerOptions): Promise<FastTrainer> {
  const fn = "createFastTrainer";
  checkTrainerOptions(fn, o);
  if (o.threads !== undefined && o.threads !== 1) {
    throw new ArgumentError({ fn, argument: "threads", received: describe(o.threads), expected: "1 in the core engine", hint: "Use createParallelFastTrainer from beliefscope/node for several threads." });
  }
  const compiled = await compileKernels(o.flavour);
  const { config, optimizer, batchSize, nPos } = o;
  let net: FastNetwork | null = await createTrainingNetwork(fn, compiled, o, batchSize);
  const live = (): FastNetwork => {
    if (!net) throw new Error(`${fn}: the trainer was disposed`);
    return net;
  };
  const count = batchSize * nPos;
  const run = (tokens: Int32Array, what: string): number => {
    checkTokens(what, tokens, batchSize, nPos, config.dVocab);
    const n = live();
    n.setTokens(tokens);
    return n.forwardBackward(batchSize, 1 / count) / count;
  };
  return {
    engine: engineName(compiled.flavour),
    threads: 1,
    memoryBytes: live().memoryBytes,
    step(tokens, scalars) {
      checkScalars("FastTrainer.step", optimizer, scalars);
      const loss = run(tokens, "FastTrainer.step");
      applyUpdate(live(), optimizer, scalars);
      return loss;
    },
    lossAndGrad(tokens) {
      const loss = run(tokens, "FastTrainer.lossAndGrad");
      const n = live();
      return { loss, grads: unpackStateDict(config, n.layout, n.gradsView()) };
    },
    stateDict: () => unpackStateDict(config, live().layout, live().paramsView()),
    optimizerState: () => optimizerStateOf(live(), optimizer),
    dispose() {
      net = null;
    },
  };
}
