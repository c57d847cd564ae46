/**
 * The page's settings and their URL: everything that defines what the page
 * shows and trains is in the query string, so a link reproduces it. Defaults
 * are left out of the URL. A pasted process travels deflated and base64url-encoded.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from "fflate";
import { catalogue, processNames, resolveProcessName, type ProcessName } from "../../src/process/catalogue/index.js";
import { parseCatalogueSpec } from "../../src/process/spec.js";
import { DEFAULT_CONFIG, PRESETS, type PresetName } from "../../src/model/transformer/config.js";
import type { DeviceChoice, EngineSetting } from "./protocol.js";

export type ProcessChoice =
  | { readonly kind: "catalogue"; readonly name: ProcessName; readonly params: Readonly<Record<string, number>> }
  | { readonly kind: "json"; readonly text: string };

export interface LabState {
  readonly process: ProcessChoice;
  readonly preset: PresetName;
  readonly nLayers: number;
  readonly dModel: number;
  readonly nCtx: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly device: DeviceChoice;
  /** Training engine on wasm ("auto": the fused trainer when it applies). */
  readonly engine: EngineSetting;
  /** Live probe every this many steps. */
  readonly probeEvery: number;
  /** Sequences drawn for the live probe (half train, half held out). */
  readonly probeSequences: number;
  /** Recover an HMM from the model after training. */
  readonly recover: boolean;
}

/** Presets offered on the page (transformers that train in a browser). */
export const LAB_PRESETS: readonly PresetName[] = ["2l", "shai-4l", "1l", "small", "attn-only-1l", "no-ln"];

/**
 * Defaults: mess3 and the anchor model with 2 blocks. Measured in headless Chromium on 2 cores
 * (wasm): its final-layer probe is beyond every control by step ~200-300 and its held-out loss
 * within 2% of optimal by step ~300-400, about a minute after pressing Train; 1000 steps make a
 * clean fractal. The 4-block anchor model ("shai-4l") is one click away.
 */
export const DEFAULT_STATE: LabState = Object.freeze<LabState>({
  process: { kind: "catalogue", name: "mess3", params: {} },
  preset: "2l",
  nLayers: presetValue("2l", "nLayers"),
  dModel: presetValue("2l", "dModel"),
  nCtx: DEFAULT_CONFIG.nCtx,
  steps: 1000,
  batchSize: 64,
  learningRate: 1e-3,
  seed: 0,
  device: "auto",
  engine: "auto",
  probeEvery: 100,
  probeSequences: 1000,
  recover: true,
});

export function presetValue(preset: PresetName, key: "nLayers" | "dModel" | "nHeads" | "dHead" | "dMlp"): number {
  const p = PRESETS[preset] as Partial<Record<string, number>>;
  return p[key] ?? (DEFAULT_CONFIG[key] as number);
}

/** TransformerConfig overrides over the preset for the page's model settings (heads from the preset, d_head = d_model / heads, d_mlp = 4 d_model). */
export function modelOverrides(s: LabState): Record<string, number> {
  const out: Record<string, number> = {};
  if (s.nLayers !== presetValue(s.preset, "nLayers")) out.nLayers = s.nLayers;
  if (s.dModel !== presetValue(s.preset, "dModel")) {
    const heads = presetValue(s.preset, "nHeads");
    out.dModel = s.dModel;
    out.dHead = Math.max(1, Math.round(s.dModel / heads));
    out.dMlp = 4 * s.dModel;
  }
  if (s.nCtx !== DEFAULT_CONFIG.nCtx) out.nCtx = s.nCtx;
  return out;
}

/** The command line's spec of a catalogue process, parameters at their defaults left out. */
export function catalogueSpec(name: ProcessName, params: Readonly<Record<string, number>>): string {
  const specs = catalogue[name].params as Record<string, { default: number }>;
  const parts = Object.entries(params).filter(([k, v]) => k in specs && v !== specs[k].default).map(([k, v]) => `${k}=${v}`);
  return parts.length ? `${name}:${parts.join(",")}` : name;
}

function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function fromBase64Url(text: string): Uint8Array {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export function stateToQuery(s: LabState): string {
  const q = new URLSearchParams();
  const d = DEFAULT_STATE;
  if (s.process.kind === "catalogue") {
    const spec = catalogueSpec(s.process.name, s.process.params);
    if (spec !== "mess3") q.set("process", spec);
  } else q.set("json", toBase64Url(deflateSync(strToU8(s.process.text), { level: 9 })));
  const numbers: [keyof LabState, string][] = [
    ["nLayers", "layers"],
    ["dModel", "dmodel"],
    ["nCtx", "ctx"],
    ["steps", "steps"],
    ["batchSize", "batch"],
    ["learningRate", "lr"],
    ["seed", "seed"],
    ["probeEvery", "every"],
    ["probeSequences", "probeseqs"],
  ];
  if (s.preset !== d.preset) q.set("preset", s.preset);
  for (const [key, name] of numbers) {
    const base = key === "nLayers" || key === "dModel" ? presetValue(s.preset, key) : d[key];
    if (s[key] !== base) q.set(name, String(s[key]));
  }
  if (s.device !== d.device) q.set("device", s.device);
  if (s.engine !== d.engine) q.set("engine", s.engine);
  if (s.recover !== d.recover) q.set("recover", s.recover ? "1" : "0");
  const text = q.toString();
  return text ? `?${text}` : "";
}

/** Read the settings from a query string; anything unreadable keeps its default (and is reported). */
export function stateFromQuery(search: string): { state: LabState; problems: string[] } {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  let process: ProcessChoice = DEFAULT_STATE.process;
  const spec = q.get("process");
  const json = q.get("json");
  if (json) {
    try {
      process = { kind: "json", text: strFromU8(inflateSync(fromBase64Url(json))) };
    } catch {
      problems.push("the URL's json parameter could not be decoded");
    }
  } else if (spec) {
    try {
      const parsed = parseCatalogueSpec(spec);
      process = { kind: "catalogue", name: resolveProcessName(parsed.name), params: parsed.params };
    } catch (err) {
      problems.push(`process=${spec}: ${(err as Error).message}`);
    }
  }
  const presetText = q.get("preset");
  const preset = presetText && presetText in PRESETS ? (presetText as PresetName) : DEFAULT_STATE.preset;
  if (presetText && !(presetText in PRESETS)) problems.push(`preset=${presetText} is not a preset (${Object.keys(PRESETS).join(", ")})`);
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const t = q.get(name);
    if (t === null) return fallback;
    const v = Number(t);
    if (Number.isInteger(v) && v >= min && v <= max) return v;
    problems.push(`${name}=${t} is not an integer in [${min}, ${max}]`);
    return fallback;
  };
  const lrText = q.get("lr");
  let learningRate = DEFAULT_STATE.learningRate;
  if (lrText !== null) {
    const v = Number(lrText);
    if (Number.isFinite(v) && v > 0 && v <= 1) learningRate = v;
    else problems.push(`lr=${lrText} is not a learning rate in (0, 1]`);
  }
  const deviceText = q.get("device");
  const device: DeviceChoice = deviceText === "wasm" || deviceText === "webgpu" || deviceText === "auto" ? deviceText : DEFAULT_STATE.device;
  if (deviceText && deviceText !== device) problems.push(`device=${deviceText} is not auto, wasm or webgpu`);
  const engineText = q.get("engine");
  const engine: EngineSetting = engineText === "jax" || engineText === "auto" ? engineText : DEFAULT_STATE.engine;
  if (engineText && engineText !== engine) problems.push(`engine=${engineText} is not auto or jax`);
  const state: LabState = {
    process,
    preset,
    nLayers: int("layers", presetValue(preset, "nLayers"), 0, 12),
    dModel: int("dmodel", presetValue(preset, "dModel"), 4, 512),
    nCtx: int("ctx", DEFAULT_STATE.nCtx, 2, 64),
    steps: int("steps", DEFAULT_STATE.steps, 1, 1_000_000),
    batchSize: int("batch", DEFAULT_STATE.batchSize, 1, 4096),
    learningRate,
    seed: int("seed", DEFAULT_STATE.seed, 0, 2 ** 31 - 1),
    device,
    engine,
    probeEvery: int("every", DEFAULT_STATE.probeEvery, 10, 100_000),
    probeSequences: int("probeseqs", DEFAULT_STATE.probeSequences, 100, 20_000),
    recover: q.get("recover") === null ? DEFAULT_STATE.recover : q.get("recover") !== "0",
  };
  return { state, problems };
}

export { processNames };
