// Every kind of probe file (the demo's probes.safetensors, `probe -o`'s, recover's probe.safetensors) read
// with numpy alone (test/fixtures/probe_apply.py, a header parser of a few lines): each has "weight"
// [d_features, n_states] and "bias" [n_states] tensors, names its hooks in the metadata, and
// activations @ weight + bias reproduces the beliefs the toolkit computed from it.
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseSites } from "../../src/cli/probeCommand.js";
import type { SequenceModel } from "../../src/model/sequenceModel.js";
import { runDemoInFolder } from "../../src/node/demo.js";
import { loadTrainedModel } from "../../src/node/runFolder.js";
import { probeBeliefs, type ProbeReport } from "../../src/probe/beliefProbe.js";
import { decodeProbeFile, encodeProbeFile, probeFileFromReport, PROBE_LAYOUT } from "../../src/probe/probeFile.js";
import { splitBySequence } from "../../src/probe/split.js";
import type { Hmm } from "../../src/process/hmm.js";
import { sampleSequences } from "../../src/process/sample.js";
import { recoverHmm } from "../../src/recover/recoverHmm.js";
import { recoveryBeliefsFile, recoveryProbeFile } from "../../src/recover/recoveryFiles.js";
import { deriveSeed } from "../../src/util/rng.js";
import { encodeSafetensors, type NamedTensor } from "../../src/util/safetensors.js";

const fixtures = fileURLToPath(new URL("../fixtures", import.meta.url));
const hasNumpy = spawnSync("python3", ["-c", "import numpy"]).status === 0;

interface SiteCheck {
  hooks: string[];
  weight: number[];
  bias: number[];
  rows: number;
  maxError: number;
}
interface Check {
  process: string;
  tensors: Record<string, number[]>;
  sites: Record<string, SiteCheck>;
}

/** probe_apply.py on a probe file, activations, the beliefs expected per site and (optionally) the rows they are of. */
async function numpyCheck(dir: string, name: string, spec: { probe: string; activations: string; expected: Record<string, [string, string]>; rows?: [string, string] }): Promise<Check> {
  const path = join(dir, `${name}-spec.json`);
  await writeFile(path, JSON.stringify(spec));
  const p = spawnSync("python3", [join(fixtures, "probe_apply.py"), path], { encoding: "utf8" });
  expect(p.status, p.stderr).toBe(0);
  return JSON.parse(p.stdout) as Check;
}

/** The hooks' activations [batch, pos, d] on these tokens, as `beliefscope activations` writes them. */
async function activationsFile(model: SequenceModel, tokens: Int32Array, hooks: readonly string[]): Promise<Uint8Array> {
  const L = model.nCtx;
  const { cache } = await model.runWithCache(tokens, L, { names: [...new Set(hooks)] });
  const tensors: Record<string, NamedTensor> = { tokens: { dtype: "I32", shape: [tokens.length / L, L], data: tokens } };
  for (const h of new Set(hooks)) {
    const t = cache.get(h);
    tensors[h] = { dtype: "F32", shape: t.shape, data: t.data as Float32Array }; // [batch, pos, d]
  }
  return encodeSafetensors(tensors);
}

/** What probeBeliefs fitted on (its data and split, seeded), and the held-out predictions it reported per site. */
async function reportedBeliefs(dir: string, name: string, model: SequenceModel, hmm: Hmm, report: ProbeReport, seed: number) {
  const tokens = sampleSequences(hmm, { count: report.sequences, length: model.nCtx, seed: deriveSeed(seed, "probe-data") }).tokens;
  await writeFile(join(dir, `${name}-acts.safetensors`), await activationsFile(model, tokens, report.sites.flatMap((s) => s.hooks)));
  const split = splitBySequence(report.sequences, model.nCtx, 0.5, seed);
  const expected: Record<string, NamedTensor> = { rows: { dtype: "I32", shape: [split.test.length], data: split.test } };
  for (const s of report.sites) expected[s.label] = { dtype: "F64", shape: [report.testRows, report.nStates], data: report.testPredictions[s.label].data };
  await writeFile(join(dir, `${name}-expected.safetensors`), encodeSafetensors(expected));
  const file = join(dir, `${name}-expected.safetensors`);
  const key = (label: string) => `${label.replace(/[^A-Za-z0-9_]+/g, "_")}.weight`;
  return {
    activations: join(dir, `${name}-acts.safetensors`),
    rows: [file, "rows"] as [string, string],
    expected: Object.fromEntries(report.sites.map((s) => [key(s.label), [file, s.label] as [string, string]])),
  };
}

/** The acceptance rule for every probe file: "...weight" 2-D [d_features >= 3, n_states], "...bias" [n_states]. */
function expectLayout(check: Check, nStates: number): void {
  const names = Object.keys(check.tensors);
  expect(names.length).toBeGreaterThan(0);
  for (const n of names) {
    const shape = check.tensors[n];
    if (n.endsWith("weight")) {
      expect(shape.length, n).toBe(2);
      expect(shape[1], n).toBe(nStates);
      expect(shape[0], n).toBeGreaterThanOrEqual(3);
    } else {
      expect(n.endsWith("bias"), n).toBe(true);
      expect(shape, n).toEqual([nStates]);
    }
  }
}

describe.skipIf(!hasNumpy)("probe files read with numpy alone", () => {
  let dir: string;
  let model: SequenceModel;
  let hmm: Hmm;
  let demoReport: ProbeReport;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bs-probefiles-"));
    const r = await runDemoInFolder(join(dir, "demo"), { preset: "1l", model: { dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 }, training: { steps: 10, seed: 0 }, evalSequences: 100, probeSequences: 100 });
    demoReport = r.probes;
    const loaded = await loadTrainedModel(join(dir, "demo", "run"));
    model = loaded.model;
    hmm = loaded.process;
  }, 60_000);

  it("the demo's probes.safetensors reproduces its held-out predictions at every site", async () => {
    const probe = join(dir, "demo", "probes.safetensors");
    const spec = await reportedBeliefs(dir, "demo", model, hmm, demoReport, 2);
    const check = await numpyCheck(dir, "demo", { probe, ...spec });
    expectLayout(check, 3);
    expect(check.process).toBe("mess3");
    expect(Object.keys(check.sites)).toEqual(["embed.weight", "layer_0.weight"]);
    expect(check.sites["layer_0.weight"]).toMatchObject({ hooks: ["blocks.0.hook_resid_post"], weight: [16, 3], bias: [3], rows: demoReport.testRows });
    expect(check.sites["embed.weight"].hooks).toEqual(["blocks.0.hook_resid_pre"]);
    // Float64 arithmetic on the same float32 activations, summed in another order: agreement to rounding (about 1e-15).
    for (const s of Object.values(check.sites)) expect(s.maxError).toBeLessThan(1e-12);
    // And the TypeScript reader agrees with the writer.
    const decoded = decodeProbeFile(new Uint8Array(await readFile(probe)), probe);
    expect(decoded.sites.map((s) => s.label)).toEqual(["embed", "layer 0"]);
  });

  it("`probe -o`'s file keeps concatenated hooks in their order and reproduces the held-out predictions", async () => {
    const sites = parseSites("blocks.0.hook_resid_post,blocks.0.hook_resid_post+hook_embed", model.hookNames(), "test");
    // Controls off: only the fitted probes matter here.
    const report = await probeBeliefs(model, hmm, { sites, sequences: 80, seed: 5, shuffledControl: false, kgramOrders: [], referenceKgramOrders: [], resamples: 20 });
    const probe = join(dir, "probe-o.safetensors");
    await writeFile(probe, encodeProbeFile(probeFileFromReport(report))); // as probeCommand writes it
    const check = await numpyCheck(dir, "probe-o", { probe, ...(await reportedBeliefs(dir, "probe-o", model, hmm, report, 5)) });
    expectLayout(check, 3);
    expect(check.sites["blocks_0_hook_resid_post_hook_embed.weight"]).toMatchObject({ hooks: ["blocks.0.hook_resid_post", "hook_embed"], weight: [32, 3] });
    for (const s of Object.values(check.sites)) expect(s.maxError).toBeLessThan(1e-12);
  });

  it("recover's probe.safetensors maps the activations onto the stored mapped_activations of beliefs.safetensors", async () => {
    const rec = await recoverHmm(model, { site: ["blocks.0.hook_resid_post"], states: 3, tokens: 400, prefixes: 40, iterations: 5, seed: 0 });
    const probe = join(dir, "probe.safetensors");
    const beliefs = join(dir, "beliefs.safetensors");
    await writeFile(probe, recoveryProbeFile(rec));
    await writeFile(beliefs, recoveryBeliefsFile(rec, model.nCtx));
    const tokens = rec.samples.tokens.slice(0, rec.activationSequences * model.nCtx);
    await writeFile(join(dir, "rec-acts.safetensors"), await activationsFile(model, tokens, rec.map.site));
    const check = await numpyCheck(dir, "rec", { probe, activations: join(dir, "rec-acts.safetensors"), expected: { weight: [beliefs, "mapped_activations"] } });
    expectLayout(check, 3);
    expect(Object.keys(check.tensors).sort()).toEqual(["bias", "weight"]);
    expect(check.sites.weight).toMatchObject({ hooks: ["blocks.0.hook_resid_post"], weight: [16, 3], rows: rec.activationSequences * model.nCtx });
    expect(check.sites.weight.maxError).toBeLessThan(1e-12);
  }, 30_000);
});

describe("decodeProbeFile", () => {
  it("refuses a file in the old layout or with broken metadata, naming the file", () => {
    const old = encodeSafetensors({ "layer_0.weight": { dtype: "F32", shape: [3, 16], data: new Float32Array(48) }, "layer_0.bias": { dtype: "F32", shape: [3], data: new Float32Array(3) } }, { process: "mess3" });
    expect(() => decodeProbeFile(old, "old/probes.safetensors")).toThrow(
      `decodeProbeFile: argument 'old/probes.safetensors' received a safetensors file without probe metadata (a file from beliefscope 0.2 stores [n_states, d_features] weights); expected a probe file whose metadata says layout "${PROBE_LAYOUT}".`,
    );
    const t = { dtype: "F64" as const, shape: [4, 3], data: new Float64Array(12) };
    const bad = encodeSafetensors({ weight: t }, { layout: PROBE_LAYOUT, n_states: "3", sites: '{"weight":"weight"}' });
    expect(() => decodeProbeFile(bad, "x/probe.safetensors")).toThrow(`decodeProbeFile: argument 'x/probe.safetensors metadata "sites"' received "{\\"weight\\":\\"weight\\"}"; expected a JSON list of sites`);
    const noBias = encodeSafetensors({ weight: t }, { layout: PROBE_LAYOUT, n_states: "3", sites: '[{"weight":"weight","bias":"bias","hooks":["hook_embed"]}]' });
    expect(() => decodeProbeFile(noBias, "x/probe.safetensors")).toThrow(`decodeProbeFile: argument 'x/probe.safetensors tensors "weight", "bias"' received F64 [4, 3] and no bias; expected F64 [d_features, 3] and F64 [3].`);
  });
});
