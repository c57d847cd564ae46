/**
 * Selective state-space model, after Mamba (Gu & Dao 2023, "Mamba: linear-time sequence modeling
 * with selective state spaces"): a diagonal linear recurrence whose decay and input gate depend on
 * the token. Each layer (Mamba's mixer without its short causal convolution and RMSNorm) maps the
 * residual stream x_t [d_model] as
 *
 *   [u_t, z_t] = x_t W_in                          u_t, z_t [d_inner]
 *   u_t <- silu(u_t)
 *   [dt_t, B_t, C_t] = u_t W_x                     dt_t [dt_rank], B_t, C_t [d_state]
 *   delta_t = softplus(dt_t W_dt + b_dt)           [d_inner]   (ssm.{l}.hook_delta)
 *   A = -exp(A_log)                                [d_inner, d_state]
 *   h_t = exp(delta_t A) * h_{t-1} + (delta_t u_t) B_t^T      [d_inner, d_state], h_0 = 0
 *   y_t = h_t C_t + D * u_t                        [d_inner]
 *   x_{l+1,t} = x_{l,t} + (y_t * silu(z_t)) W_out  (ssm.{l}.hook_out is the added term)
 *
 * so exp(delta_t A) is a token-dependent decay and delta_t B_t a token-dependent input gate
 * (Mamba's zero-order-hold discretisation, with its simplified B). Names map to a Mamba mixer:
 * W_in = in_proj.weight^T [d_model, 2 d_inner], W_x = x_proj.weight^T [d_inner, dt_rank + 2 d_state],
 * W_dt = dt_proj.weight^T [dt_rank, d_inner], b_dt = dt_proj.bias, A_log, D, W_out = out_proj.weight^T.
 * Initialisation as Mamba's, except A_log ~ U(0, log d_state) (Mamba: log(1..d_state) per column).
 *
 * Hooks: hook_embed [batch, pos, d_model]; ssm.{l}.hook_delta [batch, pos, d_inner];
 * ssm.{l}.hook_hidden [batch, pos, d_inner * d_state] (h_t flattened, d_state fastest);
 * ssm.{l}.hook_out and ssm.{l}.hook_resid_post [batch, pos, d_model]. Probe sites: the embedding
 * and each layer's resid_post.
 *
 * Unrolling: the decay varies with the token, so there is no fixed kernel; the recurrence is a
 * JavaScript loop over positions (jax-js has no scan) of elementwise ops on [batch, d_inner,
 * d_state] (the projections of all positions are computed before it). The traced program grows
 * linearly with n_ctx; contexts above 64 warn. Measured costs: see ../rnn/recurrent.ts.
 */
import { nn, numpy as np } from "@jax-js/jax";
import { checkInteger } from "../../util/errors.js";
import type { Architecture, HookFn, Params } from "../architecture.js";
import type { ParameterSpec } from "../types.js";
import { checkUnrolledContext, completeConfig } from "../rnn/config.js";
import { embedTokens, stackPositions, unstackPositions, warnLongUnroll } from "../rnn/recurrent.js";
import { ssmLayerSites } from "./linearRnn.js";

export interface SelectiveSsmConfig {
  readonly nLayers: number;
  /** Width of the embedding and residual stream. */
  readonly dModel: number;
  /** Width inside a layer (Mamba: 2 d_model). */
  readonly dInner: number;
  /** State size per inner channel (Mamba: 16). */
  readonly dState: number;
  /** Rank of the step-size projection (Mamba: ceil(d_model / 16)). */
  readonly dtRank: number;
  readonly nCtx: number;
  readonly dVocab: number;
}

const defaults: SelectiveSsmConfig = Object.freeze({ nLayers: 1, dModel: 64, dInner: 128, dState: 16, dtRank: 4, nCtx: 10, dVocab: 3 });

/** Parameter counts for d_vocab 3 (the 1-layer / 2-layer transformers have 51,139 / 101,123). */
export const SELECTIVE_SSM_PRESETS = {
  /** 1 layer, d_model 64, d_inner 128, d_state 16 (32,387 parameters). */
  d64: {},
  /** About as many parameters as the 1-layer transformer "1l": d_model 80, d_inner 160 (48,483; widths multiples of 8, see ../rnn/config.ts WIDTH_NOTE). */
  "like-1l": { dModel: 80, dInner: 160, dtRank: 5 },
  /** About as many parameters as the 2-layer transformer "2l": 2 layers of the above (96,483). */
  "like-2l": { nLayers: 2, dModel: 80, dInner: 160, dtRank: 5 },
  /** Tiny, for tests. */
  small: { dModel: 8, dInner: 16, dState: 4, dtRank: 2 },
} as const satisfies Record<string, Partial<SelectiveSsmConfig>>;

export function makeSelectiveSsmConfig(overrides: Readonly<Record<string, unknown>> = {}, preset = "d64"): SelectiveSsmConfig {
  const fn = "makeConfig";
  const c = completeConfig<SelectiveSsmConfig>({
    fn,
    architecture: "selective-ssm",
    defaults,
    presets: SELECTIVE_SSM_PRESETS,
    preset,
    overrides,
    check: (c) => {
      checkInteger(fn, "config.nLayers", c.nLayers, 1, 64);
      checkInteger(fn, "config.dModel", c.dModel, 1, 1 << 14);
      checkInteger(fn, "config.dInner", c.dInner, 1, 1 << 14);
      checkInteger(fn, "config.dState", c.dState, 1, 1024);
      checkInteger(fn, "config.dtRank", c.dtRank, 1, 1 << 14);
      checkUnrolledContext(fn, c.nCtx);
      checkInteger(fn, "config.dVocab", c.dVocab, 1, 1 << 20);
    },
  });
  warnLongUnroll("selective-ssm", c.nCtx);
  return c;
}

/** softplus^-1(y) = y + log(1 - e^-y): Mamba draws softplus(b_dt) log-uniformly in [1e-3, 1e-1]. */
const inverseSoftplus = (y: number): number => y + Math.log(-Math.expm1(-y));

export function selectiveSsmParameterSpecs(c: SelectiveSsmConfig): ParameterSpec[] {
  const { dModel: M, dInner: I, dState: N, dtRank: R } = c;
  const specs: ParameterSpec[] = [{ name: "embed.W_E", shape: [c.dVocab, M], init: { kind: "normal", std: 1 } }]; // [d_vocab, d_model]
  for (let l = 0; l < c.nLayers; l++) {
    const s = `ssm.${l}`;
    specs.push({ name: `${s}.W_in`, shape: [M, 2 * I], init: { kind: "uniform", fanIn: M } }); // [d_model, 2 * d_inner]
    specs.push({ name: `${s}.W_x`, shape: [I, R + 2 * N], init: { kind: "uniform", fanIn: I } }); // [d_inner, dt_rank + 2 * d_state]
    specs.push({ name: `${s}.W_dt`, shape: [R, I], init: { kind: "uniform", fanIn: R } }); // [dt_rank, d_inner]
    specs.push({ name: `${s}.b_dt`, shape: [I], init: { kind: "uniformRange", low: inverseSoftplus(1e-3), high: inverseSoftplus(1e-1) } }); // [d_inner]
    specs.push({ name: `${s}.A_log`, shape: [I, N], init: { kind: "uniformRange", low: 0, high: Math.log(N) } }); // [d_inner, d_state]
    specs.push({ name: `${s}.D`, shape: [I], init: { kind: "ones" } }); // [d_inner]
    specs.push({ name: `${s}.W_out`, shape: [I, M], init: { kind: "uniform", fanIn: I } }); // [d_inner, d_model]
  }
  specs.push({ name: "unembed.W_U", shape: [M, c.dVocab], init: { kind: "uniform", fanIn: M } }); // [d_model, d_vocab]
  specs.push({ name: "unembed.b_U", shape: [c.dVocab], init: { kind: "uniform", fanIn: M } }); // [d_vocab]
  return specs;
}

export function selectiveSsmForward(c: SelectiveSsmConfig, params: Params, tokens: np.Array, hook?: HookFn): np.Array {
  const [nBatch, nPos] = tokens.shape;
  const { dInner: I, dState: N, dtRank: R } = c;
  const at = (name: string, x: np.Array): np.Array => (hook ? hook(name, x) : x);
  let x = at("hook_embed", embedTokens(params["embed.W_E"], tokens)); // [batch, pos, d_model]
  for (let l = 0; l < c.nLayers; l++) {
    const s = `ssm.${l}`;
    const xz = np.matmul(x.ref, params[`${s}.W_in`]); // [batch, pos, 2 * d_inner]
    const u = nn.silu(xz.ref.slice([], [], [0, I])); // [batch, pos, d_inner]
    const z = xz.slice([], [], [I, 2 * I]); // [batch, pos, d_inner]
    const proj = np.matmul(u.ref, params[`${s}.W_x`]); // [batch, pos, dt_rank + 2 * d_state]
    const dt = proj.ref.slice([], [], [0, R]); // [batch, pos, dt_rank]
    const B = proj.ref.slice([], [], [R, R + N]); // [batch, pos, d_state]
    const C = proj.slice([], [], [R + N, R + 2 * N]); // [batch, pos, d_state]
    const delta = at(`${s}.hook_delta`, nn.softplus(np.matmul(dt, params[`${s}.W_dt`]).add(params[`${s}.b_dt`]))); // [batch, pos, d_inner]
    const A = np.exp(params[`${s}.A_log`]).neg(); // [d_inner, d_state]
    // One array per position (splits, whose gradient is a concatenation; slicing positions out of
    // whole-sequence arrays would pad every step's gradient to the whole sequence).
    const deltas = unstackPositions(delta.ref); // pos x [batch, d_inner]
    const gatedInputs = unstackPositions(delta.mul(u.ref)); // pos x [batch, d_inner]
    const Bs = unstackPositions(B); // pos x [batch, d_state]
    // The recurrence, unrolled: elementwise only.
    const states: np.Array[] = [];
    let h: np.Array | null = null; // [batch, d_inner, d_state]; h_0 = 0
    for (let t = 0; t < nPos; t++) {
      const input = gatedInputs[t].reshape([nBatch, I, 1]).mul(Bs[t].reshape([nBatch, 1, N])); // [batch, d_inner, d_state]
      if (h === null) {
        deltas[t].dispose();
        h = input;
      } else {
        const decay = np.exp(deltas[t].reshape([nBatch, I, 1]).mul(A.ref)); // [batch, d_inner, d_state]
        h = decay.mul(h).add(input);
      }
      states.push(h.ref);
    }
    h!.dispose();
    A.dispose();
    let hidden = stackPositions(states); // [batch, pos, d_inner, d_state]
    if (hook) hidden = hook(`${s}.hook_hidden`, hidden.reshape([nBatch, nPos, I * N])).reshape([nBatch, nPos, I, N]);
    const y = hidden.mul(C.reshape([nBatch, nPos, 1, N])).sum(-1).add(u.mul(params[`${s}.D`])); // [batch, pos, d_inner]
    const out = at(`${s}.hook_out`, np.matmul(y.mul(nn.silu(z)), params[`${s}.W_out`])); // [batch, pos, d_model]
    x = at(`${s}.hook_resid_post`, x.add(out)); // [batch, pos, d_model]
  }
  return np.matmul(x, params["unembed.W_U"]).add(params["unembed.b_U"]); // [batch, pos, d_vocab]
}

export const selectiveSsm: Architecture<SelectiveSsmConfig> = {
  name: "selective-ssm",
  description: "selective state-space model (Mamba-style: token-dependent decay and input gate): fields nLayers, dModel, dInner, dState, dtRank; hooks ssm.{l}.hook_delta|hidden|out|resid_post",
  presets: SELECTIVE_SSM_PRESETS,
  defaultPreset: "d64",
  makeConfig: (overrides = {}, preset) => makeSelectiveSsmConfig(overrides, preset ?? "d64"),
  parameterSpecs: selectiveSsmParameterSpecs,
  hookNames(c) {
    const names = ["hook_embed"];
    for (let l = 0; l < c.nLayers; l++) names.push(`ssm.${l}.hook_delta`, `ssm.${l}.hook_hidden`, `ssm.${l}.hook_out`, `ssm.${l}.hook_resid_post`);
    return names;
  },
  hookShape(_c, name) {
    if (name === "hook_embed" || /^ssm\.\d+\.hook_(out|resid_post)$/.test(name)) return "[batch, pos, d_model]";
    if (/^ssm\.\d+\.hook_delta$/.test(name)) return "[batch, pos, d_inner]";
    if (/^ssm\.\d+\.hook_hidden$/.test(name)) return "[batch, pos, d_inner * d_state]";
    return "unknown";
  },
  layerSites: (c) => ssmLayerSites(c.nLayers),
  forward: selectiveSsmForward,
  summary: (c) => `${c.nLayers}-layer d_model-${c.dModel} selective SSM (d_inner ${c.dInner}, d_state ${c.dState})`,
};
