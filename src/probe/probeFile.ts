/**
 * The one layout of every probe file: probes.safetensors (demo, `probe -o`,
 * the lab) and probe.safetensors (recover, the lab's recovery). Written here
 * and nowhere else; read back with decodeProbeFile.
 *
 *   "<key>.weight"  F64 [d_features, n_states]   key = probeWeightKey(site label)
 *   "<key>.bias"    F64 [n_states]
 *   (a file of one unnamed site, recover's: "weight" and "bias")
 *
 *   beliefs [rows, n_states] = activations [rows, d_features] @ weight + bias
 *
 * where a site's activations are its hooks' activations (TransformerLens
 * names, [batch, pos, d] flattened to rows batch * pos) concatenated along
 * the last axis in the order the metadata lists them. __metadata__ (strings,
 * as safetensors requires):
 *   format "beliefscope/probe", version "2", layout PROBE_LAYOUT, process,
 *   n_states, and sites: JSON [{ "label", "weight", "bias", "hooks": [...], "features" }].
 */
import { ArgumentError } from "../util/errors.js";
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from "../util/safetensors.js";
import type { ProbeReport } from "./beliefProbe.js";

export const PROBE_FILE_FORMAT = "beliefscope/probe";
export const PROBE_FILE_VERSION = 2;
/** How a probe applies, word for word as the file's metadata says it. */
export const PROBE_LAYOUT = "beliefs = activations @ weight + bias";

/** One fitted affine probe: the site's hooks, in order of concatenation, and its weights. */
export interface ProbeFileSite {
  /** Human name ("layer 3"); the tensors are named after probeWeightKey(label). Absent: an unnamed site ("weight", "bias"). */
  readonly label?: string;
  readonly hooks: readonly string[];
  /** [d_features, n_states], row-major. */
  readonly weights: Float64Array;
  /** [n_states]. */
  readonly bias: Float64Array;
}

export interface ProbeFile {
  /** The process whose beliefs the probes predict (for recover: the recovered HMM's). */
  readonly process: string;
  readonly nStates: number;
  readonly sites: readonly ProbeFileSite[];
}

/** Safetensors-friendly key of a site: "layer 3" -> "layer_3". */
export function probeWeightKey(label: string): string {
  return label.replace(/[^A-Za-z0-9_]+/g, "_");
}

function tensorNames(site: ProbeFileSite): { weight: string; bias: string } {
  if (site.label === undefined) return { weight: "weight", bias: "bias" };
  const key = probeWeightKey(site.label);
  return { weight: `${key}.weight`, bias: `${key}.bias` };
}

/** The probes as safetensors bytes in the one layout (see the file header); `extra` adds metadata. */
export function encodeProbeFile(file: ProbeFile, extra: Record<string, string> = {}): Uint8Array<ArrayBuffer> {
  const fn = "encodeProbeFile";
  const S = file.nStates;
  const tensors: Record<string, NamedTensor> = {};
  const sites = file.sites.map((site) => {
    const names = tensorNames(site);
    if (names.weight in tensors) {
      throw new ArgumentError({ fn, argument: "sites", received: `two sites with tensor "${names.weight}"`, expected: "site labels that stay distinct with non-alphanumerics replaced by _ (and at most one unnamed site)" });
    }
    const features = site.weights.length / S;
    if (!Number.isInteger(features) || features < 1 || site.bias.length !== S) {
      throw new ArgumentError({ fn, argument: `sites["${site.label ?? ""}"]`, received: `${site.weights.length} weights and ${site.bias.length} biases`, expected: `[d_features, ${S}] weights and ${S} biases` });
    }
    tensors[names.weight] = { dtype: "F64", shape: [features, S], data: site.weights }; // [d_features, n_states]
    tensors[names.bias] = { dtype: "F64", shape: [S], data: site.bias }; // [n_states]
    return { ...(site.label !== undefined ? { label: site.label } : {}), ...names, hooks: [...site.hooks], features };
  });
  return encodeSafetensors(tensors, {
    format: PROBE_FILE_FORMAT,
    version: String(PROBE_FILE_VERSION),
    layout: PROBE_LAYOUT,
    process: file.process,
    n_states: String(S),
    sites: JSON.stringify(sites),
    ...extra,
  });
}

/** Every site of a probe report (`probe`, the demo, the lab) in the one layout. */
export function probeFileFromReport(report: ProbeReport): ProbeFile {
  return {
    process: report.process,
    nStates: report.nStates,
    sites: report.sites.map((s) => ({ label: s.label, hooks: s.hooks, weights: s.probe.weights, bias: s.probe.intercept })),
  };
}

/** A probe file read back; `source` names the file in errors. */
export function decodeProbeFile(bytes: Uint8Array, source = "probe file"): ProbeFile {
  const fn = "decodeProbeFile";
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  if (metadata.layout !== PROBE_LAYOUT || metadata.sites === undefined) {
    throw new ArgumentError({
      fn,
      argument: source,
      received: metadata.layout ? `layout "${metadata.layout}"` : "a safetensors file without probe metadata (a file from beliefscope 0.2 stores [n_states, d_features] weights)",
      expected: `a probe file whose metadata says layout "${PROBE_LAYOUT}"`,
      hint: "Write it again with `beliefscope probe RUN -o DIR` (or `recover`).",
    });
  }
  const S = Number(metadata.n_states);
  const badSites = (): never => {
    throw new ArgumentError({ fn, argument: `${source} metadata "sites"`, received: JSON.stringify(metadata.sites.slice(0, 80)), expected: 'a JSON list of sites, each { "weight", "bias", "hooks": [...] }' });
  };
  let listed: { label?: string; weight: string; bias: string; hooks: string[] }[] = [];
  try {
    listed = JSON.parse(metadata.sites);
  } catch {
    badSites();
  }
  const isSite = (s: unknown): boolean => {
    const v = s as Record<string, unknown> | null;
    return typeof v === "object" && v !== null && typeof v.weight === "string" && typeof v.bias === "string" && Array.isArray(v.hooks) && v.hooks.every((h) => typeof h === "string");
  };
  if (!Array.isArray(listed) || !listed.every(isSite)) badSites();
  if (!Number.isInteger(S) || S < 1) throw new ArgumentError({ fn, argument: `${source} metadata "n_states"`, received: JSON.stringify(metadata.n_states), expected: "a positive integer" });
  const sites = listed.map((s): ProbeFileSite => {
    const w = tensors[s.weight];
    const b = tensors[s.bias];
    if (!w || w.shape.length !== 2 || w.shape[1] !== S || !(w.data instanceof Float64Array) || !b || b.shape.length !== 1 || b.shape[0] !== S || !(b.data instanceof Float64Array)) {
      throw new ArgumentError({
        fn,
        argument: `${source} tensors "${s.weight}", "${s.bias}"`,
        received: `${w ? `${w.dtype} [${w.shape.join(", ")}]` : "no weight"} and ${b ? `${b.dtype} [${b.shape.join(", ")}]` : "no bias"}`,
        expected: `F64 [d_features, ${S}] and F64 [${S}]`,
      });
    }
    return { ...(s.label !== undefined ? { label: s.label } : {}), hooks: s.hooks, weights: w.data, bias: b.data };
  });
  return { process: metadata.process ?? "", nStates: S, sites };
}
