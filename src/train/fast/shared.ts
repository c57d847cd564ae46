/**
 * Data parallelism over threads that share one SharedArrayBuffer (worker_threads
 * in Node, Web Workers in a cross-origin-isolated page). Each rank owns a network
 * (its own wasm memory) with the same parameters, trains on its slice of the batch,
 * and publishes its gradient to a slot of the shared buffer; after a barrier every
 * rank sums the slots in rank order and applies the same update, so parameters stay
 * bitwise identical across ranks with one barrier per step. Slots alternate by step
 * parity: a rank still reading step k's slots cannot be overwritten by step k + 1,
 * and step k + 2 cannot start before every rank has arrived at step k + 1 (the
 * losses and optimizer scalars alternate the same way; tokens need not: a rank
 * copies its slice before it publishes).
 * Browser-safe: only SharedArrayBuffer and Atomics.
 */
import type { OptimizerConfig } from "../optimizer.js";
import type { FastNetwork } from "../../model/transformer/fast/network.js";
import { applyUpdate } from "./update.js";

/** Control words (Int32). */
const GEN = 0; // step counter, bumped by rank 0 to start a step
const CMD = 1; // what the step does
const FAILED = 2; // a rank failed: 1 + rank
const DONE = 8; // DONE + rank: the generation whose gradient the rank has published
const CTRL_WORDS = 8 + 64;

export const Command = { step: 0, lossAndGrad: 1, exit: 2 } as const;
export type CommandCode = (typeof Command)[keyof typeof Command];

/** Order of per-step optimizer scalars in the shared buffer. */
export const SCALAR_NAMES = ["stepSize", "sqrtBias2", "decay", "lr"] as const;

export interface SharedLayout {
  readonly ranks: number;
  readonly batch: number;
  readonly nPos: number;
  /** Floats per gradient slot (the flat parameter size). */
  readonly paramFloats: number;
}

/** Typed views of the shared buffer. */
export interface SharedViews {
  readonly layout: SharedLayout;
  readonly ctrl: Int32Array;
  /** scalars(parity): optimizer scalars of steps of that parity, in SCALAR_NAMES order. */
  scalars(parity: number): Float64Array;
  /** losses(parity)[rank]: summed cross-entropy of the rank's slice. */
  losses(parity: number): Float64Array;
  /** [batch, nPos + 1] */
  readonly tokens: Int32Array;
  /** slots(parity, rank): that rank's gradient for steps of that parity. */
  slot(parity: number, rank: number): Float32Array;
}

function sizes(l: SharedLayout) {
  const ctrl = CTRL_WORDS * 4;
  const scalars = 2 * SCALAR_NAMES.length * 8;
  const losses = 2 * l.ranks * 8;
  const tokens = Math.ceil((l.batch * (l.nPos + 1) * 4) / 16) * 16;
  const slot = Math.ceil((l.paramFloats * 4) / 64) * 64;
  return { ctrl, scalars, losses, tokens, slot, total: ctrl + scalars + losses + tokens + 2 * l.ranks * slot };
}

export function sharedBytes(l: SharedLayout): number {
  return sizes(l).total;
}

export function sharedViews(buffer: SharedArrayBuffer, layout: SharedLayout): SharedViews {
  const s = sizes(layout);
  let at = 0;
  const ctrl = new Int32Array(buffer, at, CTRL_WORDS);
  at += s.ctrl;
  const scalarsAt = at;
  at += s.scalars;
  const lossesAt = at;
  at += s.losses;
  const tokens = new Int32Array(buffer, at, layout.batch * (layout.nPos + 1));
  at += s.tokens;
  const slotsAt = at;
  return {
    layout,
    ctrl,
    scalars: (parity) => new Float64Array(buffer, scalarsAt + parity * SCALAR_NAMES.length * 8, SCALAR_NAMES.length),
    losses: (parity) => new Float64Array(buffer, lossesAt + parity * layout.ranks * 8, layout.ranks),
    tokens,
    slot: (parity, rank) => new Float32Array(buffer, slotsAt + (parity * layout.ranks + rank) * s.slot, layout.paramFloats),
  };
}

/** Sequences [start, end) of `rank`: near-equal contiguous slices. */
export function rankRows(batch: number, ranks: number, rank: number): [number, number] {
  const base = Math.floor(batch / ranks), extra = batch % ranks;
  const start = rank * base + Math.min(rank, extra);
  return [start, start + base + (rank < extra ? 1 : 0)];
}

/** The generation the next startStep will publish. */
export function nextGeneration(v: SharedViews): number {
  return Atomics.load(v.ctrl, GEN) + 1;
}

/** Rank 0: publish a step (its tokens and scalars written first). Returns its generation. */
export function startStep(v: SharedViews, command: CommandCode): number {
  Atomics.store(v.ctrl, CMD, command);
  const gen = Atomics.add(v.ctrl, GEN, 1) + 1;
  Atomics.notify(v.ctrl, GEN);
  return gen;
}

/** Worker ranks: block until rank 0 starts generation `gen`; returns the command. */
export function awaitStep(v: SharedViews, gen: number): CommandCode {
  for (;;) {
    const now = Atomics.load(v.ctrl, GEN);
    if (now >= gen) return Atomics.load(v.ctrl, CMD) as CommandCode;
    Atomics.wait(v.ctrl, GEN, now);
  }
}

/** Record that `rank` failed (wakes everyone waiting on it). */
export function markFailed(v: SharedViews, rank: number): void {
  Atomics.store(v.ctrl, FAILED, 1 + rank);
  for (let r = 0; r < v.layout.ranks; r++) Atomics.notify(v.ctrl, DONE + r);
  Atomics.notify(v.ctrl, GEN);
}

export function failedRank(v: SharedViews): number | null {
  const f = Atomics.load(v.ctrl, FAILED);
  return f > 0 ? f - 1 : null;
}

/** One rank's half of a step: forward/backward on its slice, publish the gradient and loss. */
export function computeAndPublish(v: SharedViews, net: FastNetwork, rank: number, gen: number): void {
  const { batch, nPos, ranks } = v.layout;
  const [start, end] = rankRows(batch, ranks, rank);
  const L = nPos + 1;
  net.setTokens(v.tokens.subarray(start * L, end * L));
  const nll = end > start ? net.forwardBackward(end - start, 1 / (batch * nPos)) : 0;
  if (end === start) net.gradsView().fill(0);
  v.slot(gen & 1, rank).set(net.gradsView());
  v.losses(gen & 1)[rank] = nll;
  Atomics.store(v.ctrl, DONE + rank, gen);
  Atomics.notify(v.ctrl, DONE + rank);
}

/** Whether every rank has published generation `gen`. */
export function allPublished(v: SharedViews, gen: number): boolean {
  for (let r = 0; r < v.layout.ranks; r++) if (Atomics.load(v.ctrl, DONE + r) < gen) return false;
  return true;
}

/** Block until every rank has published `gen` (worker threads); throws if a rank failed. */
export function awaitAllPublished(v: SharedViews, gen: number): void {
  for (let r = 0; r < v.layout.ranks; r++) {
    for (;;) {
      const f = failedRank(v);
      if (f !== null) throw new Error(`fast engine: rank ${f} failed`);
      const d = Atomics.load(v.ctrl, DONE + r);
      if (d >= gen) break;
      Atomics.wait(v.ctrl, DONE + r, d, 1000);
    }
  }
}

/**
 * Wait without blocking the event loop until every rank has published `gen`
 * (rank 0 on a main thread): spins briefly, then Atomics.waitAsync where the
 * runtime has it, else polls on timers. `aborted` is checked between waits.
 */
export async function awaitAllPublishedAsync(v: SharedViews, gen: number, aborted: () => Error | null): Promise<void> {
  const waitAsync = (Atomics as unknown as { waitAsync?: (a: Int32Array, i: number, v: number, t?: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;
  for (let r = 0; r < v.layout.ranks; r++) {
    let spins = 0;
    for (;;) {
      const err = aborted();
      if (err) throw err;
      const f = failedRank(v);
      if (f !== null) throw new Error(`fast engine: rank ${f} failed`);
      const d = Atomics.load(v.ctrl, DONE + r);
      if (d >= gen) break;
      if (spins++ < 2000) continue;
      if (waitAsync) {
        const w = waitAsync(v.ctrl, DONE + r, d, 200);
        if (w.async) await w.value;
      } else {
        await new Promise((res) => setTimeout(res, 0));
      }
    }
  }
}

/**
 * Every rank after the barrier: sum the gradient slots in rank order into the
 * network's gradient, and (for a step) apply the update. Returns the mean loss.
 * `scratch` is a network buffer of at least paramFloats floats.
 */
export function reduceAndUpdate(v: SharedViews, net: FastNetwork, rank: number, gen: number, command: CommandCode, optimizer: OptimizerConfig, scratch: number): number {
  const { ranks, batch, nPos, paramFloats } = v.layout;
  const tmp = net.view(scratch, paramFloats);
  if (ranks === 2) {
    // Float addition commutes, so own + other is the same sum on both ranks; saves a copy.
    tmp.set(v.slot(gen & 1, 1 - rank));
    net.kernels.addInto(net.grads, scratch, paramFloats);
  } else {
    net.gradsView().set(v.slot(gen & 1, 0));
    for (let r = 1; r < ranks; r++) {
      tmp.set(v.slot(gen & 1, r));
      net.kernels.addInto(net.grads, scratch, paramFloats);
    }
  }
  let nll = 0;
  const losses = v.losses(gen & 1);
  for (let r = 0; r < ranks; r++) nll += losses[r];
  if (command === Command.step) {
    const scalars: Record<string, number> = {};
    const values = v.scalars(gen & 1);
    SCALAR_NAMES.forEach((name, i) => (scalars[name] = values[i]));
    applyUpdate(net, optimizer, scalars);
  }
  return nll / (batch * nPos);
}

/** Rank 0: write the scalars of generation `gen` (missing ones as NaN; applyUpdate names any it needs). */
export function writeScalars(v: SharedViews, gen: number, scalars: Record<string, number>): void {
  const values = v.scalars(gen & 1);
  SCALAR_NAMES.forEach((name, i) => (values[i] = scalars[name] ?? NaN));
}
