/**
 * One network's forward and backward pass on the fused kernels: the transformer
 * of src/model/transformer/forward.ts (pre-LN, TransformerLens layout) and the
 * next-token objective of src/train/objective.ts, for up to `maxSeqs` sequences
 * of `nPos` positions, in one wasm instance whose memory holds the flat
 * parameters, gradients, optimizer state, activations and scratch. About 30
 * kernel calls per layer per step; nothing is allocated per step.
 */
import type { TransformerConfig } from "../config.js";
import { Arena } from "../../../engine/fast/arena.js";
import { instantiateKernels, type CompiledKernels, type KernelExports } from "../../../engine/fast/kernels.js";
import { paramLayout, type ParamLayout } from "./layout.js";

/** TransformerLens's LayerNorm epsilon (as forward.ts). */
const LN_EPS = 1e-5;
const ACTIVATION_KIND = { gelu: 0, "gelu-tanh": 1, relu: 2, silu: 3 } as const;

/** Byte offsets of one block's saved activations (M = sequences * positions). */
interface LayerBuffers {
  x1: number; // LayerNorm-1 output [M, d_model] (= resid_pre when no LayerNorm)
  stats1: number; // [M, 2] mean, scale
  qkv: number; // [M, 3 * n_heads * d_head]
  z: number; // [M, n_heads * d_head]
  mid: number; // resid_mid [M, d_model]
  x2: number; // LayerNorm-2 output [M, d_model] (0 without LayerNorm: the MLP reads resid_mid)
  stats2: number; // [M, 2]
  /** hook_pre [M, d_mlp], overwritten in place by the activation's derivative at it. */
  pre: number;
  post: number; // [M, d_mlp]
}

export interface NetworkOptions {
  readonly config: TransformerConfig;
  /** Most sequences per pass. */
  readonly maxSeqs: number;
  /** Positions per sequence (<= nCtx). */
  readonly nPos: number;
  /** Names of flat optimizer-state buffers shaped like the parameters, e.g. ["m", "v"]. */
  readonly stateNames?: readonly string[];
  /** false: forward only (no gradients or backward buffers; forward() with any nPos <= this nPos). Default true. */
  readonly training?: boolean;
  /** Reserve a parameter-sized scratch buffer (`scratch`) for summing gradients of other threads. */
  readonly reduceScratch?: boolean;
  /** Accumulate milliseconds per kernel here (bench breakdowns; adds a timer call per kernel call). */
  readonly profile?: Map<string, number>;
}

function profiled(k: KernelExports, into: Map<string, number>): KernelExports {
  const out: Record<string, unknown> = { memory: k.memory };
  for (const [name, f] of Object.entries(k)) {
    if (typeof f !== "function") continue;
    out[name] = (...args: number[]) => {
      const t = performance.now();
      const r = (f as (...a: number[]) => number)(...args);
      into.set(name, (into.get(name) ?? 0) + performance.now() - t);
      return r;
    };
  }
  return out as unknown as KernelExports;
}

export class FastNetwork {
  readonly config: TransformerConfig;
  readonly layout: ParamLayout;
  readonly maxSeqs: number;
  readonly nPos: number;
  /** Byte offsets of the flat buffers. */
  readonly params: number;
  readonly grads: number;
  readonly state: Readonly<Record<string, number>>;
  /** A parameter-sized scratch buffer (0 unless reduceScratch). */
  readonly scratch: number;
  /** i32 tokens [maxSeqs, nPos + 1]. */
  readonly tokens: number;
  /** Bytes of wasm memory this network holds. */
  readonly memoryBytes: number;

  private readonly k: KernelExports;
  /** resid[l]: blocks.l.hook_resid_pre [M, d_model]; resid[nLayers]: the final residual. */
  private readonly resid: number[];
  private readonly layers: LayerBuffers[];
  private readonly xf: number;
  private readonly statsf: number;
  private readonly logits: number;
  private readonly dLogits: number;
  private readonly dResid: number;
  private readonly dX: number;
  private readonly dBig: number;
  private readonly dZ: number;
  private readonly dQKV: number;
  private readonly weightT: number;
  private readonly attnScratch: number;
  private f32: Float32Array;

  private constructor(k: KernelExports, o: NetworkOptions) {
    const c = o.config;
    this.k = k;
    this.config = c;
    this.maxSeqs = o.maxSeqs;
    this.nPos = o.nPos;
    this.layout = paramLayout(c);
    const arena = new Arena();
    const P = this.layout.size;
    const training = o.training ?? true;
    this.params = arena.alloc(P);
    this.grads = training ? arena.alloc(P) : 0;
    const state: Record<string, number> = {};
    for (const s of o.stateNames ?? []) state[s] = arena.alloc(P);
    this.state = state;
    this.scratch = o.reduceScratch ? arena.alloc(P) : 0;
    const M = o.maxSeqs * o.nPos;
    const D = c.dModel, HE = c.nHeads * c.dHead, F = c.dMlp;
    this.tokens = arena.alloc(o.maxSeqs * (o.nPos + 1));
    this.resid = [];
    for (let l = 0; l <= c.nLayers; l++) this.resid.push(arena.alloc(M * D));
    this.layers = [];
    for (let l = 0; l < c.nLayers; l++) {
      const mlp = !c.attnOnly;
      this.layers.push({
        x1: c.layerNorm ? arena.alloc(M * D) : this.resid[l],
        stats1: c.layerNorm ? arena.alloc(2 * M) : 0,
        qkv: arena.alloc(M * 3 * HE),
        z: arena.alloc(M * HE),
        mid: mlp ? arena.alloc(M * D) : 0,
        x2: mlp && c.layerNorm ? arena.alloc(M * D) : 0,
        stats2: mlp && c.layerNorm ? arena.alloc(2 * M) : 0,
        pre: mlp ? arena.alloc(M * F) : 0,
        post: mlp ? arena.alloc(M * F) : 0,
      });
    }
    this.xf = c.layerNorm ? arena.alloc(M * D) : this.resid[c.nLayers];
    this.statsf = c.layerNorm ? arena.alloc(2 * M) : 0;
    this.logits = arena.alloc(M * c.dVocab);
    const backward = (floats: number) => (training ? arena.alloc(floats) : 0);
    this.dLogits = backward(M * c.dVocab);
    this.dResid = backward(M * D);
    this.dX = backward(M * D);
    this.dBig = c.attnOnly ? 0 : backward(M * F);
    this.dZ = backward(M * HE);
    this.dQKV = backward(M * 3 * HE);
    this.weightT = backward(Math.max(3 * HE * D, c.attnOnly ? 0 : F * D, c.dVocab * D));
    this.attnScratch = arena.alloc(k.attentionScratch(o.nPos, c.dHead));
    arena.commit(k.memory);
    this.memoryBytes = k.memory.buffer.byteLength;
    this.f32 = new Float32Array(k.memory.buffer);
  }

  static async create(compiled: CompiledKernels, o: NetworkOptions): Promise<FastNetwork> {
    const k = await instantiateKernels(compiled);
    return new FastNetwork(o.profile ? profiled(k, o.profile) : k, o);
  }

  /** A Float32Array view of `floats` floats at byte offset `at` (valid until the next call that grows memory: none does). */
  view(at: number, floats: number): Float32Array {
    if (this.f32.buffer !== this.k.memory.buffer) this.f32 = new Float32Array(this.k.memory.buffer);
    return this.f32.subarray(at >> 2, (at >> 2) + floats);
  }
  paramsView(): Float32Array {
    return this.view(this.params, this.layout.size);
  }
  gradsView(): Float32Array {
    return this.view(this.grads, this.layout.size);
  }
  stateView(name: string): Float32Array {
    return this.view(this.state[name], this.layout.size);
  }

  /** Copy nSeq rows of nPos + 1 tokens ([nSeq, nPos + 1], row-major) into the token buffer. */
  setTokens(tokens: Int32Array): void {
    if (tokens.length > this.maxSeqs * (this.nPos + 1)) throw new Error(`fast engine: ${tokens.length} tokens exceed the network's buffer`);
    new Int32Array(this.k.memory.buffer, this.tokens, tokens.length).set(tokens);
  }

  /** The kernels, for the optimizer and reductions over this network's flat buffers. */
  get kernels(): KernelExports {
    return this.k;
  }

  /**
   * Forward and backward on the first nSeq sequences of the token buffer. Writes
   * the gradient of gradScale * (summed next-token cross-entropy) into `grads`
   * and returns the summed cross-entropy (nats) of these nSeq * nPos predictions.
   */
  forwardBackward(nSeq: number, gradScale: number): number {
    const T = this.nPos;
    this.forward(nSeq, T, T + 1);
    const nll = this.k.crossEntropy(this.logits, nSeq, T, this.config.dVocab, this.tokens, T + 1, this.dLogits, gradScale);
    this.backward(nSeq);
    return nll;
  }

  /**
   * The forward pass on the first nSeq rows of the token buffer (row stride
   * tokStride, T <= nPos positions each): logits and the residual streams
   * stay in the network's buffers (logitsView, residView).
   */
  forward(nSeq: number, T: number, tokStride: number): void {
    const { k, config: c, layout: L } = this;
    const p = (off: number) => this.params + 4 * off;
    const M = nSeq * T, D = c.dModel, H = c.nHeads, E = c.dHead, HE = H * E, F = c.dMlp, V = c.dVocab;
    const scale = 1 / Math.sqrt(E);
    k.embedForward(this.tokens, nSeq, T, tokStride, p(L.WE), p(L.Wpos), D, this.resid[0]); // [batch, pos, d_model]
    for (let l = 0; l < c.nLayers; l++) {
      const b = L.blocks[l], a = this.layers[l];
      if (c.layerNorm) k.layerNormForward(this.resid[l], a.x1, M, D, p(b.ln1w), p(b.ln1b), a.stats1, LN_EPS);
      k.matmul(a.x1, D, 1, p(b.Wqkv), 3 * HE, a.qkv, 3 * HE, M, 3 * HE, D, p(b.bqkv), 0, 0); // [batch, pos, 3, head_index, d_head]
      k.attentionForward(a.qkv, a.z, nSeq, T, H, E, scale, this.attnScratch); // z [batch, pos, head_index, d_head]
      const mid = c.attnOnly ? this.resid[l + 1] : a.mid;
      k.matmul(a.z, HE, 1, p(b.WO), D, mid, D, M, D, HE, p(b.bO), this.resid[l], D); // resid + attn_out [batch, pos, d_model]
      if (c.attnOnly) continue;
      const x2 = c.layerNorm ? a.x2 : a.mid;
      if (c.layerNorm) k.layerNormForward(a.mid, a.x2, M, D, p(b.ln2w), p(b.ln2b), a.stats2, LN_EPS);
      k.matmul(x2, D, 1, p(b.Win), F, a.pre, F, M, F, D, p(b.bin), 0, 0); // [batch, pos, d_mlp]
      k.activationForward(ACTIVATION_KIND[c.activation], a.pre, a.post, a.pre, M * F); // post, and f'(pre) in place of pre
      k.matmul(a.post, F, 1, p(b.Wout), D, this.resid[l + 1], D, M, D, F, p(b.bout), a.mid, D); // [batch, pos, d_model]
    }
    if (c.layerNorm) k.layerNormForward(this.resid[c.nLayers], this.xf, M, D, p(L.lnfw), p(L.lnfb), this.statsf, LN_EPS);
    k.matmul(this.xf, D, 1, p(L.WU), V, this.logits, V, M, V, D, p(L.bU), 0, 0); // [batch, pos, d_vocab]
  }

  /** Logits of the last forward pass over `rows` positions: [rows, d_vocab]. */
  logitsView(rows: number): Float32Array {
    return this.view(this.logits, rows * this.config.dVocab);
  }

  /**
   * A residual-stream site of the last forward pass over `rows` positions, [rows, d_model]:
   * "resid_pre" of block l (l = nLayers: the final residual, before ln_final),
   * "resid_mid" of block l (blocks with an MLP), or "ln_final" (its normalized output).
   */
  residView(site: "resid_pre" | "resid_mid" | "ln_final", l: number, rows: number): Float32Array {
    const D = this.config.dModel;
    if (site === "resid_pre") return this.view(this.resid[l], rows * D);
    if (site === "resid_mid") return this.view(this.layers[l].mid, rows * D);
    return this.view(this.xf, rows * D);
  }

  private backward(nSeq: number): void {
    const { k, config: c, layout: L } = this;
    const p = (off: number) => this.params + 4 * off;
    const g = (off: number) => this.grads + 4 * off;
    const T = this.nPos, M = nSeq * T, D = c.dModel, H = c.nHeads, E = c.dHead, HE = H * E, F = c.dMlp, V = c.dVocab;
    const scale = 1 / Math.sqrt(E);
    const Wt = this.weightT, dR = this.dResid, dX = this.dX;

    // Unembedding: dW_U = xf^T dLogits, db_U = sum dLogits, dxf = dLogits W_U^T.
    k.colSum(this.dLogits, M, V, V, g(L.bU));
    k.matmul(this.xf, 1, D, this.dLogits, V, g(L.WU), V, D, V, M, 0, 0, 0);
    k.transpose(p(L.WU), D, V, V, Wt, D); // [d_vocab, d_model]
    if (c.layerNorm) {
      k.matmul(this.dLogits, V, 1, Wt, D, dX, D, M, D, V, 0, 0, 0);
      this.view(dR, M * D).fill(0);
      k.layerNormBackward(this.resid[c.nLayers], dX, dR, M, D, p(L.lnfw), this.statsf, g(L.lnfw), g(L.lnfb));
    } else {
      k.matmul(this.dLogits, V, 1, Wt, D, dR, D, M, D, V, 0, 0, 0);
    }

    for (let l = c.nLayers - 1; l >= 0; l--) {
      const b = L.blocks[l], a = this.layers[l];
      if (!c.attnOnly) {
        const x2 = c.layerNorm ? a.x2 : a.mid;
        k.colSum(dR, M, D, D, g(b.bout));
        k.matmul(a.post, 1, F, dR, D, g(b.Wout), D, F, D, M, 0, 0, 0); // post^T dResid [d_mlp, d_model]
        k.transpose(p(b.Wout), F, D, D, Wt, F); // [d_model, d_mlp]
        k.matmul(dR, D, 1, Wt, F, this.dBig, F, M, F, D, 0, 0, 0); // d post [batch, pos, d_mlp]
        k.activationBackward(a.pre, this.dBig, this.dBig, M * F); // d pre = d post * f'(pre)
        k.colSum(this.dBig, M, F, F, g(b.bin));
        k.matmul(x2, 1, D, this.dBig, F, g(b.Win), F, D, F, M, 0, 0, 0); // [d_model, d_mlp]
        k.transpose(p(b.Win), D, F, F, Wt, D); // [d_mlp, d_model]
        if (c.layerNorm) {
          k.matmul(this.dBig, F, 1, Wt, D, dX, D, M, D, F, 0, 0, 0);
          k.layerNormBackward(a.mid, dX, dR, M, D, p(b.ln2w), a.stats2, g(b.ln2w), g(b.ln2b));
        } else {
          k.matmul(this.dBig, F, 1, Wt, D, dR, D, M, D, F, 0, dR, D);
        }
      }
      k.colSum(dR, M, D, D, g(b.bO));
      k.matmul(a.z, 1, HE, dR, D, g(b.WO), D, HE, D, M, 0, 0, 0); // z^T dResid [head_index * d_head, d_model]
      k.transpose(p(b.WO), HE, D, D, Wt, HE); // [d_model, head_index * d_head]
      k.matmul(dR, D, 1, Wt, HE, this.dZ, HE, M, HE, D, 0, 0, 0); // dz [batch, pos, head_index, d_head]
      k.attentionBackward(a.qkv, this.dZ, this.dQKV, nSeq, T, H, E, scale, this.attnScratch);
      k.colSum(this.dQKV, M, 3 * HE, 3 * HE, g(b.bqkv));
      k.matmul(a.x1, 1, D, this.dQKV, 3 * HE, g(b.Wqkv), 3 * HE, D, 3 * HE, M, 0, 0, 0); // [d_model, 3 * head_index * d_head]
      k.transpose(p(b.Wqkv), D, 3 * HE, 3 * HE, Wt, D); // [3 * head_index * d_head, d_model]
      if (c.layerNorm) {
        k.matmul(this.dQKV, 3 * HE, 1, Wt, D, dX, D, M, D, 3 * HE, 0, 0, 0);
        k.layerNormBackward(this.resid[l], dX, dR, M, D, p(b.ln1w), a.stats1, g(b.ln1w), g(b.ln1b));
      } else {
        k.matmul(this.dQKV, 3 * HE, 1, Wt, D, dR, D, M, D, 3 * HE, 0, dR, D);
      }
    }
    k.embedBackward(this.tokens, nSeq, T, T + 1, dR, D, g(L.WE), V, g(L.Wpos), c.nCtx);
  }
}
