/**
 * Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000),
 * as torch.nn.LSTM (gate order i, f, g, o in W_ih / W_hh):
 *   i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
 *   f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
 *   g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
 *   o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
 *   c_t = f_t * c_{t-1} + i_t * g_t        (rnn.{l}.hook_cell)
 *   h_t = o_t * tanh(c_t)                  (rnn.{l}.hook_hidden)
 */
import { nn, numpy as np } from "@jax-js/jax";
import type { RecurrentConfig } from "./config.js";
import { recurrentArchitecture, type RecurrentCell } from "./recurrent.js";

export const lstmCell: RecurrentCell = {
  gates: 4,
  hasCell: true,
  step(xProj, hProj, prev, gate) {
    const pre = xProj.add(hProj); // [batch, 4 * d_hidden]
    const i = nn.sigmoid(gate(pre.ref, 0)); // [batch, d_hidden]
    const f = nn.sigmoid(gate(pre.ref, 1));
    const g = np.tanh(gate(pre.ref, 2));
    const o = nn.sigmoid(gate(pre, 3));
    prev.h.dispose();
    const c = f.mul(prev.c!).add(i.mul(g)); // [batch, d_hidden]
    return { h: o.mul(np.tanh(c.ref)), c }; // [batch, d_hidden] each
  },
};

const defaults: RecurrentConfig = Object.freeze({ nLayers: 1, dHidden: 64, dEmbed: 64, nCtx: 10, dVocab: 3 });

/** Parameter counts for d_vocab 3 (the 1-layer / 2-layer transformers have 51,139 / 101,123). */
export const LSTM_PRESETS = {
  /** 1 layer of 64 (33,667 parameters): within 1% of the optimal loss on mess3 with the default recipe. */
  h64: {},
  /** About as many parameters as the 1-layer transformer "1l" (52,323); widths are multiples of 8 (see WIDTH_NOTE). */
  "like-1l": { dHidden: 80, dEmbed: 80 },
  /** About as many parameters as the 2-layer transformer "2l" (104,163). */
  "like-2l": { nLayers: 2, dHidden: 80, dEmbed: 80 },
  /** Tiny, for tests (2,275). */
  small: { dHidden: 16, dEmbed: 16 },
} as const satisfies Record<string, Partial<RecurrentConfig>>;

export const lstm = recurrentArchitecture({
  name: "lstm",
  title: "LSTM",
  description: "long short-term memory, as torch.nn.LSTM: fields nLayers, dHidden, dEmbed; hooks hook_embed, rnn.{l}.hook_cell, rnn.{l}.hook_hidden",
  cell: lstmCell,
  defaults,
  presets: LSTM_PRESETS,
  defaultPreset: "h64",
});
