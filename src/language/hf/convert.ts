/**
 * Hugging Face GPT-2 and GPT-Neo checkpoints (config.json + model.safetensors,
 * the format of the TinyStories-1M..33M models) as this toolkit's transformer:
 * the config mapped field by field, and the weights converted as
 * TransformerLens's convert_gpt2_weights / convert_neo_weights do
 * (transformer_lens/pretrained/weight_conversions/{gpt2,neo}.py):
 *
 *   GPT-2    Conv1D weights [in, out]: c_attn [d, 3d] split into W_Q, W_K, W_V
 *            "m (i h) -> i m h", its bias "(qkv i h)"; c_proj "(i h) m -> i h m";
 *            c_fc, c_proj as W_in, W_out; scores / sqrt(d_head)
 *   GPT-Neo  nn.Linear weights [out, in]: q/k/v_proj "(i h) m -> i m h" with zero
 *            biases (GPT-Neo has none); out_proj "m (i h) -> i h m"; c_fc, c_proj
 *            transposed; scores NOT scaled (attentionScale 1); local attention on
 *            the layers attention_layers marks "local" (attentionWindows)
 *   both     unembed.W_U = lm_head.weight^T (the token embedding when tied),
 *            unembed.b_U = 0; LayerNorm eps 1e-5; gelu_new = "gelu-tanh"
 *
 * Positions beyond `nCtx` are dropped from W_pos (TransformerLens trims the same
 * way: the TinyStories models were trained on 512 positions of their 2048).
 */
import { ArgumentError, describe } from "../../util/errors.js";
import type { HostTensor, StateDict } from "../../util/hostTensor.js";
import { makeConfig, type Activation, type TransformerConfig } from "../../model/transformer/config.js";
import { SafetensorsReader } from "./safetensorsReader.js";

export type HfModelType = "gpt2" | "gpt_neo";

export interface HfConversion {
  readonly modelType: HfModelType;
  readonly config: TransformerConfig;
  readonly stateDict: StateDict;
  /** Positions of the checkpoint (n_positions / max_position_embeddings), before trimming to nCtx. */
  readonly checkpointPositions: number;
  /** Whether lm_head was tied to the token embedding. */
  readonly tied: boolean;
  /** Tensors in the file the conversion did not use (buffers such as attn.bias / masked_bias). */
  readonly unused: readonly string[];
}

export interface HfConvertOptions {
  /** Keep this many positions (<= the checkpoint's). Default all of them. */
  readonly nCtx?: number;
  /** Names the files in errors. */
  readonly source?: string;
}

const ACTIVATIONS: Record<string, Activation> = { gelu_new: "gelu-tanh", gelu_pytorch_tanh: "gelu-tanh", gelu_fast: "gelu-tanh", gelu: "gelu", relu: "relu", silu: "silu", swish: "silu" };

type Json = Record<string, unknown>;

function configError(source: string, field: string, value: unknown, expected: string, hint?: string): ArgumentError {
  return new ArgumentError({ fn: "loadHfCheckpoint", argument: `${source}: ${field}`, received: describe(value), expected, hint });
}

function int(c: Json, source: string, field: string, fallback?: number): number {
  const v = c[field] ?? fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw configError(source, field, v, "a positive integer");
  return v;
}

function activation(c: Json, source: string): Activation {
  const name = c.activation_function ?? "gelu_new";
  const a = typeof name === "string" ? ACTIVATIONS[name] : undefined;
  if (!a) throw configError(source, "activation_function", name, `one of ${Object.keys(ACTIVATIONS).join(", ")}`);
  return a;
}

function checkEps(c: Json, source: string): void {
  const eps = c.layer_norm_epsilon ?? 1e-5;
  if (typeof eps !== "number" || Math.abs(eps - 1e-5) > 1e-12) {
    throw configError(source, "layer_norm_epsilon", eps, "1e-5 (the LayerNorm epsilon of this transformer, TransformerLens's and GPT-2's)");
  }
}

/** The model type of a config.json, or an error naming what is supported. */
export function hfModelType(config: unknown, source = "config.json"): HfModelType {
  const c = (typeof config === "object" && config !== null ? config : {}) as Json;
  const type = c.model_type;
  if (type === "gpt2" || type === "gpt_neo") return type;
  throw configError(
    source,
    "model_type",
    type ?? "(missing)",
    '"gpt2" or "gpt_neo" (GPT-2 and GPT-Neo checkpoints, e.g. roneneldan/TinyStories-1M..33M)',
    typeof type === "string" && type.length > 0 ? `${type} checkpoints are not supported.` : "Is this a Hugging Face config.json?",
  );
}

/** Per-layer "global" / "local" of a GPT-Neo config (attention_layers, else expanded from attention_types). */
function neoLayerKinds(c: Json, nLayers: number, source: string): string[] {
  let kinds: unknown = c.attention_layers;
  if (!Array.isArray(kinds)) {
    const types = c.attention_types;
    if (!Array.isArray(types)) throw configError(source, "attention_types", types, 'a list such as [[["global", "local"], 4]]');
    // Checked whole before anything is expanded: [[["global", "local"], 1e9]] must not allocate 2e9 entries first.
    let total = 0;
    for (const entry of types) {
      if (!Array.isArray(entry) || !Array.isArray(entry[0]) || !Number.isInteger(entry[1]) || (entry[1] as number) < 0) throw configError(source, "attention_types", types, 'a list of [["global" | "local", ...], repeats]');
      if ((entry[0] as unknown[]).some((k) => k !== "global" && k !== "local")) throw configError(source, "attention_types", types, 'kinds "global" or "local" only');
      total += (entry[0] as unknown[]).length * (entry[1] as number);
    }
    if (total !== nLayers) throw configError(source, "attention_types", JSON.stringify(types), `kinds x repeats adding up to num_layers = ${nLayers} (these give ${total})`);
    const out: string[] = [];
    for (const entry of types) for (let r = 0; r < entry[1]; r++) out.push(...(entry[0] as string[]));
    kinds = out;
  }
  const list = kinds as unknown[];
  if (list.length !== nLayers || list.some((k) => k !== "global" && k !== "local")) {
    throw configError(source, "attention_layers", kinds, `${nLayers} entries, each "global" or "local"`);
  }
  return list as string[];
}

/** Our transformer config for a Hugging Face GPT-2 / GPT-Neo config.json. */
export function hfTransformerConfig(config: unknown, options: HfConvertOptions = {}): { config: TransformerConfig; modelType: HfModelType; checkpointPositions: number } {
  const source = options.source ?? "config.json";
  const modelType = hfModelType(config, source);
  const c = config as Json;
  checkEps(c, source);
  let fields: Partial<TransformerConfig> & { nCtx: number };
  if (modelType === "gpt2") {
    if (c.scale_attn_by_inverse_layer_idx === true) throw configError(source, "scale_attn_by_inverse_layer_idx", true, "false (per-layer score scaling is not supported)");
    if (c.add_cross_attention === true) throw configError(source, "add_cross_attention", true, "false (a decoder-only model)");
    const dModel = int(c, source, "n_embd");
    const nHeads = int(c, source, "n_head");
    if (dModel % nHeads !== 0) throw configError(source, "n_head", nHeads, `a divisor of n_embd = ${dModel}`);
    fields = {
      nLayers: int(c, source, "n_layer"),
      dModel,
      nHeads,
      dHead: dModel / nHeads,
      dMlp: c.n_inner === null || c.n_inner === undefined ? 4 * dModel : int(c, source, "n_inner"),
      nCtx: int(c, source, "n_positions", c.n_ctx as number | undefined),
      dVocab: int(c, source, "vocab_size"),
      activation: activation(c, source),
      ...(c.scale_attn_weights === false ? { attentionScale: 1 } : {}),
    };
  } else {
    const dModel = int(c, source, "hidden_size");
    const nHeads = int(c, source, "num_heads");
    if (dModel % nHeads !== 0) throw configError(source, "num_heads", nHeads, `a divisor of hidden_size = ${dModel}`);
    const nLayers = int(c, source, "num_layers");
    const kinds = neoLayerKinds(c, nLayers, source);
    const window = int(c, source, "window_size", 256);
    fields = {
      nLayers,
      dModel,
      nHeads,
      dHead: dModel / nHeads,
      dMlp: c.intermediate_size === null || c.intermediate_size === undefined ? 4 * dModel : int(c, source, "intermediate_size"),
      nCtx: int(c, source, "max_position_embeddings"),
      dVocab: int(c, source, "vocab_size"),
      activation: activation(c, source),
      // GPT-Neo computes q.k without dividing by sqrt(d_head) (modeling_gpt_neo.py, TransformerLens use_attn_scale=False).
      attentionScale: 1,
      attentionWindows: kinds.map((k) => (k === "local" ? window : 0)),
    };
  }
  const checkpointPositions = fields.nCtx;
  if (options.nCtx !== undefined) {
    if (!Number.isInteger(options.nCtx) || options.nCtx < 1 || options.nCtx > checkpointPositions) {
      throw new ArgumentError({ fn: "loadHfCheckpoint", argument: "nCtx", received: describe(options.nCtx), expected: `an integer in [1, ${checkpointPositions}] (the checkpoint's positions)` });
    }
    fields = { ...fields, nCtx: options.nCtx };
  }
  return { config: makeConfig({ ...fields, layerNorm: true, attnOnly: false, init: "gpt2" }), modelType, checkpointPositions };
}

/** A tensor of shape `shape` whose element at index (a, b, c) is `at(a, b, c)`. */
function build(shape: readonly number[], at: (...index: number[]) => number): HostTensor {
  const data = new Float32Array(shape.reduce((x, y) => x * y, 1));
  let k = 0;
  if (shape.length === 1) for (let a = 0; a < shape[0]; a++) data[k++] = at(a);
  else if (shape.length === 2) for (let a = 0; a < shape[0]; a++) for (let b = 0; b < shape[1]; b++) data[k++] = at(a, b);
  else for (let a = 0; a < shape[0]; a++) for (let b = 0; b < shape[1]; b++) for (let c = 0; c < shape[2]; c++) data[k++] = at(a, b, c);
  return { shape: [...shape], data };
}

/** Convert the weights of a Hugging Face GPT-2 / GPT-Neo checkpoint (TransformerLens's conversion). */
export function convertHfCheckpoint(configJson: unknown, weights: Uint8Array, options: HfConvertOptions = {}): HfConversion {
  const source = options.source ?? "checkpoint";
  const { config, modelType, checkpointPositions } = hfTransformerConfig(configJson, { ...options, source: `${source}/config.json` });
  const file = new SafetensorsReader(weights, `${source}/model.safetensors`);
  // GPT2LMHeadModel / GPTNeoForCausalLM save under "transformer."; GPT2Model / GPTNeoModel without a prefix.
  const prefix = file.has("transformer.wte.weight") ? "transformer." : "";
  const used = new Set<string>();
  const get = (name: string, shape: readonly number[]): HostTensor => {
    const t = file.get(name);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ArgumentError({ fn: "loadHfCheckpoint", argument: `${source}/model.safetensors["${name}"]`, received: `shape [${t.shape.join(", ")}]`, expected: `[${shape.join(", ")}] (from config.json)` });
    }
    used.add(name);
    return t;
  };
  const { nLayers: L, dModel: D, nHeads: H, dHead: E, dMlp: M, dVocab: V, nCtx: P } = config;
  const sd: StateDict = {};
  const wte = get(`${prefix}wte.weight`, [V, D]);
  sd["embed.W_E"] = wte; // [d_vocab, d_model]
  const wpe = get(`${prefix}wpe.weight`, [checkpointPositions, D]);
  sd["pos_embed.W_pos"] = { shape: [P, D], data: wpe.data.slice(0, P * D) }; // [n_ctx, d_model]
  const zeros = (shape: number[]): HostTensor => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  for (let l = 0; l < L; l++) {
    const h = `${prefix}h.${l}`;
    const b = `blocks.${l}`;
    sd[`${b}.ln1.w`] = get(`${h}.ln_1.weight`, [D]);
    sd[`${b}.ln1.b`] = get(`${h}.ln_1.bias`, [D]);
    sd[`${b}.ln2.w`] = get(`${h}.ln_2.weight`, [D]);
    sd[`${b}.ln2.b`] = get(`${h}.ln_2.bias`, [D]);
    if (modelType === "gpt2") {
      const w = get(`${h}.attn.c_attn.weight`, [D, 3 * D]).data; // [d_model, 3 d_model]: (q|k|v)(i h)
      const bias = get(`${h}.attn.c_attn.bias`, [3 * D]).data;
      ["Q", "K", "V"].forEach((name, part) => {
        sd[`${b}.attn.W_${name}`] = build([H, D, E], (i, m, e) => w[m * 3 * D + part * D + i * E + e]); // [head_index, d_model, d_head]
        sd[`${b}.attn.b_${name}`] = build([H, E], (i, e) => bias[part * D + i * E + e]); // [head_index, d_head]
      });
      sd[`${b}.attn.W_O`] = { shape: [H, E, D], data: get(`${h}.attn.c_proj.weight`, [D, D]).data }; // "(i h) m -> i h m": the same memory
      sd[`${b}.attn.b_O`] = get(`${h}.attn.c_proj.bias`, [D]);
      sd[`${b}.mlp.W_in`] = get(`${h}.mlp.c_fc.weight`, [D, M]); // [d_model, d_mlp]
      sd[`${b}.mlp.b_in`] = get(`${h}.mlp.c_fc.bias`, [M]);
      sd[`${b}.mlp.W_out`] = get(`${h}.mlp.c_proj.weight`, [M, D]); // [d_mlp, d_model]
      sd[`${b}.mlp.b_out`] = get(`${h}.mlp.c_proj.bias`, [D]);
    } else {
      const a = `${h}.attn.attention`;
      for (const [name, proj] of [["Q", "q_proj"], ["K", "k_proj"], ["V", "v_proj"]] as const) {
        if (file.has(`${a}.${proj}.bias`)) {
          throw new ArgumentError({ fn: "loadHfCheckpoint", argument: `${source}/model.safetensors["${a}.${proj}.bias"]`, received: "a bias", expected: "none (GPT-Neo's q/k/v projections have no bias)" });
        }
        const w = get(`${a}.${proj}.weight`, [D, D]).data; // [(i h), m]
        sd[`${b}.attn.W_${name}`] = build([H, D, E], (i, m, e) => w[(i * E + e) * D + m]); // [head_index, d_model, d_head]
        sd[`${b}.attn.b_${name}`] = zeros([H, E]); // [head_index, d_head]
      }
      const o = get(`${a}.out_proj.weight`, [D, D]).data; // [m, (i h)]
      sd[`${b}.attn.W_O`] = build([H, E, D], (i, e, m) => o[m * D + i * E + e]); // [head_index, d_head, d_model]
      sd[`${b}.attn.b_O`] = get(`${a}.out_proj.bias`, [D]);
      const fc = get(`${h}.mlp.c_fc.weight`, [M, D]).data; // [d_mlp, d_model]
      sd[`${b}.mlp.W_in`] = build([D, M], (m, j) => fc[j * D + m]); // [d_model, d_mlp]
      sd[`${b}.mlp.b_in`] = get(`${h}.mlp.c_fc.bias`, [M]);
      const proj = get(`${h}.mlp.c_proj.weight`, [D, M]).data; // [d_model, d_mlp]
      sd[`${b}.mlp.W_out`] = build([M, D], (j, m) => proj[m * M + j]); // [d_mlp, d_model]
      sd[`${b}.mlp.b_out`] = get(`${h}.mlp.c_proj.bias`, [D]);
    }
  }
  sd["ln_final.w"] = get(`${prefix}ln_f.weight`, [D]);
  sd["ln_final.b"] = get(`${prefix}ln_f.bias`, [D]);
  const tieFlag = (configJson as Json).tie_word_embeddings;
  const tied = !file.has("lm_head.weight") || tieFlag === true;
  const head = tied ? wte.data : get("lm_head.weight", [V, D]).data; // [d_vocab, d_model]
  if (file.has("lm_head.weight")) used.add("lm_head.weight");
  sd["unembed.W_U"] = build([D, V], (m, v) => head[v * D + m]); // [d_model, d_vocab]
  sd["unembed.b_U"] = zeros([V]); // [d_vocab]
  return { modelType, config, stateDict: sd, checkpointPositions, tied, unused: [...file.entries.keys()].filter((k) => !used.has(k)) };
}
