/**
 * Linear recurrent network / diagonal state-space model, after the Linear Recurrent Unit
 * (Orvieto et al. 2023, "Resurrecting recurrent neural networks for long sequences"). Each layer
 * runs a linear recurrence with a diagonal state matrix over its input u_t [d_model]:
 *
 *   h_t = lambda * h_{t-1} + B u_t            h_0 = 0; h_t in R^{d_state} or C^{d_state}
 *   y_t = Re(C h_t) + D * u_t                 [d_model]
 *   x_{l+1,t} = x_{l,t} + gelu(y_t)           (residual stream; u_t = x_{l,t})
 *
 * with |lambda| = exp(-exp(nu_log)) in (0, 1) (LRU's stable exponential parametrisation) and, for
 * diagonal "complex", arg(lambda) = theta. Embedding embed.W_E [d_vocab, d_model] before, linear
 * unembedding unembed.W_U [d_model, d_vocab] after. Unlike the LRU there is no gamma
 * normalisation, LayerNorm or GLU (contexts here are short; the GELU is the only nonlinearity).
 *
 * Parameters of layer l (prefix ssm.{l}): nu_log [d_state]; theta [d_state] (complex only);
 * B [d_state, d_model] (real) or B_re, B_im; C [d_model, d_state] (real) or C_re, C_im; D [d_model].
 *
 * Hooks: hook_embed [batch, pos, d_model]; ssm.{l}.hook_hidden: h_t, [batch, pos, d_state] (real)
 * or [batch, pos, 2 * d_state] (complex: the d_state real parts, then the d_state imaginary parts);
 * ssm.{l}.hook_out: gelu(y_t) [batch, pos, d_model]; ssm.{l}.hook_resid_post [batch, pos, d_model].
 * Probe sites are the embedding and each layer's resid_post (what the next layer and the
 * unembedding read, as for the transformer); the states are one --hooks away.
 *
 * No unrolling: the recurrence is time-invariant, so h = K * (B u) is a causal convolution with the
 * kernel K[n, t, k] = lambda_n^(t - k) for k <= t (S4's convolution mode), computed for all
 * positions at once as one batched matmul over the state dimension: [d_state, pos, pos] x
 * [d_state, pos, batch]. Cost grows with pos^2 * d_state * batch, and the traced program does not
 * grow with n_ctx.
 */
import { nn, numpy as np } from "@jax-js/jax";
import { ArgumentError, checkChoice, checkInteger } from "../../util/errors.js";
import type { Architecture, HookFn, Params } from "../architecture.js";
import type { ActivationSite, ParameterSpec } from "../types.js";
import { completeConfig } from "../rnn/config.js";
import { embedTokens } from "../rnn/recurrent.js";

export const DIAGONALS = ["real", "complex"] as const;
export type Diagonal = (typeof DIAGONALS)[number];

export interface LinearRnnConfig {
  /** Stacked layers, each a recurrence plus a residual GELU output. */
  readonly nLayers: number;
  /** Width of the embedding and residual stream. */
  readonly dModel: number;
  /** Size of each layer's diagonal state (complex: d_state complex numbers). */
  readonly dState: number;
  /** "real": lambda in (0, 1); "complex": lambda = |lambda| e^(i theta) (LRU). */
  readonly diagonal: Diagonal;
  readonly nCtx: number;
  readonly dVocab: number;
}

const defaults: LinearRnnConfig = Object.freeze({ nLayers: 1, dModel: 64, dState: 64, diagonal: "complex", nCtx: 10, dVocab: 3 });

/** Parameter counts for d_vocab 3 (the 1-layer / 2-layer transformers have 51,139 / 101,123). */
export const LINEAR_RNN_PRESETS = {
  /** 1 complex layer, d_model 64, d_state 64 (16,963 parameters). */
  complex: {},
  /** 1 real layer, d_model 64, d_state 64 (8,707). */
  real: { diagonal: "real" },
  /** About as many parameters as the 1-layer transformer "1l": complex, 112 / 112 (51,187). */
  "like-1l": { dModel: 112, dState: 112 },
  /** About as many parameters as the 2-layer transformer "2l": 2 complex layers of 112 / 112 (101,699). */
  "like-2l": { nLayers: 2, dModel: 112, dState: 112 },
  /** Tiny, for tests (1,171). */
  small: { dModel: 16, dState: 16 },
} as const satisfies Record<string, Partial<LinearRnnConfig>>;

export function makeLinearRnnConfig(overrides: Readonly<Record<string, unknown>> = {}, preset = "complex"): LinearRnnConfig {
  const fn = "makeConfig";
  return completeConfig<LinearRnnConfig>({
    fn,
    architecture: "linear-rnn",
    defaults,
    presets: LINEAR_RNN_PRESETS,
    preset,
    overrides,
    check: (c) => {
      checkInteger(fn, "config.nLayers", c.nLayers, 1, 64);
      checkInteger(fn, "config.dModel", c.dModel, 1, 1 << 14);
      checkInteger(fn, "config.dState", c.dState, 1, 1 << 14);
      checkChoice(fn, "config.diagonal", c.diagonal, DIAGONALS);
      checkInteger(fn, "config.nCtx", c.nCtx, 1, 1024);
      checkInteger(fn, "config.dVocab", c.dVocab, 1, 1 << 20);
      // The kernel holds d_state * n_ctx^2 values per layer.
      if (c.dState * c.nCtx * c.nCtx > 1 << 26) {
        throw new ArgumentError({ fn, argument: "config.nCtx", received: `${c.nCtx} with config.dState ${c.dState}`, expected: `d_state * n_ctx^2 <= ${1 << 26} (the convolution kernel's size)` });
      }
    },
  });
}

export function linearRnnParameterSpecs(c: LinearRnnConfig): ParameterSpec[] {
  const { dModel: M, dState: N } = c;
  const complex = c.diagonal === "complex";
  const specs: ParameterSpec[] = [{ name: "embed.W_E", shape: [c.dVocab, M], init: { kind: "normal", std: 1 } }]; // [d_vocab, d_model]
  // log(-log|lambda|) for |lambda| from 0.99 to 0.3: decays from ~100 positions to ~1.
  const nuInit: ParameterSpec["init"] = { kind: "uniformRange", low: Math.log(-Math.log(0.99)), high: Math.log(-Math.log(0.3)) };
  for (let l = 0; l < c.nLayers; l++) {
    const s = `ssm.${l}`;
    specs.push({ name: `${s}.nu_log`, shape: [N], init: nuInit }); // [d_state]
    if (complex) {
      specs.push({ name: `${s}.theta`, shape: [N], init: { kind: "uniformRange", low: 0, high: Math.PI } }); // [d_state]
      // LRU: B ~ complex N(0, 1 / d_model) (each part variance 1 / (2 d_model)), C ~ complex N(0, 1 / d_state).
      specs.push({ name: `${s}.B_re`, shape: [N, M], init: { kind: "normal", std: 1 / Math.sqrt(2 * M) } }); // [d_state, d_model]
      specs.push({ name: `${s}.B_im`, shape: [N, M], init: { kind: "normal", std: 1 / Math.sqrt(2 * M) } }); // [d_state, d_model]
      specs.push({ name: `${s}.C_re`, shape: [M, N], init: { kind: "normal", std: 1 / Math.sqrt(2 * N) } }); // [d_model, d_state]
      specs.push({ name: `${s}.C_im`, shape: [M, N], init: { kind: "normal", std: 1 / Math.sqrt(2 * N) } }); // [d_model, d_state]
    } else {
      specs.push({ name: `${s}.B`, shape: [N, M], init: { kind: "normal", std: 1 / Math.sqrt(M) } }); // [d_state, d_model]
      specs.push({ name: `${s}.C`, shape: [M, N], init: { kind: "normal", std: 1 / Math.sqrt(N) } }); // [d_model, d_state]
    }
    specs.push({ name: `${s}.D`, shape: [M], init: { kind: "normal", std: 1 } }); // [d_model]
  }
  specs.push({ name: "unembed.W_U", shape: [M, c.dVocab], init: { kind: "uniform", fanIn: M } }); // [d_model, d_vocab]
  specs.push({ name: "unembed.b_U", shape: [c.dVocab], init: { kind: "uniform", fanIn: M } }); // [d_vocab]
  return specs;
}

/** Layer sites of the state-space models: the embedding, each layer's resid_post, and all of them. */
export function ssmLayerSites(nLayers: number): ActivationSite[] {
  const sites: ActivationSite[] = [{ label: "embed", hooks: ["hook_embed"] }];
  for (let l = 0; l < nLayers; l++) sites.push({ label: `layer ${l}`, hooks: [`ssm.${l}.hook_resid_post`] });
  if (nLayers > 1) sites.push({ label: "concat", hooks: Array.from({ length: nLayers }, (_, l) => `ssm.${l}.hook_resid_post`) });
  return sites;
}

/**
 * Powers lambda^j of the diagonal, j = t - k, laid out as causal kernels [d_state, pos, pos]
 * (0 where k > t): |lambda|^j = exp(-j exp(nu_log)), and for complex lambda the real and imaginary
 * parts |lambda|^j cos(j theta), |lambda|^j sin(j theta). Consumes nuLog and theta.
 */
function kernels(nuLog: np.Array, theta: np.Array | null, nPos: number): { re: np.Array; im: np.Array | null } {
  const N = nuLog.shape[0];
  const lag = np.arange(0, nPos, 1, { dtype: np.float32 }).reshape([nPos, 1]).sub(np.arange(0, nPos, 1, { dtype: np.float32 }).reshape([1, nPos])); // [pos, pos]: t - k
  const causal = np.tril(np.ones([nPos, nPos])).astype(np.bool); // [pos, pos]
  const lagC = np.where(causal.ref, lag, 0); // [pos, pos], no negative powers
  const rate = np.exp(nuLog).reshape([N, 1, 1]); // [d_state, 1, 1]
  const magnitude = np.where(causal.ref, np.exp(rate.mul(lagC.ref).neg()), 0); // [d_state, pos, pos]
  if (!theta) {
    lagC.dispose();
    causal.dispose();
    return { re: magnitude, im: null };
  }
  const angle = theta.reshape([N, 1, 1]).mul(lagC); // [d_state, pos, pos]
  causal.dispose();
  return { re: magnitude.ref.mul(np.cos(angle.ref)), im: magnitude.mul(np.sin(angle)) };
}

/** h[b, t, n] = sum_k K[n, t, k] v[b, k, n]: v [batch, pos, d_state] -> [batch, pos, d_state]. Consumes both. */
function convolve(K: np.Array, v: np.Array): np.Array {
  return np.matmul(K, v.transpose([2, 1, 0])).transpose([2, 1, 0]); // [d_state, pos, batch] -> [batch, pos, d_state]
}

export function linearRnnForward(c: LinearRnnConfig, params: Params, tokens: np.Array, hook?: HookFn): np.Array {
  const nPos = tokens.shape[1];
  const at = (name: string, x: np.Array): np.Array => (hook ? hook(name, x) : x);
  let x = at("hook_embed", embedTokens(params["embed.W_E"], tokens)); // [batch, pos, d_model]
  for (let l = 0; l < c.nLayers; l++) {
    const s = `ssm.${l}`;
    let y: np.Array; // [batch, pos, d_model]
    if (c.diagonal === "complex") {
      const K = kernels(params[`${s}.nu_log`], params[`${s}.theta`], nPos);
      const bRe = np.matmul(x.ref, params[`${s}.B_re`].transpose()); // [batch, pos, d_state]
      const bIm = np.matmul(x.ref, params[`${s}.B_im`].transpose()); // [batch, pos, d_state]
      // (K_re + i K_im) * (b_re + i b_im)
      const hRe = convolve(K.re.ref, bRe.ref).sub(convolve(K.im!.ref, bIm.ref)); // [batch, pos, d_state]
      const hIm = convolve(K.re, bIm).add(convolve(K.im!, bRe)); // [batch, pos, d_state]
      const hidden = at(`${s}.hook_hidden`, np.concatenate([hRe, hIm], -1)); // [batch, pos, 2 * d_state]
      // Re(C h) = C_re h_re - C_im h_im
      const cT = np.concatenate([params[`${s}.C_re`].transpose(), params[`${s}.C_im`].transpose().neg()], 0); // [2 * d_state, d_model]
      y = np.matmul(hidden, cT); // [batch, pos, d_model]
    } else {
      const K = kernels(params[`${s}.nu_log`], null, nPos);
      const b = np.matmul(x.ref, params[`${s}.B`].transpose()); // [batch, pos, d_state]
      const hidden = at(`${s}.hook_hidden`, convolve(K.re, b)); // [batch, pos, d_state]
      y = np.matmul(hidden, params[`${s}.C`].transpose()); // [batch, pos, d_model]
    }
    const out = at(`${s}.hook_out`, nn.gelu(y.add(x.ref.mul(params[`${s}.D`])), { approximate: false })); // [batch, pos, d_model]
    x = at(`${s}.hook_resid_post`, x.add(out)); // [batch, pos, d_model]
  }
  return np.matmul(x, params["unembed.W_U"]).add(params["unembed.b_U"]); // [batch, pos, d_vocab]
}

export const linearRnn: Architecture<LinearRnnConfig> = {
  name: "linear-rnn",
  description: "linear recurrent network / diagonal state-space model (LRU-style; real or complex diagonal): fields nLayers, dModel, dState, diagonal; hooks ssm.{l}.hook_hidden|out|resid_post",
  presets: LINEAR_RNN_PRESETS,
  defaultPreset: "complex",
  makeConfig: (overrides = {}, preset) => makeLinearRnnConfig(overrides, preset ?? "complex"),
  parameterSpecs: linearRnnParameterSpecs,
  hookNames(c) {
    const names = ["hook_embed"];
    for (let l = 0; l < c.nLayers; l++) names.push(`ssm.${l}.hook_hidden`, `ssm.${l}.hook_out`, `ssm.${l}.hook_resid_post`);
    return names;
  },
  hookShape(c, name) {
    if (name === "hook_embed" || /^ssm\.\d+\.hook_(out|resid_post)$/.test(name)) return "[batch, pos, d_model]";
    if (/^ssm\.\d+\.hook_hidden$/.test(name)) return c.diagonal === "complex" ? "[batch, pos, 2 * d_state]" : "[batch, pos, d_state]";
    return "unknown";
  },
  layerSites: (c) => ssmLayerSites(c.nLayers),
  forward: linearRnnForward,
  summary: (c) => `${c.nLayers}-layer d_model-${c.dModel} d_state-${c.dState} ${c.diagonal} diagonal linear RNN`,
};
