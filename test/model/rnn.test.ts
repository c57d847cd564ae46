import { beforeAll, describe, expect, it } from "vitest";
import { initEngine } from "../../src/engine/jax.js";
import { createModel, getArchitecture } from "../../src/model/registry.js";
import { sizeOf, type ParameterSpec } from "../../src/model/types.js";
import { resetWarnings, warningCount } from "../../src/util/warn.js";
import { checkAgainstTorch, readCases } from "./torchCase.js";

beforeAll(async () => {
  await initEngine();
});

// torch.nn.RNN / GRU / LSTM with weights copied: test/fixtures/arch_rnn.py (float64, autograd).
for (const [name, tc] of Object.entries(readCases("arch-rnn.json"))) {
  describe(`${tc.arch} vs PyTorch (${name})`, () => checkAgainstTorch(tc.arch!, tc));
}

const count = (arch: string, preset?: string) => {
  const a = getArchitecture(arch);
  return (a.parameterSpecs(a.makeConfig({}, preset)) as ParameterSpec[]).reduce((n, s) => n + sizeOf(s.shape), 0);
};

describe("recurrent architectures", () => {
  it("have presets with about the parameters of the 1- and 2-layer transformers (51,139 and 101,123)", () => {
    expect([count("rnn"), count("rnn", "like-1l"), count("rnn", "like-2l"), count("rnn", "small")]).toEqual([8_707, 52_483, 104_003, 643]);
    expect([count("gru"), count("gru", "like-1l"), count("gru", "like-2l"), count("gru", "small")]).toEqual([25_347, 47_523, 94_515, 1_731]);
    expect([count("lstm"), count("lstm", "like-1l"), count("lstm", "like-2l"), count("lstm", "small")]).toEqual([33_667, 52_323, 104_163, 2_275]);
  });

  it("name hooks like TransformerLens (hook_embed, rnn.{l}.hook_hidden, rnn.{l}.hook_cell) with [batch, pos, ...] shapes", async () => {
    const model = await createModel("lstm", { config: { nLayers: 2, dHidden: 5, dEmbed: 4, nCtx: 6 } });
    expect(model.hookNames()).toEqual(["hook_embed", "rnn.0.hook_cell", "rnn.0.hook_hidden", "rnn.1.hook_cell", "rnn.1.hook_hidden"]);
    expect(model.hookShape("rnn.1.hook_hidden")).toBe("[batch, pos, d_hidden]");
    expect(model.hookShape("hook_embed")).toBe("[batch, pos, d_embed]");
    expect(model.layerSites()).toEqual([
      { label: "embed", hooks: ["hook_embed"] },
      { label: "layer 0", hooks: ["rnn.0.hook_hidden"] },
      { label: "layer 1", hooks: ["rnn.1.hook_hidden"] },
      { label: "concat", hooks: ["rnn.0.hook_hidden", "rnn.1.hook_hidden"] },
    ]);
    const { logits, cache } = await model.runWithCache(Int32Array.from({ length: 12 }, (_, i) => i % 3), 4, { names: model.hookNames() });
    expect(logits.shape).toEqual([3, 4, 3]);
    expect(cache.get("hook_embed").shape).toEqual([3, 4, 4]);
    expect(cache.get("rnn.0.hook_cell").shape).toEqual([3, 4, 5]);
    expect(cache.get("rnn.1.hook_hidden").shape).toEqual([3, 4, 5]);
    // h = o * tanh(c) with o in (0, 1): |h| < |tanh(c)|.
    const h = cache.get("rnn.0.hook_hidden").data;
    const c = cache.get("rnn.0.hook_cell").data;
    for (let i = 0; i < h.length; i++) expect(Math.abs(h[i])).toBeLessThan(Math.abs(Math.tanh(c[i])) + 1e-7);
    // Causal: changing the last token changes no earlier position's state.
    const other = Int32Array.from({ length: 12 }, (_, i) => (i === 11 ? 0 : i % 3));
    const { cache: c2 } = await model.runWithCache(other, 4, { names: ["rnn.1.hook_hidden"] });
    const a = cache.get("rnn.1.hook_hidden").data;
    const b = c2.get("rnn.1.hook_hidden").data;
    for (let i = 0; i < a.length; i++) if (i < 2 * 4 * 5 + 3 * 5) expect(b[i]).toBe(a[i]);
    model.dispose();
  });

  it("initialises as PyTorch: recurrent weights in U(-1/sqrt(d_hidden), 1/sqrt(d_hidden)), embeddings N(0, 1)", async () => {
    const model = await createModel("gru", { config: { dHidden: 16, dEmbed: 8 }, seed: 3 });
    const sd = await model.stateDict();
    expect(sd["rnn.0.W_ih"].shape).toEqual([48, 8]); // [3 * d_hidden, d_embed]: gates r, z, n
    expect(sd["rnn.0.W_hh"].shape).toEqual([48, 16]);
    const w = sd["rnn.0.W_hh"].data;
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.24);
    const e = sd["embed.W_E"].data;
    expect(Math.max(...e.map(Math.abs))).toBeGreaterThan(0.5);
    model.dispose();
  });

  it("rejects unknown fields, bad values and unknown presets with the choices", () => {
    const gru = getArchitecture("gru");
    expect(() => gru.makeConfig({ hidden: 8 })).toThrow("makeConfig: argument 'config.hidden' received an unknown option; expected one of nLayers, dHidden, dEmbed, nCtx, dVocab.");
    expect(() => gru.makeConfig({ nLayers: 0 })).toThrow("makeConfig: argument 'config.nLayers' received 0; expected an integer in [1, 64].");
    expect(() => gru.makeConfig({ dHidden: 2.5 })).toThrow("argument 'config.dHidden' received 2.5");
    expect(() => gru.makeConfig({ nCtx: 257 })).toThrow("makeConfig: argument 'config.nCtx' received 257; expected an integer in [1, 256]. The recurrence is unrolled over positions (jax-js has no scan)");
    expect(() => getArchitecture("selective-ssm").makeConfig({ nCtx: 300 })).toThrow("argument 'config.nCtx' received 300; expected an integer in [1, 256].");
    expect(() => gru.makeConfig({}, "big")).toThrow(`makeConfig: argument 'preset' received "big"; expected one of h64, like-1l, like-2l, small.`);
    expect(() => getArchitecture("lstmm")).toThrow(/argument 'arch' received "lstmm"; expected one of the registered architectures: transformer, rnn, gru, lstm, linear-rnn, selective-ssm/);
  });

  it("says that transformer options given to a recurrent model contradict it (not a typo)", () => {
    expect(() => getArchitecture("gru").makeConfig({ attention: "linear" })).toThrow(
      `makeConfig: argument 'config.attention' received "linear" for a gru; expected options of the gru: nLayers, dHidden, dEmbed, nCtx, dVocab. attention is a transformer option; the gru has no attention. Use --arch transformer for it, or drop attention.`,
    );
    expect(() => getArchitecture("lstm").makeConfig({ linearNormalize: true })).toThrow("argument 'config.linearNormalize' received true for a lstm; expected options of the lstm");
    expect(() => getArchitecture("rnn").makeConfig({ skip: false })).toThrow("the rnn has no transformer blocks whose skip connections could be removed");
    expect(() => getArchitecture("selective-ssm").makeConfig({ nHeads: 4 })).toThrow("argument 'config.nHeads' received 4 for a selective-ssm; expected options of the selective-ssm: nLayers, dModel, dInner, dState, dtRank, nCtx, dVocab. nHeads is a transformer option; the selective-ssm has no attention heads.");
    expect(() => getArchitecture("linear-rnn").makeConfig({ layerNorm: true })).toThrow("the linear-rnn has no LayerNorm");
    // dModel is the state-space models' own field, not a transformer-only one.
    expect(getArchitecture("linear-rnn").makeConfig({ dModel: 8 }).dModel).toBe(8);
  });

  it("warns once that long contexts compile slowly (the recurrence is unrolled)", () => {
    resetWarnings(() => {});
    getArchitecture("gru").makeConfig({ nCtx: 64 });
    expect(warningCount()).toBe(0);
    getArchitecture("gru").makeConfig({ nCtx: 65 });
    expect(warningCount()).toBe(1);
    resetWarnings();
  });
});
