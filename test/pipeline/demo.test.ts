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
    for (const f of ["report.md", "report.json", "probes.safetensors", "beliefs-final-layer.png", "beliefs-final-layer.svg", "beliefs-concat.png", "loss-curve.png", "run"]) expect(files).toContain(f);
    const report = JSON.parse(await readFile(join(out, "report.json"), "utf8"));
    // mess3's optimal loss over tokens 1..10 is 0.802512 nats (numpy brute force); a briefly trained small model is above it, not absurdly.
    expect(report.loss.optimal).toBeCloseTo(0.802512, 6);
    expect(report.loss.model).toBeGreaterThan(report.loss.optimalSameSequences);
    expect(report.loss.relativeExcess).toBeLessThan(0.15);
    const sites = Object.fromEntries(report.probes.sites.map((s: { label: string }) => [s.label, s]));
    expect(Object.keys(sites)).toEqual(["embed", "layer 0", "layer 1", "concat"]);
    for (const s of Object.values(sites) as { r2: number; beliefKL: number; modelKL: number; controls: Record<string, { r2: number; beliefKL: number }> }[]) {
      for (const key of ["r2", "rmse", "beliefKL", "modelKL"]) expect(typeof (s as never)[key], key).toBe("number");
      for (const c of ["shuffled", "untrained", "1-gram", "2-gram", "3-gram", "4-gram"]) {
        expect(typeof s.controls[c].r2, c).toBe("number");
        expect(typeof s.controls[c].beliefKL, c).toBe("number");
      }
    }
    const gain = (site: string, control: string) =>
      (sites[site].comparisons as { control: string; r2Gain: { estimate: number; lower: number; upper: number } }[]).find((c) => c.control === control)!.r2Gain;
    // Even a briefly trained model's last layer carries beliefs beyond what its initial weights and
    // the last token give (bootstrap intervals above zero), and far beyond shuffled beliefs ...
    expect(gain("layer 1", "untrained").lower).toBeGreaterThan(0);
    expect(gain("layer 1", "1-gram").lower).toBeGreaterThan(0.05);
    expect(gain("layer 1", "shuffled").lower).toBeGreaterThan(0.9);
    // ... while the embedding is exactly one-hot features of the last token and position: no gain over the 1-gram control.
    expect(Math.abs(gain("embed", "1-gram").estimate)).toBeLessThan(1e-6);
    expect(sites.embed.verdict).toMatch(/^not beyond controls: .*1-gram/);
    // All layers together beat every control, with intervals excluding zero.
    expect(sites.concat.verdict).toBe("beyond controls");
    expect(report.verdict).toEqual({ site: "layer 1", verdict: sites["layer 1"].verdict, statement: sites["layer 1"].statement, memoryTokens: sites["layer 1"].memoryTokens });
    // Every site states the memory it is equivalent to (memoryTokens, or null with memoryTokensAbove = K).
    for (const s of Object.values(sites) as { memoryTokens: number | null; memoryTokensAbove?: number }[]) {
      expect(s.memoryTokens === null ? s.memoryTokensAbove : s.memoryTokens).toBeGreaterThanOrEqual(s.memoryTokens === null ? 0 : 1);
    }
    // The embedding is one-hot features of the last token and position: exactly the 1-token lookup.
    expect(sites.embed.memoryTokens).toBe(1);
    expect(report.probes.references["4-gram joint"].r2).toBeGreaterThan(0.9);
    // The certified bracket holds mess3's rate (exact bounds at L = 14 from ../shared/reference/hmm_exact.py).
    expect(r.entropyRate.lower).toBeLessThanOrEqual(0.7934575526);
    expect(r.entropyRate.upper).toBeGreaterThanOrEqual(0.7934575434);
    const md = await readFile(join(out, "report.md"), "utf8");
    expect(md).toContain("# Belief state geometry: mess3");
    expect(md).toContain(`**Verdict at the final layer (layer 1): ${sites["layer 1"].statement}.**`);
    expect(md).toContain(`| model vs optimal on the same sequences | +${(100 * report.loss.relativeExcess).toFixed(2)}% (`);
  });
});
