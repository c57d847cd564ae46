/**
 * The lab's URL state (web/src/state.ts): a link reproduces the page. Defaults
 * stay out of the URL, every setting survives the round trip, a pasted process
 * travels intact, and unreadable values keep their defaults and are reported
 * by parameter name.
 */
import { describe, expect, it } from "vitest";
import { processFromJsonText, processFromSpec, processToJson } from "../../src/process/index.js";
import { PRESETS } from "../../src/model/transformer/config.js";
import { prettyJson } from "../../web/src/download.js";
import { catalogueSpec, DEFAULT_STATE, modelOverrides, stateFromQuery, stateToQuery, type LabState } from "../../web/src/state.js";

describe("lab URL state", () => {
  it("leaves defaults out of the URL and reads an empty query as the defaults", () => {
    expect(stateToQuery(DEFAULT_STATE)).toBe("");
    expect(stateFromQuery("")).toEqual({ state: DEFAULT_STATE, problems: [] });
  });

  it("round-trips every setting", () => {
    const s: LabState = {
      process: { kind: "catalogue", name: "mess3", params: { x: 0.1, alpha: 0.7 } },
      preset: "shai-4l",
      nLayers: 3,
      dModel: 48,
      nCtx: 12,
      steps: 2500,
      batchSize: 32,
      learningRate: 3e-4,
      seed: 7,
      device: "webgpu",
      engine: "jax",
      probeEvery: 50,
      probeSequences: 2000,
      recover: false,
    };
    const query = stateToQuery(s);
    expect(query).toMatch(/process=mess3%3Ax%3D0\.1%2Calpha%3D0\.7/);
    expect(query).toMatch(/engine=jax/);
    expect(stateFromQuery(query)).toEqual({ state: s, problems: [] });
  });

  it("carries a pasted process intact (deflated, base64url)", () => {
    const text = `{ "name": "ünï ✓", "transitions": [[[0.5, 0.4], [0.5, 0.5]], [[0.05, 0.05], [0, 0]]] }\n`;
    const s: LabState = { ...DEFAULT_STATE, process: { kind: "json", text } };
    const query = stateToQuery(s);
    expect(query).toMatch(/^\?json=[A-Za-z0-9_-]+$/);
    expect(stateFromQuery(query).state.process).toEqual({ kind: "json", text });
  });

  it("keeps defaults for unreadable values and names each parameter", () => {
    const { state, problems } = stateFromQuery("?steps=abc&device=gpu&engine=fast&lr=5&preset=huge&process=nosuch&layers=99");
    expect(state).toEqual(DEFAULT_STATE);
    expect(problems).toHaveLength(7);
    for (const name of ["steps=abc", "device=gpu", "engine=fast", "lr=5", "preset=huge", "process=nosuch", "layers=99"]) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it("writes catalogue specs as the command line reads them, defaults left out", () => {
    expect(catalogueSpec("mess3", { x: 0.05, alpha: 0.85 })).toBe("mess3");
    expect(catalogueSpec("mess3", { x: 0.1 })).toBe("mess3:x=0.1");
    const hmm = processFromSpec(catalogueSpec("mess3", { x: 0.1, alpha: 0.6 }));
    expect(hmm.params).toEqual({ x: 0.1, alpha: 0.6 });
  });

  it("turns model size settings into config overrides of the preset", () => {
    expect(modelOverrides(DEFAULT_STATE)).toEqual({});
    const heads = (PRESETS["2l"] as { nHeads?: number }).nHeads ?? 4;
    expect(modelOverrides({ ...DEFAULT_STATE, dModel: 32, nLayers: 1 })).toEqual({ nLayers: 1, dModel: 32, dHead: 32 / heads, dMlp: 128 });
  });
});

describe("process JSON as the lab writes it", () => {
  it("parses back to the same process, with number and symbol arrays on one line", () => {
    const hmm = processFromSpec("mess3:x=0.1");
    const text = prettyJson(processToJson(hmm));
    expect(text).toMatch(/"symbols": \["A", "B", "C"\]/);
    expect(text).toMatch(/\[[\d.e-]+, [\d.e-]+, [\d.e-]+\]/);
    expect(JSON.parse(text)).toEqual(processToJson(hmm));
    expect(Array.from(processFromJsonText(text, "mess3.json").transitions)).toEqual(Array.from(hmm.transitions));
  });
});
