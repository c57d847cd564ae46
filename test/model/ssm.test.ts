import { beforeAll, describe, expect, it } from "vitest";
import { initEngine } from "../../src/engine/jax.js";
import { createModel, getArchitecture } from "../../src/model/registry.js";
import { sizeOf, type ParameterSpec } from "../../src/model/types.js";
import { checkAgainstTorch, readCases } from "./torchCase.js";

beforeAll(async () => {
  await initEngine();
});

// Step-by-step recurrences in PyTorch (complex dtype for the complex diagonal): test/fixtures/arch_ssm.py.
for (const [name, tc] of Object.entries(readCases("arch-ssm.json"))) {
  describe(`${tc.arch} vs PyTorch (${name})`, () => checkAgainstTorch(tc.arch!, tc));
}

const count = (arch: string, preset?: string, config = {}) => {
  const a = getArchitecture(arch);
  return (a.parameterSpecs(a.makeConfig(config, preset)) as ParameterSpec[]).reduce((n, s) => n + sizeOf(s.shape), 0);
};

describe("state-space models", () => {
  it("have presets with about the parameters of the 1- and 2-layer transformers (51,139 and 101,123)", () => {
    expect([count("linear-rnn"), count("linear-rnn", "real"), count("linear-rnn", "like-1l"), count("linear-rnn", "like-2l"), count("linear-rnn", "small")]).toEqual([16_963, 8_707, 51_187, 101_699, 1_171]);
    expect([count("selective-ssm"), count("selective-ssm", "like-1l"), count("selective-ssm", "like-2l")]).toEqual([32_387, 48_483, 96_483]);
  });

  it("name their hooks and shapes; probe sites are the embedding and each layer's resid_post", async () => {
    const lin = await createModel("linear-rnn", { config: { nLayers: 2, dModel: 6, dState: 5, nCtx: 6 } });
    expect(lin.hookNames()).toEqual(["hook_embed", "ssm.0.hook_hidden", "ssm.0.hook_out", "ssm.0.hook_resid_post", "ssm.1.hook_hidden", "ssm.1.hook_out", "ssm.1.hook_resid_post"]);
    expect(lin.hookShape("ssm.0.hook_hidden")).toBe("[batch, pos, 2 * d_state]");
    expect(lin.layerSites().map((s) => s.hooks.join("+"))).toEqual(["hook_embed", "ssm.0.hook_resid_post", "ssm.1.hook_resid_post", "ssm.0.hook_resid_post+ssm.1.hook_resid_post"]);
    const tokens = Int32Array.from({ length: 15 }, (_, i) => (i * 7) % 3);
    const { cache } = await lin.runWithCache(tokens, 5, { names: lin.hookNames() });
    expect(cache.get("ssm.1.hook_hidden").shape).toEqual([3, 5, 10]);
    expect(cache.get("ssm.1.hook_resid_post").shape).toEqual([3, 5, 6]);
    lin.dispose();
    const sel = await createModel("selective-ssm", { preset: "small", config: { nCtx: 6 } });
    expect(sel.hookNames()).toEqual(["hook_embed", "ssm.0.hook_delta", "ssm.0.hook_hidden", "ssm.0.hook_out", "ssm.0.hook_resid_post"]);
    const { cache: c2 } = await sel.runWithCache(tokens, 5, { names: sel.hookNames() });
    expect(c2.get("ssm.0.hook_delta").shape).toEqual([3, 5, 16]); // [batch, pos, d_inner]
    expect(c2.get("ssm.0.hook_hidden").shape).toEqual([3, 5, 64]); // [batch, pos, d_inner * d_state]
    // The step sizes are softplus outputs: positive, and they depend on the token.
    const delta = c2.get("ssm.0.hook_delta").data;
    expect(Math.min(...delta)).toBeGreaterThan(0);
    expect(delta[0]).not.toBe(delta[16]);
    sel.dispose();
  });

  it("start with decays |lambda| in (0.3, 0.99) and step sizes around Mamba's (1e-3 to 1e-1)", async () => {
    const lin = await createModel("linear-rnn", { seed: 1 });
    const nu = (await lin.stateDict())["ssm.0.nu_log"].data;
    for (const v of nu) {
      const magnitude = Math.exp(-Math.exp(v));
      expect(magnitude).toBeGreaterThan(0.3 - 1e-6);
      expect(magnitude).toBeLessThan(0.99 + 1e-6);
    }
    lin.dispose();
    const sel = await createModel("selective-ssm", { seed: 1 });
    const b = (await sel.stateDict())["ssm.0.b_dt"].data;
    for (const v of b) {
      const dt = Math.log1p(Math.exp(v));
      expect(dt).toBeGreaterThan(1e-3 - 1e-6);
      expect(dt).toBeLessThan(1e-1 + 1e-6);
    }
    sel.dispose();
  });

  it("rejects unknown fields and bad values", () => {
    expect(() => getArchitecture("linear-rnn").makeConfig({ diagonal: "hermitian" })).toThrow(`makeConfig: argument 'config.diagonal' received "hermitian"; expected one of "real", "complex".`);
    expect(() => getArchitecture("linear-rnn").makeConfig({ dState: 128, nCtx: 1024 })).toThrow("argument 'config.nCtx' received 1024 with config.dState 128; expected d_state * n_ctx^2 <= 67108864");
    expect(() => getArchitecture("selective-ssm").makeConfig({ expand: 2 })).toThrow("makeConfig: argument 'config.expand' received an unknown option; expected one of nLayers, dModel, dInner, dState, dtRank, nCtx, dVocab.");
  });
});
