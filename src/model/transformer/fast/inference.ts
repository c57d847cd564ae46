/**
 * The transformer's forward pass on the fused kernels, for evaluation and
 * probing: logits and residual-stream activations (TransformerLens hook names)
 * of many sequences, in chunks of `chunkSeqs` sequences through one network.
 * Equal to src/model/transformer/forward.ts within float32 rounding (tested).
 */
import { ArgumentError, checkInteger, describe } from "../../../util/errors.js";
import type { TransformerConfig } from "../config.js";
import type { StateDict } from "../../types.js";
import { compileKernels, engineName, type KernelFlavour } from "../../../engine/fast/kernels.js";
import { packStateDict } from "./layout.js";
import { FastNetwork } from "./network.js";
import { fastModelSupport } from "./support.js";

export interface FastForwardOptions {
  readonly config: TransformerConfig;
  readonly params: StateDict;
  /**
   * Sequences per chunk (memory: about chunkSeqs * nCtx * (10 d_model + 2 d_mlp + d_vocab) floats per layer).
   * Default: as many as keep the network's activations within FAST_FORWARD_BYTES, at most 256.
   */
  readonly chunkSeqs?: number;
  readonly flavour?: KernelFlavour;
}

export interface FastForwardResult {
  /** [batch, pos, d_vocab] */
  readonly logits: Float32Array;
  /** Requested hooks, each [batch, pos, d_model]. */
  readonly activations: Record<string, Float32Array>;
}

export interface FastForward {
  readonly engine: string;
  /** Hook names run() can return for this config. */
  readonly hookNames: readonly string[];
  /** tokens [batch, nPos] (nPos <= nCtx). */
  run(tokens: Int32Array, batch: number, nPos: number, names?: readonly string[]): FastForwardResult;
  /** Replace the parameters (TransformerLens names). */
  setParams(params: StateDict): void;
  dispose(): void;
}

/** Bound on the activation buffers of one inference network (default chunkSeqs), bytes: 64 MiB. */
export const FAST_FORWARD_BYTES = 64 * 2 ** 20;

/** float32 activations the inference network holds per position (network.ts's buffers with training off). */
function floatsPerPosition(c: TransformerConfig): number {
  const D = c.dModel, HE = c.nHeads * c.dHead, F = c.attnOnly ? 0 : c.dMlp;
  const perLayer = (c.layerNorm ? D : 0) + 3 * HE + HE + (c.attnOnly ? 0 : D + (c.layerNorm ? D : 0) + 2 * F);
  return (c.nLayers + 1) * D + c.nLayers * perLayer + (c.layerNorm ? D : 0) + c.dVocab + 1;
}

/** Sequences per chunk within FAST_FORWARD_BYTES (at least 1, at most 256). */
export function defaultChunkSeqs(c: TransformerConfig): number {
  return Math.max(1, Math.min(256, Math.floor(FAST_FORWARD_BYTES / (4 * c.nCtx * floatsPerPosition(c)))));
}

type Site = { site: "resid_pre" | "resid_mid" | "ln_final"; layer: number };

function hookSites(c: TransformerConfig): Map<string, Site> {
  const m = new Map<string, Site>();
  for (let l = 0; l < c.nLayers; l++) {
    m.set(`blocks.${l}.hook_resid_pre`, { site: "resid_pre", layer: l });
    if (!c.attnOnly) m.set(`blocks.${l}.hook_resid_mid`, { site: "resid_mid", layer: l });
    m.set(`blocks.${l}.hook_resid_post`, { site: "resid_pre", layer: l + 1 });
  }
  if (c.layerNorm) m.set("ln_final.hook_normalized", { site: "ln_final", layer: 0 });
  return m;
}

export async function createFastForward(o: FastForwardOptions): Promise<FastForward> {
  const fn = "createFastForward";
  const support = fastModelSupport(o.config);
  if (!support.ok) throw new ArgumentError({ fn, argument: "config", received: support.reason, expected: "a model the fast engine implements" });
  const chunk = checkInteger(fn, "chunkSeqs", o.chunkSeqs ?? defaultChunkSeqs(o.config), 1, 1 << 16);
  const c = o.config;
  const compiled = await compileKernels(o.flavour);
  let net: FastNetwork | null = await FastNetwork.create(compiled, { config: c, maxSeqs: chunk, nPos: c.nCtx, training: false });
  packStateDict(c, net.layout, o.params, net.paramsView(), fn, "params");
  const sites = hookSites(c);
  const live = () => {
    if (!net) throw new Error(`${fn}: disposed`);
    return net;
  };
  return {
    engine: engineName(compiled.flavour),
    hookNames: [...sites.keys()],
    run(tokens, batch, nPos, names = []) {
      const f = "FastForward.run";
      checkInteger(f, "batch", batch, 0);
      checkInteger(f, "nPos", nPos, 1, c.nCtx);
      if (!(tokens instanceof Int32Array) || tokens.length !== batch * nPos) {
        throw new ArgumentError({ fn: f, argument: "tokens", received: describe(tokens), expected: `an Int32Array of batch * nPos = ${batch * nPos} tokens` });
      }
      for (let i = 0; i < tokens.length; i++) {
        if (!(tokens[i] >= 0 && tokens[i] < c.dVocab)) throw new ArgumentError({ fn: f, argument: `tokens[${i}]`, received: String(tokens[i]), expected: `a token id in [0, ${c.dVocab})` });
      }
      for (const name of names) {
        if (!sites.has(name)) throw new ArgumentError({ fn: f, argument: "names", received: JSON.stringify(name), expected: `one of ${[...sites.keys()].join(", ")}` });
      }
      const n = live();
      const D = c.dModel, V = c.dVocab;
      const logits = new Float32Array(batch * nPos * V);
      const activations: Record<string, Float32Array> = Object.fromEntries(names.map((name) => [name, new Float32Array(batch * nPos * D)]));
      for (let b0 = 0; b0 < batch; b0 += chunk) {
        const nSeq = Math.min(chunk, batch - b0);
        const rows = nSeq * nPos;
        n.setTokens(tokens.subarray(b0 * nPos, b0 * nPos + rows));
        n.forward(nSeq, nPos, nPos);
        logits.set(n.logitsView(rows), b0 * nPos * V);
        for (const name of names) {
          const s = sites.get(name)!;
          activations[name].set(n.residView(s.site, s.layer, rows), b0 * nPos * D);
        }
      }
      return { logits, activations };
    },
    setParams(params) {
      const n = live();
      packStateDict(c, n.layout, params, n.paramsView(), "FastForward.setParams", "params");
    },
    dispose() {
      net = null;
    },
  };
}
