/**
 * The flat parameter layout of the fast engine. Parameters, gradients and
 * optimizer state share one layout, so clipping, reduction and the optimizer are
 * single passes over flat buffers. It differs from TransformerLens's tensors in
 * one place: W_Q, W_K, W_V [head_index, d_model, d_head] are stored together as
 * W_qkv [d_model, (q|k|v, head_index, d_head)] (and b_Q, b_K, b_V as b_qkv), so
 * one matrix product gives every head's queries, keys and values. pack/unpack
 * convert to and from state dicts with TransformerLens names.
 */
import { ArgumentError } from "../../../util/errors.js";
import type { TransformerConfig } from "../config.js";
import type { HostTensor, StateDict } from "../../types.js";
import { padded } from "../../../engine/fast/arena.js";

/** Float offsets of one block's tensors in the flat buffer (-1 where absent). */
export interface BlockOffsets {
  readonly ln1w: number;
  readonly ln1b: number;
  /** [d_model, 3 * n_heads * d_head] */
  readonly Wqkv: number;
  /** [3 * n_heads * d_head] */
  readonly bqkv: number;
  /** [n_heads * d_head, d_model] (TransformerLens's W_O [head_index, d_head, d_model] as is) */
  readonly WO: number;
  readonly bO: number;
  readonly ln2w: number;
  readonly ln2b: number;
  /** [d_model, d_mlp] */
  readonly Win: number;
  readonly bin: number;
  /** [d_mlp, d_model] */
  readonly Wout: number;
  readonly bout: number;
}

export interface ParamLayout {
  /** Floats in the flat buffer (a multiple of 4; gaps between tensors are zero). */
  readonly size: number;
  /** [d_vocab, d_model] */
  readonly WE: number;
  /** [n_ctx, d_model] */
  readonly Wpos: number;
  readonly blocks: readonly BlockOffsets[];
  readonly lnfw: number;
  readonly lnfb: number;
  /** [d_model, d_vocab] */
  readonly WU: number;
  readonly bU: number;
  /** TransformerLens names in parameterSpecs order with their shapes. */
  readonly names: readonly { readonly name: string; readonly shape: readonly number[] }[];
}

export function paramLayout(c: TransformerConfig): ParamLayout {
  let top = 0;
  const take = (n: number): number => {
    const at = top;
    top += padded(n);
    return at;
  };
  const D = c.dModel, HE = c.nHeads * c.dHead, F = c.dMlp;
  const WE = take(c.dVocab * D);
  const Wpos = take(c.nCtx * D);
  const blocks: BlockOffsets[] = [];
  for (let l = 0; l < c.nLayers; l++) {
    const ln1w = c.layerNorm ? take(D) : -1;
    const ln1b = c.layerNorm ? take(D) : -1;
    const Wqkv = take(D * 3 * HE);
    const bqkv = take(3 * HE);
    const WO = take(HE * D);
    const bO = take(D);
    const mlp = !c.attnOnly;
    const ln2w = mlp && c.layerNorm ? take(D) : -1;
    const ln2b = mlp && c.layerNorm ? take(D) : -1;
    const Win = mlp ? take(D * F) : -1;
    const bin = mlp ? take(F) : -1;
    const Wout = mlp ? take(F * D) : -1;
    const bout = mlp ? take(D) : -1;
    blocks.push({ ln1w, ln1b, Wqkv, bqkv, WO, bO, ln2w, ln2b, Win, bin, Wout, bout });
  }
  const lnfw = c.layerNorm ? take(D) : -1;
  const lnfb = c.layerNorm ? take(D) : -1;
  const WU = take(D * c.dVocab);
  const bU = take(c.dVocab);
  return { size: top, WE, Wpos, blocks, lnfw, lnfb, WU, bU, names: tensorNames(c) };
}

/**
 * TransformerLens parameter names and shapes, in the order of
 * src/model/transformer/params.ts parameterSpecs (kept here so the engine layer
 * imports no model code; test/engine checks the two agree).
 */
export function tensorNames(c: TransformerConfig): { name: string; shape: number[] }[] {
  const D = c.dModel, H = c.nHeads, E = c.dHead, F = c.dMlp;
  const out = [
    { name: "embed.W_E", shape: [c.dVocab, D] },
    { name: "pos_embed.W_pos", shape: [c.nCtx, D] },
  ];
  const ln = (prefix: string) => {
    if (c.layerNorm) out.push({ name: `${prefix}.w`, shape: [D] }, { name: `${prefix}.b`, shape: [D] });
  };
  for (let l = 0; l < c.nLayers; l++) {
    const b = `blocks.${l}`;
    ln(`${b}.ln1`);
    for (const m of ["Q", "K", "V"]) out.push({ name: `${b}.attn.W_${m}`, shape: [H, D, E] }, { name: `${b}.attn.b_${m}`, shape: [H, E] });
    out.push({ name: `${b}.attn.W_O`, shape: [H, E, D] }, { name: `${b}.attn.b_O`, shape: [D] });
    if (!c.attnOnly) {
      ln(`${b}.ln2`);
      out.push({ name: `${b}.mlp.W_in`, shape: [D, F] }, { name: `${b}.mlp.b_in`, shape: [F] }, { name: `${b}.mlp.W_out`, shape: [F, D] }, { name: `${b}.mlp.b_out`, shape: [D] });
    }
  }
  ln("ln_final");
  out.push({ name: "unembed.W_U", shape: [D, c.dVocab] }, { name: "unembed.b_U", shape: [c.dVocab] });
  return out;
}

type Place = { kind: "copy"; at: number } | { kind: "qkvW" | "qkvB"; at: number; which: number };

/** Where each TransformerLens tensor lives in the flat layout. */
function placeOf(c: TransformerConfig, L: ParamLayout, name: string): Place {
  if (name === "embed.W_E") return { kind: "copy", at: L.WE };
  if (name === "pos_embed.W_pos") return { kind: "copy", at: L.Wpos };
  if (name === "ln_final.w") return { kind: "copy", at: L.lnfw };
  if (name === "ln_final.b") return { kind: "copy", at: L.lnfb };
  if (name === "unembed.W_U") return { kind: "copy", at: L.WU };
  if (name === "unembed.b_U") return { kind: "copy", at: L.bU };
  const m = /^blocks\.(\d+)\.(.+)$/.exec(name);
  if (!m) throw new Error(`fast engine: no place for parameter ${name}`);
  const b = L.blocks[Number(m[1])];
  const which = { Q: 0, K: 1, V: 2 } as const;
  switch (m[2]) {
    case "ln1.w": return { kind: "copy", at: b.ln1w };
    case "ln1.b": return { kind: "copy", at: b.ln1b };
    case "ln2.w": return { kind: "copy", at: b.ln2w };
    case "ln2.b": return { kind: "copy", at: b.ln2b };
    case "attn.W_Q": case "attn.W_K": case "attn.W_V":
      return { kind: "qkvW", at: b.Wqkv, which: which[m[2].slice(-1) as "Q"] };
    case "attn.b_Q": case "attn.b_K": case "attn.b_V":
      return { kind: "qkvB", at: b.bqkv, which: which[m[2].slice(-1) as "Q"] };
    case "attn.W_O": return { kind: "copy", at: b.WO };
    case "attn.b_O": return { kind: "copy", at: b.bO };
    case "mlp.W_in": return { kind: "copy", at: b.Win };
    case "mlp.b_in": return { kind: "copy", at: b.bin };
    case "mlp.W_out": return { kind: "copy", at: b.Wout };
    case "mlp.b_out": return { kind: "copy", at: b.bout };
  }
  throw new Error(`fast engine: no place for parameter ${name}`);
}

/**
 * Write a state dict (TransformerLens names) into `flat` (the layout's order).
 * `prefix` selects optimizer-state entries ("m/" etc.). Throws ArgumentError
 * naming a missing or misshapen tensor.
 */
export function packStateDict(c: TransformerConfig, L: ParamLayout, dict: Record<string, HostTensor>, flat: Float32Array, fn: string, argument: string, prefix = ""): void {
  const H = c.nHeads, D = c.dModel, E = c.dHead, HE = H * E;
  for (const { name, shape } of L.names) {
    const t = dict[prefix + name];
    const n = shape.reduce((a, b) => a * b, 1);
    if (!t || !(t.data instanceof Float32Array) || t.data.length !== n || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ArgumentError({
        fn,
        argument: `${argument}["${prefix + name}"]`,
        received: t ? `shape [${t.shape.join(", ")}] with ${t.data?.length} values` : "nothing",
        expected: `a Float32Array tensor of shape [${shape.join(", ")}]`,
      });
    }
    const p = placeOf(c, L, name);
    if (p.kind === "copy") flat.set(t.data, p.at);
    else if (p.kind === "qkvB") flat.set(t.data, p.at + p.which * HE);
    else {
      // W_X[h, d, e] -> W_qkv[d, which * HE + h * E + e]
      for (let h = 0; h < H; h++) {
        for (let d = 0; d < D; d++) {
          flat.set(t.data.subarray(h * D * E + d * E, h * D * E + (d + 1) * E), p.at + d * 3 * HE + p.which * HE + h * E);
        }
      }
    }
  }
}

/** Read a state dict (TransformerLens names, fresh arrays) out of `flat`. */
export function unpackStateDict(c: TransformerConfig, L: ParamLayout, flat: Float32Array, prefix = ""): Record<string, HostTensor> {
  const H = c.nHeads, D = c.dModel, E = c.dHead, HE = H * E;
  const out: Record<string, HostTensor> = {};
  for (const { name, shape } of L.names) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const p = placeOf(c, L, name);
    if (p.kind === "copy") data.set(flat.subarray(p.at, p.at + n));
    else if (p.kind === "qkvB") data.set(flat.subarray(p.at + p.which * HE, p.at + p.which * HE + n));
    else {
      for (let h = 0; h < H; h++) {
        for (let d = 0; d < D; d++) {
          const from = p.at + d * 3 * HE + p.which * HE + h * E;
          data.set(flat.subarray(from, from + E), h * D * E + d * E);
        }
      }
    }
    out[prefix + name] = { shape: [...shape], data };
  }
  return out;
}

/** StateDict view of unpackStateDict without a prefix. */
export function unpackParams(c: TransformerConfig, L: ParamLayout, flat: Float32Array): StateDict {
  return unpackStateDict(c, L, flat);
}
