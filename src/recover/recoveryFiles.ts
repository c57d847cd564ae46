/**
 * The safetensors files of a recovery, as bytes:
 *   probe.safetensors    the affine map from the site's activations to the recovered beliefs, in the one
 *                        probe-file layout (../probe/probeFile.ts) as a single unnamed site: "weight"
 *                        [d_features, n_states], "bias" [n_states], beliefs = activations @ weight + bias,
 *                        the hooks in the metadata;
 *   beliefs.safetensors  tokens [n, n_ctx] sampled from the model, the recovered beliefs after each token
 *                        [n, n_ctx, n_states], and the map's image of the activations [n, n_ctx, n_states].
 */
import { encodeProbeFile } from "../probe/probeFile.js";
import { encodeSafetensors } from "../util/safetensors.js";
import type { RecoveredHmm } from "./recoverHmm.js";

export function recoveryProbeFile(rec: RecoveredHmm): Uint8Array<ArrayBuffer> {
  return encodeProbeFile(
    { process: rec.hmm.name, nStates: rec.hmm.nStates, sites: [{ hooks: rec.map.site, weights: rec.map.weights, bias: rec.map.bias }] },
    { beliefs: "the recovered HMM's beliefs (recovered.json); beliefs.safetensors holds them and this map's image of the activations" },
  );
}

export function recoveryBeliefsFile(rec: RecoveredHmm, nCtx: number): Uint8Array<ArrayBuffer> {
  const S = rec.hmm.nStates;
  const n = rec.activationSequences;
  return encodeSafetensors(
    {
      tokens: { dtype: "I32", shape: [n, nCtx], data: rec.samples.tokens.slice(0, n * nCtx) }, // [n, n_ctx]
      beliefs: { dtype: "F64", shape: [n, nCtx, S], data: rec.beliefs.data }, // [n, n_ctx, n_states]
      mapped_activations: { dtype: "F64", shape: [n, nCtx, S], data: rec.mappedActivations.data }, // [n, n_ctx, n_states]
    },
    { description: "tokens sampled from the model; recovered beliefs after each token; the activation map's image of the activations (probe.safetensors applied to them)" },
  );
}
