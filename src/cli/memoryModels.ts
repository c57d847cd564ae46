/**
 * The memory model of each command's size options (docs/memory.md): peak bytes as a function of
 * the option, for checkMemory to test against --max-memory before any work. Estimates, not
 * measurements: each counts the arrays the command holds at its peak, plus the runtime's own.
 */
import { getHeapStatistics } from "node:v8";
import type { SequenceModel } from "../model/sequenceModel.js";
import { getArchitecture } from "../model/registry.js";
import { sampleBytesPerSequence } from "../process/sample.js";
import { bytesPerBelief } from "../process/budget.js";
import { formatBytes, MiB, stringLimit, typedArrayLimit, type SizeLimit, type SizeModel } from "../util/memory.js";

/** Node, the loaded modules and jax-js before any work. */
export const RUNTIME_BYTES = 96 * MiB;

/** The JavaScript heap (objects and strings, not typed arrays) is bounded by node's own limit. */
export function heapLimit(size: (value: number) => number): SizeLimit {
  return { what: `bytes of JavaScript heap (node's limit; raise it with NODE_OPTIONS=--max-old-space-size=MB)`, max: getHeapStatistics().heap_size_limit, size };
}

/** `process sample --length`: one chunk of sequences is held at a time, whatever --count (written as drawn). */
export function sampleLengthModel(nStates: number, length: number): SizeModel {
  const held = (L: number) => Math.max(16 * MiB, sampleBytesPerSequence(nStates, L));
  return {
    flag: "--length",
    value: length,
    bytes: (L) => RUNTIME_BYTES + held(L) + 8 * MiB,
    formula: (L) =>
      `one sequence of ${L} tokens holds a token, a state, ${nStates} belief coordinates and a loss per token, ${formatBytes(sampleBytesPerSequence(nStates, L))}, plus the runtime; --count does not matter: sequences are written as they are drawn`,
    limits: [typedArrayLimit((L) => L * nStates)],
  };
}

/**
 * Characters of JSON.stringify(msp document, null, 2) per MSP node: its S coordinates (~30 each
 * with indentation), up to V edges (three integers and a probability), its level entry and first depth.
 */
function mspCharsPerNode(nStates: number, nSymbols: number): number {
  return nStates * 30 + nSymbols * (3 * 16 + 30) + 14 + 28 + 10;
}

/** Most MSP nodes reachable: V^0 + ... + V^depth, and what maxWork can pay for. */
export function mspNodeCap(nSymbols: number, depth: number, maxWork: number, childCost: number): number {
  let reach = 1;
  let level = 1;
  for (let d = 1; d <= depth && reach < 2 ** 40; d++) reach += level *= nSymbols;
  return Math.max(1, Math.min(reach, Math.floor(maxWork / childCost)));
}

/** `process msp --max-beliefs`: the enumeration, then the whole presentation as JS arrays and one pretty JSON text. */
export function mspBeliefsModel(nStates: number, nSymbols: number, maxBeliefs: number, cap: number): SizeModel {
  const nodes = (n: number) => Math.min(n, cap);
  const chars = (n: number) => nodes(n) * mspCharsPerNode(nStates, nSymbols);
  // JS arrays: 8 bytes a number plus an array header (~32 bytes) per row; the text one byte a character.
  const heapPerNode = (nStates + 4 * nSymbols + 3) * 8 + (2 + nSymbols) * 32 + mspCharsPerNode(nStates, nSymbols);
  const heap = (n: number) => nodes(n) * heapPerNode;
  return {
    flag: "--max-beliefs",
    value: maxBeliefs,
    bytes: (n) => RUNTIME_BYTES + nodes(n) * bytesPerBelief(nStates, nSymbols) + heap(n),
    formula: (n) =>
      `up to ${nodes(n)} nodes (the least of --max-beliefs, the nodes --depth reaches and those --max-work pays for) x (${bytesPerBelief(nStates, nSymbols)} bytes while enumerated + ~${heapPerNode} bytes as JSON arrays and text), S = ${nStates}, V = ${nSymbols}`,
    limits: [stringLimit(chars), heapLimit(heap)],
  };
}

/** `process info --max-beliefs`: three enumerations, one after the other, each holding at most this many beliefs. */
export function infoBeliefsModel(nStates: number, nSymbols: number, maxBeliefs: number): SizeModel {
  return {
    flag: "--max-beliefs",
    value: maxBeliefs,
    bytes: (n) => RUNTIME_BYTES + n * bytesPerBelief(nStates, nSymbols),
    formula: (n) => `${n} beliefs x (2 S + 3 V + 8) x 8 bytes = ${n} x ${bytesPerBelief(nStates, nSymbols)} bytes, S = ${nStates}, V = ${nSymbols}`,
    limits: [typedArrayLimit((n) => 2 * n * nStates)],
  };
}

/**
 * Values per position at each hook for windows of nPos positions (default n_ctx): the model run on
 * one window of zeros (milliseconds). An attention pattern counts nPos values a position.
 */
export async function hookWidths(model: SequenceModel, hooks: readonly string[], nPos = model.nCtx): Promise<Record<string, number>> {
  const names = [...new Set(hooks)];
  const { cache } = await model.runWithCache(new Int32Array(nPos), nPos, { names });
  return Object.fromEntries(names.map((h) => [h, cache.get(h).data.length / nPos]));
}

export interface ProbeShape {
  readonly nPos: number;
  readonly nStates: number;
  readonly dVocab: number;
  /** Features per position of each hook captured. */
  readonly hooks: Readonly<Record<string, number>>;
  /** The sites' hooks (a site's features are its hooks' side by side). */
  readonly sites: readonly { readonly hooks: readonly string[] }[];
  readonly untrained: boolean;
}

/** Bytes per probed position (row) at the probe's peak; see probeSequencesModel. */
export function probeBytesPerRow(p: ProbeShape): number {
  const { nStates: S, dVocab: V, nPos } = p;
  const hookSum = Object.values(p.hooks).reduce((a, b) => a + b, 0);
  const siteWidths = p.sites.map((s) => s.hooks.reduce((a, h) => a + (p.hooks[h] ?? 0), 0));
  const featureSum = siteWidths.reduce((a, b) => a + b, 0);
  const widest = Math.max(...siteWidths);
  const kgramCols = Math.max(4 * (V + 1), Math.min((V + 1) ** 4, 1024)) + nPos;
  const models = p.untrained ? 2 : 1;
  return (
    24 + 8 * S + // tokens, states, beliefs and loss of the sampled data
    models * (4 * hookSum + 4 * V + 8 * featureSum) + // float32 activations and logits, float64 features per site
    16 * V + 16 * S + // float64 logits, next-token distributions, shuffled and held-out beliefs
    8 * Math.max(widest, kgramCols) + 4 * Math.max(widest, kgramCols) // a site's train/test copy and the factorisation of its train half
  );
}

/** The probe's working memory beside its rows (bootstrap refits, reference tables), measured: 285 MB at 2,000 sequences of mess3 less 20,000 rows. */
const PROBE_FIXED_BYTES = 192 * MiB;

/**
 * `probe --sequences`: every sequence is held at once (sampled tokens and beliefs, the model's
 * activations at every hook, each site's features in float64, the same for the untrained control,
 * the k-gram controls, and the least-squares workspace).
 */
export function probeSequencesModel(p: ProbeShape, sequences: number): SizeModel {
  const perRow = probeBytesPerRow(p);
  const nSites = p.sites.length;
  return {
    flag: "--sequences",
    value: sequences,
    min: 2,
    bytes: (n) => RUNTIME_BYTES + PROBE_FIXED_BYTES + n * p.nPos * perRow,
    formula: (n) =>
      `${formatBytes(PROBE_FIXED_BYTES)} + ${n} sequences x ${p.nPos} positions x ${formatBytes(perRow)} a position: activations at ${Object.keys(p.hooks).length} hooks, float64 features of ${nSites} site${nSites === 1 ? "" : "s"}${p.untrained ? ", again for the untrained control" : ""}, beliefs, logits, k-gram controls, least-squares workspace`,
    limits: [typedArrayLimit((n) => n * p.nPos * Math.max(...p.sites.map((s) => s.hooks.reduce((a, h) => a + (p.hooks[h] ?? 0), 0))))],
  };
}

/** Features of one hook per sequence from its shape text, e.g. "[batch, pos, head_index, d_head]" (batch left out). */
function hookValuesPerSequence(shape: string, config: Readonly<Record<string, unknown>>): number {
  const dim = (name: string): number => {
    if (/^\d+$/.test(name)) return Number(name);
    if (name === "batch") return 1;
    if (name === "pos" || name === "query_pos" || name === "key_pos") return Number(config.nCtx);
    if (name === "head_index") return Number(config.nHeads ?? 1);
    const key = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = Number(config[key]);
    return Number.isFinite(v) && v > 0 ? v : 1;
  };
  return shape
    .replace(/^\[|\]$/g, "")
    .split(",")
    .map((d) => d.trim().split("*").map((f) => dim(f.trim())).reduce((a, b) => a * b, 1))
    .reduce((a, b) => a * b, 1);
}

/** Bytes per parameter while training: float32 weights, gradients, two Adam moments, a host copy and a checkpoint's. */
export const TRAIN_BYTES_PER_PARAMETER = 24;
/** Bytes per activation value per sequence: the forward value kept for the backward pass, its gradient, a temporary (float32). */
export const TRAIN_BYTES_PER_ACTIVATION = 12;

export interface TrainShape {
  readonly parameters: number;
  /** Activation values per sequence over every hook (the forward pass's intermediates). */
  readonly activationsPerSequence: number;
  readonly summary: string;
}

/** The parameter count and activations of an architecture's config, without building it. */
export function trainShape(arch: string, config: Readonly<Record<string, unknown>>, preset?: string): TrainShape {
  const a = getArchitecture(arch, "beliefscope train");
  const c = a.makeConfig(config, preset);
  const parameters = a.parameterSpecs(c).reduce((s, p) => s + p.shape.reduce((x, y) => x * y, 1), 0);
  const activationsPerSequence = a.hookNames(c).reduce((s, h) => s + hookValuesPerSequence(a.hookShape(c, h), c as unknown as Record<string, unknown>), 0);
  return { parameters, activationsPerSequence, summary: a.summary(c) };
}

export function trainBytes(shape: TrainShape, batchSize: number): number {
  return RUNTIME_BYTES + shape.parameters * TRAIN_BYTES_PER_PARAMETER + batchSize * shape.activationsPerSequence * TRAIN_BYTES_PER_ACTIVATION;
}

const trainFormula = (shape: TrainShape, batchSize: number) =>
  `${shape.summary}: ${shape.parameters} parameters x ${TRAIN_BYTES_PER_PARAMETER} bytes (weights, gradients, Adam moments, copies) + batch ${batchSize} x ${shape.activationsPerSequence} activation values x ${TRAIN_BYTES_PER_ACTIVATION} bytes (forward, backward)`;

/**
 * `train`: the model's size, or --batch-size when the model alone fits. The size option is the
 * model's width field (dModel or dHidden, --d-model or --set dHidden=N), varied with the rest of
 * the config held.
 */
export function trainModel(arch: string, config: Readonly<Record<string, unknown>>, preset: string | undefined, batchSize: number, budgetBytes: number): SizeModel {
  const shape = trainShape(arch, config, preset);
  const full = getArchitecture(arch).makeConfig(config, preset) as unknown as Record<string, unknown>;
  const widthKey = ["dModel", "dHidden"].find((k) => typeof full[k] === "number");
  if (!widthKey || trainBytes(shape, 1) <= budgetBytes) {
    return { flag: "--batch-size", value: batchSize, bytes: (b) => trainBytes(shape, b), formula: (b) => trainFormula(shape, b) };
  }
  const at = (w: number) => {
    try {
      return trainShape(arch, { ...config, [widthKey]: w }, preset);
    } catch {
      return { parameters: Infinity, activationsPerSequence: Infinity, summary: "" };
    }
  };
  const width = Number(full[widthKey]);
  return {
    flag: widthKey === "dModel" ? "--d-model" : "--set dHidden",
    value: width,
    bytes: (w) => (w === width ? trainBytes(shape, batchSize) : trainBytes(at(w), batchSize)),
    formula: () => trainFormula(shape, batchSize),
  };
}

/** Activation values recovery keeps at most (recoverHmm's maxActivationValues), float64. */
const RECOVER_ACTIVATION_VALUES = 1 << 23;

/**
 * `recover --tokens`: the sampled tokens with the model's next-token distribution at each
 * (float64), the same again for scoring and the baselines' forward-backward over up to
 * max-states states; activations are capped at 2^23 values whatever the count.
 */
export function recoverTokensModel(p: { nCtx: number; dVocab: number; maxStates: number }, tokens: number): SizeModel {
  const perToken = 4 + 16 * p.dVocab + 16 * p.maxStates;
  const padded = (n: number) => Math.ceil(n / p.nCtx) * p.nCtx;
  return {
    flag: "--tokens",
    value: tokens,
    min: p.nCtx,
    bytes: (n) => RUNTIME_BYTES + 8 * RECOVER_ACTIVATION_VALUES + padded(n) * perToken,
    formula: (n) => `${padded(n)} tokens x ${perToken} bytes (a token, the model's ${p.dVocab} next-token probabilities twice, forward-backward over ${p.maxStates} states) + ${formatBytes(8 * RECOVER_ACTIVATION_VALUES)} of activations`,
    limits: [typedArrayLimit((n) => padded(n) * p.dVocab)],
  };
}

/**
 * `lm activations --windows` and `lm evaluate --windows`: the windows' tokens, then (activations)
 * every hook's float32 activations and the logits for all windows, held and then encoded into the file.
 */
export function lmWindowsModel(p: { nPos: number; dVocab: number; hooks?: Readonly<Record<string, number>>; logits: boolean }, windows: number, flag = "--windows"): SizeModel {
  const hookSum = Object.values(p.hooks ?? {}).reduce((a, b) => a + b, 0);
  const perPosition = 8 + (p.hooks ? 2 * 4 * (hookSum + (p.logits ? p.dVocab : 0)) : 8);
  return {
    flag,
    value: windows,
    bytes: (w) => RUNTIME_BYTES + w * (p.nPos + 1) * perPosition,
    formula: (w) =>
      `${w} windows x ${p.nPos + 1} positions x ${formatBytes(perPosition)} a position: ${p.hooks ? `tokens, ${hookSum} activation values (${Object.keys(p.hooks).length} hooks)${p.logits ? ` and ${p.dVocab} logits` : ""} in float32, held and then encoded into the file` : "the windows' tokens and a float64 loss per token"}`,
    limits: [typedArrayLimit((w) => w * (p.nPos + 1) * Math.max(1, hookSum, p.logits ? p.dVocab : 0))],
  };
}

/**
 * `tokenizer encode`: the text, its pre-tokens, ids and offsets, and the printed output, measured
 * at ~100 bytes a character printing ids (or --tokens) and ~240 with --json (byte-level BPE).
 */
export function encodeTextModel(p: { json: boolean; file: string }, characters: number): SizeModel {
  const perChar = p.json ? 240 : 110;
  return {
    flag: "--file",
    describe: (n) => (n === characters ? `--file ${p.file} (${n} bytes of text)` : `${n} bytes of text`),
    lower: "encode a smaller file (split it, e.g. with split -C 100M)",
    value: characters,
    bytes: (n) => RUNTIME_BYTES + n * perChar,
    formula: (n) => `${n} characters x ~${perChar} bytes (the text, its pre-tokens, ids and offsets${p.json ? ", the JSON output" : ", the printed ids"})`,
    limits: [stringLimit((n) => n)],
  };
}

/**
 * `construct`, `animate` and `movie --sequences`: sequences sampled with their beliefs and fitted
 * on, all held at once; measured at ~200 bytes a position for mess3 (construct), modelled as
 * 64 (S + 1) bytes plus the float64 features a probe of the model holds (movie).
 */
export function fitSequencesModel(p: { nPos: number; nStates: number; features?: number }, sequences: number): SizeModel {
  const perPosition = 64 * (p.nStates + 1) + 16 * (p.features ?? 0);
  return {
    flag: "--sequences",
    value: sequences,
    min: 2,
    bytes: (n) => RUNTIME_BYTES + n * p.nPos * perPosition,
    formula: (n) => `${n} sequences x ${p.nPos} positions x ${formatBytes(perPosition)} a position: tokens, states, ${p.nStates} beliefs and the fit's rows${p.features ? `, ${p.features} features in float64 twice` : ""}`,
    limits: [typedArrayLimit((n) => n * p.nPos * Math.max(p.nStates, p.features ?? 0))],
  };
}
