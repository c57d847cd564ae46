import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDemoInFolder } from "../../src/node/demo.js";

// The whole pipeline (acceptance tier) on a small model and few steps: it must run end to end and
// produce a coherent report. The science bars on the full model live in `npm run bench`.
describe("demo pipeline", () => {
  it("trains, evaluates, probes and writes figures and a report", async () => {
    const out = await mkdtemp(join(tmpdir(), "bs-demo-"));
    const r = await runDemoInFolder(out, {
      preset: "small",
      training: { steps: 150, seed: 0 },
      evalSequences: 500,
      probeSequences: 600,
    });
    const files = await readdir(out);
    for (const f of ["report.md", "report.json", "beliefs-final-layer.png", "beliefs-final-layer.svg", "beliefs-concat.png", "loss-curve.png", "run"]) expect(files).toContain(f);
    const report = JSON.parse(await readFile(join(out, "report.json"), "utf8"));
    // mess3's optimal loss over tokens 1..10 is 0.802512 nats (numpy brute force); a briefly trained small model is above it, not absurdly.
    expect(report.loss.optimal).toBeCloseTo(0.802512, 6);
    expect(report.loss.model).toBeGreaterThan(report.loss.optimalSameSequences);
    expect(report.loss.relativeExcess).toBeLessThan(0.15);
    const sites = Object.fromEntries(report.probes.sites.map((s: { label: string }) => [s.label, s]));
    expect(Object.keys(sites)).toEqual(["embed", "layer 0", "layer 1", "concat"]);
    // Even a briefly trained model represents beliefs far better than chance, and the control does not.
    expect(sites["layer 1"].r2).toBeGreaterThan(0.85);
    expect(sites["layer 1"].shuffledR2).toBeLessThan(0.01);
    expect(sites.concat.r2).toBeGreaterThanOrEqual(sites["layer 1"].r2 - 0.01);
    // The certified bracket holds mess3's rate (exact bounds at L = 14 from ../shared/reference/hmm_exact.py).
    expect(r.entropyRate.lower).toBeLessThanOrEqual(0.7934575526);
    expect(r.entropyRate.upper).toBeGreaterThanOrEqual(0.7934575434);
    const md = await readFile(join(out, "report.md"), "utf8");
    expect(md).toContain("# Belief state geometry: mess3");
    expect(md).toContain(`| model vs optimal on the same sequences | +${(100 * report.loss.relativeExcess).toFixed(2)}% (`);
  });
});
