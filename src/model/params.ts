/**
 * Parameter names, shapes and initialisation. Names are TransformerLens's
 * state-dict keys (embed.W_E, blocks.0.attn.W_Q, ...), so checkpoints load
 * into a HookedTransformer and users can look weights up by the names they know.
 * Initial values are drawn in plain TypeScript from a seeded Rng, so a seed
 * fixes the model independently of the numeric backend.
 */
import { Rng } from "../util/rng.js";
import type { TransformerConfig } from "./config.js";

export interface ParamSpec {
  readonly name: string;
  /** Shape with TransformerLens dimension names in the comment of each entry below. */
  readonly shape: readonly number[];
  /** fan_in for PyTorch-style uniform init, or the init kind. */
  readonly init: { readonly kind: "uniform"; readonly fanIn: number } | { readonly kind: "normal"; readonly std: number } | { readonly kind: "ones" | "zeros" };
}

/** Every parameter of a model with this config, in a fixed order. */
export function parameterSpecs(c: TransformerConfig): ParamSpec[] {
  const gpt2 = c.init === "gpt2";
  const weight = (fanIn: number): ParamSpec["init"] => (gpt2 ? { kind: "normal", std: 0.02 } : { kind: "uniform", fanIn });
  const bias = (fanIn: number): ParamSpec["init"] => (gpt2 ? { kind: "zeros" } : { kind: "uniform", fanIn });
  const specs: ParamSpec[] = [
    { name: "embed.W_E", shape: [c.dVocab, c.dModel], init: { kind: "normal", std: gpt2 ? 0.02 : 1 } }, // [d_vocab, d_model]
    { name: "pos_embed.W_pos", shape: [c.nCtx, c.dModel], init: { kind: "normal", std: 0.02 } }, // [n_ctx, d_model]
  ];
  const ln = (prefix: string) => {
    if (!c.layerNorm) return;
    specs.push({ name: `${prefix}.w`, shape: [c.dModel], init: { kind: "ones" } }); // [d_model]
    specs.push({ name: `${prefix}.b`, shape: [c.dModel], init: { kind: "zeros" } }); // [d_model]
  };
  for (let l = 0; l < c.nLayers; l++) {
    const b = `blocks.${l}`;
    ln(`${b}.ln1`);
    for (const m of ["Q", "K", "V"]) {
      specs.push({ name: `${b}.attn.W_${m}`, shape: [c.nHeads, c.dModel, c.dHead], init: weight(c.dModel) }); // [head_index, d_model, d_head]
      specs.push({ name: `${b}.attn.b_${m}`, shape: [c.nHeads, c.dHead], init: bias(c.dModel) }); // [head_index, d_head]
    }
    specs.push({ name: `${b}.attn.W_O`, shape: [c.nHeads, c.dHead, c.dModel], init: weight(c.nHeads * c.dHead) }); // [head_index, d_head, d_model]
    specs.push({ name: `${b}.attn.b_O`, shape: [c.dModel], init: bias(c.nHeads * c.dHead) }); // [d_model]
    if (!c.attnOnly) {
      ln(`${b}.ln2`);
      specs.push({ name: `${b}.mlp.W_in`, shape: [c.dModel, c.dMlp], init: weight(c.dModel) }); // [d_model, d_mlp]
      specs.push({ name: `${b}.mlp.b_in`, shape: [c.dMlp], init: bias(c.dModel) }); // [d_mlp]
      specs.push({ name: `${b}.mlp.W_out`, shape: [c.dMlp, c.dModel], init: weight(c.dMlp) }); // [d_mlp, d_model]
      specs.push({ name: `${b}.mlp.b_out`, shape: [c.dModel], init: bias(c.dMlp) }); // [d_model]
    }
  }
  ln("ln_final");
  specs.push({ name: "unembed.W_U", shape: [c.dModel, c.dVocab], init: weight(c.dModel) }); // [d_model, d_vocab]
  specs.push({ name: "unembed.b_U", shape: [c.dVocab], init: bias(c.dModel) }); // [d_vocab]
  return specs;
}

/** Host-side tensors: a state dict of Float32Arrays with shapes. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}
export type StateDict = Record<string, HostTensor>;

/** Draw initial parameters. Each parameter has its own stream, so adding one never changes another. */
export function initialStateDict(c: TransformerConfig, seed: number): StateDict {
  const out: StateDict = {};
  for (const spec of parameterSpecs(c)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const rng = new Rng(seed, "init", spec.name);
    const init = spec.init;
    if (init.kind === "ones") data.fill(1);
    else if (init.kind === "uniform") {
      // torch.nn.Linear: kaiming_uniform(a=sqrt(5)) on weights and the bias rule both give U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
      const bound = 1 / Math.sqrt(init.fanIn);
      for (let k = 0; k < n; k++) data[k] = (2 * rng.uniform() - 1) * bound;
    } else if (init.kind === "normal") {
      for (let k = 0; k < n; k++) data[k] = rng.normal() * init.std;
    }
    out[spec.name] = { shape: [...spec.shape], data };
  }
  return out;
}
