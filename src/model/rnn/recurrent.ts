/**
 * Stacked recurrent networks (Elman RNN, GRU, LSTM) as registered
 * architectures, built from a cell: token embedding -> nLayers recurrent
 * layers -> linear unembedding, with PyTorch's parameter layout and
 * initialisation so that fixtures map 1:1 to torch.nn.RNN / GRU / LSTM.
 *
 * Names (PyTorch-like, TransformerLens style):
 *   embed.W_E [d_vocab, d_embed]                 nn.Embedding, N(0, 1)
 *   rnn.{l}.W_ih [gates * d_hidden, d_input]     torch weight_ih_l{l} (d_input: d_embed for l = 0, else d_hidden)
 *   rnn.{l}.W_hh [gates * d_hidden, d_hidden]    torch weight_hh_l{l}
 *   rnn.{l}.b_ih, rnn.{l}.b_hh [gates * d_hidden] torch bias_ih_l{l}, bias_hh_l{l}
 *   unembed.W_U [d_hidden, d_vocab], unembed.b_U [d_vocab]   nn.Linear (transposed weight, as TransformerLens)
 * Recurrent weights and biases are U(-1/sqrt(d_hidden), 1/sqrt(d_hidden)), torch's default.
 * The initial state is zero, as torch's default h0 / c0.
 *
 * Hooks: hook_embed [batch, pos, d_embed]; rnn.{l}.hook_hidden [batch, pos, d_hidden], the hidden
 * state after reading each position (torch's output of layer l); for the LSTM also
 * rnn.{l}.hook_cell [batch, pos, d_hidden]. A hook sees a layer's whole sequence once the layer has
 * run: an edit changes what the next layer and the unembedding read, not the layer's own recurrence.
 *
 * Unrolling: jax-js has no scan, so the recurrence is a JavaScript loop over positions inside the
 * traced function, and the traced program grows linearly with n_ctx. The input projections of all
 * positions are one matmul; each step adds one [batch, d_hidden] x [d_hidden, gates * d_hidden]
 * matmul and a few elementwise ops; np.stack gathers the states. Measured on 2 CPU cores (wasm),
 * GRU d_hidden 64, batch 64, one jitted Adam step (forward + backward + update), after compiling,
 * on idle cores:
 *   n_ctx 10:  ~8 ms per step,  compile ~0.6 s
 *   n_ctx 64:  ~45 ms per step, compile ~3 s
 *   n_ctx 256: ~190 ms per step, compile ~25 s
 * and on cores shared with other jobs (docs/training.md, "Context length") 44 ms / 241 ms / 1.25 s / 4.4 s per
 * step at n_ctx 10 / 64 / 128 / 256, the first step (compile) 0.7 / 1.8 / 8.8 / 38 s. Time per step
 * grows at least linearly with n_ctx, compile time faster; contexts above UNROLL_WARN_CTX = 64 warn,
 * and n_ctx is capped at MAX_UNROLLED_CTX = 256 (config.ts).
 */
import { jit, numpy as np } from "@jax-js/jax";
import { warn } from "../../util/warn.js";
import type { Architecture, HookFn, Params } from "../architecture.js";
import type { ActivationSite, ParameterSpec } from "../types.js";
import { checkRecurrentConfig, completeConfig, type RecurrentConfig } from "./config.js";

/** The recurrent state of one layer at one position: [batch, d_hidden] each. */
export interface CellState {
  readonly h: np.Array;
  /** The LSTM's cell state; absent for the other cells. */
  readonly c?: np.Array;
}

/** One recurrent cell: how many gate blocks its weights hold, and one step of it. */
export interface RecurrentCell {
  /** Blocks of d_hidden rows in W_ih / W_hh (torch's gate order). */
  readonly gates: number;
  /** Whether the state has a cell vector (LSTM). */
  readonly hasCell: boolean;
  /**
   * One step. xProj = W_ih x_t + b_ih and hProj = W_hh h_{t-1} + b_hh, both [batch, gates * d_hidden];
   * `gate(a, k)` slices gate block k of such an array (consuming it). Consumes everything.
   */
  step(xProj: np.Array, hProj: np.Array, prev: CellState, gate: (a: np.Array, k: number) => np.Array): CellState;
}

/** Slice gate block k ([batch, d_hidden]) out of [batch, gates * d_hidden]. */
function gateSlicer(dHidden: number): (a: np.Array, k: number) => np.Array {
  return (a, k) => a.slice([], [k * dHidden, (k + 1) * dHidden]);
}

/**
 * Fan-in of the trees below. jax-js lowers a concatenation of k arrays to a sum of k padded
 * views, so every output element costs k: stacking all n_ctx states at once (or the gradient of
 * unstacking them, also a concatenation) costs n_ctx^2 per feature. Trees of fan-in 8 cost
 * 8 log_8(n_ctx) per element instead (at 128 positions, 19 rather than 128).
 */
const FAN_IN = 8;

/** np.concatenate along `axis` as a tree of concatenations of at most FAN_IN arrays. Consumes xs. */
function concatenateTree(xs: np.Array[], axis: number): np.Array {
  if (xs.length <= FAN_IN) return xs.length === 1 ? xs[0] : np.concatenate(xs, axis);
  const groups: np.Array[] = [];
  const size = Math.ceil(xs.length / FAN_IN);
  for (let i = 0; i < xs.length; i += size) groups.push(concatenateTree(xs.slice(i, i + size), axis));
  return concatenateTree(groups, axis);
}

/** np.stack(xs, 1) for [batch, ...] arrays, as a tree (see FAN_IN): [batch, len(xs), ...]. Consumes xs. */
export function stackPositions(xs: np.Array[]): np.Array {
  return concatenateTree(
    xs.map((x) => x.reshape([x.shape[0], 1, ...x.shape.slice(1)])),
    1,
  );
}

/** np.unstack(x, 1) for [batch, pos, ...], as a tree of splits (see FAN_IN): pos arrays [batch, ...]. Consumes x. */
export function unstackPositions(x: np.Array): np.Array[] {
  const n = x.shape[1];
  if (n <= FAN_IN) return np.unstack(x, 1);
  const size = Math.ceil(n / FAN_IN);
  const bounds: number[] = [];
  for (let i = size; i < n; i += size) bounds.push(i);
  return np.split(x, bounds, 1).flatMap(unstackPositions);
}

/** One step of a cell: (W_ih x_t + b_ih, [h] or [h, c], W_hh^T, b_hh) -> [h] or [h, c]. Consumes its arguments. */
type JitStep = (xProj: np.Array, state: np.Array[], whhT: np.Array, bhh: np.Array) => np.Array[];

const jitSteps = new WeakMap<RecurrentCell, JitStep>();

/**
 * A cell's step as its own jitted function. Inside the traced forward pass each step is then one
 * call (one equation) rather than the dozen primitives it is made of, which keeps the traced
 * graph shallow: jax-js walks it recursively and overflows the JavaScript stack on long chains
 * (a 2-layer GRU at 128 positions did, written inline), and compiles the step once for all positions.
 */
function jittedStep(cell: RecurrentCell): JitStep {
  let f = jitSteps.get(cell);
  if (!f) {
    f = jit((xProj: np.Array, state: np.Array[], whhT: np.Array, bhh: np.Array): np.Array[] => {
      const [h, c] = state; // [batch, d_hidden] each
      const hProj = np.matmul(h.ref, whhT).add(bhh); // [batch, gates * d_hidden]
      const next = cell.step(xProj, hProj, { h, c }, gateSlicer(h.shape[1]));
      return next.c ? [next.h, next.c] : [next.h];
    }) as unknown as JitStep;
    jitSteps.set(cell, f);
  }
  return f;
}

/** Above this context the unrolled program gets slow to compile (see the header). */
export const UNROLL_WARN_CTX = 64;

/**
 * Run the layers of a stacked recurrent network over [batch, pos, d_input]
 * inputs (consumed), calling `hook` on each layer's states. Returns the last
 * layer's hidden states [batch, pos, d_hidden].
 */
export function runRecurrentLayers(cell: RecurrentCell, c: RecurrentConfig, params: Params, input: np.Array, hook: HookFn | undefined): np.Array {
  const [nBatch, nPos] = input.shape;
  const H = c.dHidden;
  let x = input; // [batch, pos, d_input]
  for (let l = 0; l < c.nLayers; l++) {
    const r = `rnn.${l}`;
    // All positions' input projections at once, then one array per position: splits, whose
    // gradient is a concatenation (slicing each position out instead would pad every step's
    // gradient to the whole sequence).
    const xProj = unstackPositions(np.matmul(x, params[`${r}.W_ih`].transpose()).add(params[`${r}.b_ih`])); // pos x [batch, gates * d_hidden]
    const whhT = params[`${r}.W_hh`].transpose(); // [d_hidden, gates * d_hidden]
    const bhh = params[`${r}.b_hh`]; // [gates * d_hidden]
    const step = jittedStep(cell);
    let state = cell.hasCell ? [np.zeros([nBatch, H]), np.zeros([nBatch, H])] : [np.zeros([nBatch, H])]; // [h] or [h, c], [batch, d_hidden] each
    const hs: np.Array[] = [];
    const cs: np.Array[] = [];
    for (let t = 0; t < nPos; t++) {
      state = step(xProj[t], state, whhT.ref, bhh.ref);
      hs.push(state[0].ref);
      if (cell.hasCell) cs.push(state[1].ref);
    }
    for (const a of state) a.dispose();
    whhT.dispose();
    bhh.dispose();
    let hidden = stackPositions(hs); // [batch, pos, d_hidden]
    if (hook) {
      if (cell.hasCell) hook(`${r}.hook_cell`, stackPositions(cs)).dispose(); // [batch, pos, d_hidden]
      hidden = hook(`${r}.hook_hidden`, hidden);
    } else {
      for (const a of cs) a.dispose();
    }
    x = hidden;
  }
  return x;
}

/**
 * Token embeddings: rows of `table` [d_vocab, d] at `tokens` [batch, pos], passed through an
 * exact no-op, -(-x), that makes jax-js materialise them. Why: jax-js 0.1.25's jit cannot hand a
 * view (a reshape of a matmul's output) to the scatter that is take's gradient, which is what
 * arrives when the embedding feeds one matmul (the input projection); without it training fails to
 * compile with "jit: routine primitive scatter input is not imm". (The transformer's forward.ts
 * has the same workaround.)
 */
export function embedTokens(table: np.Array, tokens: np.Array): np.Array {
  return np.take(table, tokens, 0).neg().neg(); // [batch, pos, d]
}

/** Named presets of one recurrent architecture, completed with its defaults. */
export type RecurrentPresets = Readonly<Record<string, Readonly<Partial<RecurrentConfig>>>>;

export interface RecurrentArchitectureSpec {
  readonly name: string;
  /** Human name for summaries, e.g. "GRU". */
  readonly title: string;
  readonly description: string;
  readonly cell: RecurrentCell;
  readonly defaults: RecurrentConfig;
  readonly presets: RecurrentPresets;
  readonly defaultPreset: string;
}

/** Every parameter of a stacked recurrent network, in a fixed order. */
export function recurrentParameterSpecs(cell: RecurrentCell, c: RecurrentConfig): ParameterSpec[] {
  const G = cell.gates * c.dHidden;
  const recurrent: ParameterSpec["init"] = { kind: "uniform", fanIn: c.dHidden }; // torch: U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))
  const specs: ParameterSpec[] = [{ name: "embed.W_E", shape: [c.dVocab, c.dEmbed], init: { kind: "normal", std: 1 } }]; // [d_vocab, d_embed]
  for (let l = 0; l < c.nLayers; l++) {
    const dIn = l === 0 ? c.dEmbed : c.dHidden;
    specs.push({ name: `rnn.${l}.W_ih`, shape: [G, dIn], init: recurrent }); // [gates * d_hidden, d_input]
    specs.push({ name: `rnn.${l}.W_hh`, shape: [G, c.dHidden], init: recurrent }); // [gates * d_hidden, d_hidden]
    specs.push({ name: `rnn.${l}.b_ih`, shape: [G], init: recurrent }); // [gates * d_hidden]
    specs.push({ name: `rnn.${l}.b_hh`, shape: [G], init: recurrent }); // [gates * d_hidden]
  }
  specs.push({ name: "unembed.W_U", shape: [c.dHidden, c.dVocab], init: { kind: "uniform", fanIn: c.dHidden } }); // [d_hidden, d_vocab]
  specs.push({ name: "unembed.b_U", shape: [c.dVocab], init: { kind: "uniform", fanIn: c.dHidden } }); // [d_vocab]
  return specs;
}

/** Probe sites: the embedding, each layer's hidden states, and (with several layers) all of them concatenated. */
export function recurrentLayerSites(prefix: string, nLayers: number): ActivationSite[] {
  const sites: ActivationSite[] = [{ label: "embed", hooks: ["hook_embed"] }];
  for (let l = 0; l < nLayers; l++) sites.push({ label: `layer ${l}`, hooks: [`${prefix}.${l}.hook_hidden`] });
  if (nLayers > 1) sites.push({ label: "concat", hooks: Array.from({ length: nLayers }, (_, l) => `${prefix}.${l}.hook_hidden`) });
  return sites;
}

/** Warn once about slow compiles of long unrolled contexts. */
export function warnLongUnroll(name: string, nCtx: number): void {
  if (nCtx > UNROLL_WARN_CTX) {
    warn(`${name} with nCtx ${nCtx}: the recurrence is unrolled over positions (jax-js has no scan), so compiling takes long ` + `(about 25 s at 256 positions) and each training step grows linearly with nCtx.`);
  }
}

/** A stacked recurrent network as a registered architecture. */
export function recurrentArchitecture(spec: RecurrentArchitectureSpec): Architecture<RecurrentConfig> {
  const { cell, name } = spec;
  return {
    name,
    description: spec.description,
    presets: spec.presets,
    defaultPreset: spec.defaultPreset,
    makeConfig(overrides = {}, preset) {
      const fn = "makeConfig";
      const c = completeConfig({ fn, architecture: name, defaults: spec.defaults, presets: spec.presets, preset: preset ?? spec.defaultPreset, overrides, check: (c) => checkRecurrentConfig(fn, c) });
      warnLongUnroll(name, c.nCtx);
      return c;
    },
    parameterSpecs: (c) => recurrentParameterSpecs(cell, c),
    hookNames(c) {
      const names = ["hook_embed"];
      for (let l = 0; l < c.nLayers; l++) {
        if (cell.hasCell) names.push(`rnn.${l}.hook_cell`);
        names.push(`rnn.${l}.hook_hidden`);
      }
      return names;
    },
    hookShape: (_c, hook) => (hook === "hook_embed" ? "[batch, pos, d_embed]" : /^rnn\.\d+\.hook_(hidden|cell)$/.test(hook) ? "[batch, pos, d_hidden]" : "unknown"),
    layerSites: (c) => recurrentLayerSites("rnn", c.nLayers),
    forward(c, params, tokens, hook) {
      let embed = embedTokens(params["embed.W_E"], tokens); // [batch, pos, d_embed]
      if (hook) embed = hook("hook_embed", embed);
      const hidden = runRecurrentLayers(cell, c, params, embed, hook); // [batch, pos, d_hidden]
      return np.matmul(hidden, params["unembed.W_U"]).add(params["unembed.b_U"]); // [batch, pos, d_vocab]
    },
    summary: (c) => `${c.nLayers}-layer d_hidden-${c.dHidden} ${spec.title}`,
  };
}

/** Parameter count of a stacked recurrent network (embedding, layers, unembedding). */
export function recurrentParameterCount(cell: RecurrentCell, c: RecurrentConfig): number {
  const G = cell.gates * c.dHidden;
  let n = c.dVocab * c.dEmbed + c.dHidden * c.dVocab + c.dVocab;
  for (let l = 0; l < c.nLayers; l++) n += G * ((l === 0 ? c.dEmbed : c.dHidden) + c.dHidden + 2);
  return n;
}
