/**
 * Parameter names, shapes and initialisation. Names are TransformerLens's
 * state-dict keys (embed.W_E, blocks.0.attn.W_Q, ...), so checkpoints load
 * into a HookedTransformer and users can look weights up by the names they know.
 * Initial values are drawn in plain TypeScript from a seeded Rng, so a seed
 * fixes the model independently of the numeric backend.
 */
import { initialStateDictFromSpecs } from "../init.js";
import type { ParameterSpec, StateDict } from "../types.js";
import { transformerOptions, type TransformerConfig } from "./config.js";

export type { HostTensor, ParameterSpec, StateDict } from "../types.js";

/** Every parameter of a model with this config, in a fixed order. */
export function parameterSpecs(c: TransformerConfig): ParameterSpec[] {
  const gpt2 = c.init === "gpt2";
  const weight = (fanIn: number): ParameterSpec["init"] => (gpt2 ? { kind: "normal", std: 0.02 } : { kind: "uniform", fanIn });
  const bias = (fanIn: number): ParameterSpec["init"] => (gpt2 ? { kind: "zeros" } : { kind: "uniform", fanIn });
  const o = transformerOptions(c);
  const specs: ParameterSpec[] =
    o.tokenEmbedding === "per-position"
      ? [{ name: "embed.W_E_pos", shape: [c.nCtx, c.dVocab, c.dModel], init: { kind: "normal", std: gpt2 ? 0.02 : 1 } }] // [n_ctx, d_vocab, d_model]
      : [
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
    // A fixed pattern replaces queries and keys; 1 / n_ctx everywhere averages the keys at the last position.
    if (o.attention === "fixed") specs.push({ name: `${b}.attn.pattern`, shape: [c.nHeads, c.nCtx, c.nCtx], init: { kind: "constant", value: 1 / c.nCtx } }); // [head_index, query_pos, key_pos]
    for (const m of o.attention === "fixed" ? ["V"] : ["Q", "K", "V"]) {
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

/** Draw initial parameters. Each parameter has its own stream, so adding one never changes another. */
export function initialStateDict(c: TransformerConfig, seed: number): StateDict {
  return initialStateDictFromSpecs(parameterSpecs(c), seed);
}
