/**
 * Gated recurrent unit (Cho et al. 2014, "Learning phrase representations using RNN
 * encoder-decoder"), as torch.nn.GRU (gate order r, z, n in W_ih / W_hh):
 *   r_t = sigmoid(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
 *   z_t = sigmoid(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
 *   n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))
 *   h_t = (1 - z_t) * n_t + z_t * h_{t-1}
 */
import { nn, numpy as np } from "@jax-js/jax";
import type { RecurrentConfig } from "./config.js";
import { recurrentArchitecture, type RecurrentCell } from "./recurrent.js";

export const gruCell: RecurrentCell = {
  gates: 3,
  hasCell: false,
  step(xProj, hProj, prev, gate) {
    const r = nn.sigmoid(gate(xProj.ref, 0).add(gate(hProj.ref, 0))); // [batch, d_hidden]
    const z = nn.sigmoid(gate(xProj.ref, 1).add(gate(hProj.ref, 1))); // [batch, d_hidden]
    const n = np.tanh(gate(xProj, 2).add(r.mul(gate(hProj, 2)))); // [batch, d_hidden]
    // (1 - z) n + z h = n + z (h - n)
    return { h: n.ref.add(z.mul(prev.h.sub(n))) }; // [batch, d_hidden]
  },
};

const defaults: RecurrentConfig = Object.freeze({ nLayers: 1, dHidden: 64, dEmbed: 64, nCtx: 10, dVocab: 3 });

/** Parameter counts for d_vocab 3 (the 1-layer / 2-layer transformers have 51,139 / 101,123). */
export const GRU_PRESETS = {
  /** 1 layer of 64 (25,347 parameters): within 1% of the optimal loss on mess3 with the default recipe. */
  h64: {},
  /** About as many parameters as the 1-layer transformer "1l" (47,523); widths are multiples of 8 (see WIDTH_NOTE). */
  "like-1l": { dHidden: 88, dEmbed: 88 },
  /** About as many parameters as the 2-layer transformer "2l" (94,515). */
  "like-2l": { nLayers: 2, dHidden: 88, dEmbed: 88 },
  /** Tiny, for tests (1,731). */
  small: { dHidden: 16, dEmbed: 16 },
} as const satisfies Record<string, Partial<RecurrentConfig>>;

export const gru = recurrentArchitecture({
  name: "gru",
  title: "GRU",
  description: "gated recurrent unit, as torch.nn.GRU: fields nLayers, dHidden, dEmbed; hooks hook_embed, rnn.{l}.hook_hidden",
  cell: gruCell,
  defaults,
  presets: GRU_PRESETS,
  defaultPreset: "h64",
});
