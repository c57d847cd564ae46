/**
 * The experiment's bars on the demo (which trains on the fast engine where it
 * applies): the anchor model trained on mess3, held-out loss within 1% of
 * optimal, final-layer probe R^2 >= 0.99, shuffled-control R^2 <= 0.01. Read
 * from the demo's report.json, as ../shared/acceptance reads it.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDemoInFolder } from "../src/node/demo.js";

interface ReportJson {
  loss: { relativeExcess: number; model: number; optimalSameSequences: number; optimal: number };
  probes: { sites: Site[] };
  training?: { engine?: string; seconds?: number };
}
interface Site {
  label: string;
  r2: number;
  rmse: number;
  verdict?: string;
  controls?: Record<string, { r2: number | null }>;
  /** Older report format. */
  shuffledR2?: number;
  untrainedR2?: number;
}

const controlR2 = (s: Site, name: "shuffled" | "untrained"): number | undefined =>
  s.controls?.[name]?.r2 ?? (name === "shuffled" ? s.shuffledR2 : s.untrainedR2) ?? undefined;

export async function bars(steps: number): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), "beliefscope-bars-"));
  try {
    const t0 = performance.now();
    let engine = "";
    await runDemoInFolder(dir, { training: { steps }, events: { onStart: (i) => (engine = i.engine) } });
    const seconds = (performance.now() - t0) / 1000;
    const r = JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as ReportJson;
    const layers = r.probes.sites.filter((s) => s.label.startsWith("layer"));
    const final = layers[layers.length - 1];
    const checks = [
      { bar: "held-out loss within 1% of optimal", pass: r.loss.relativeExcess <= 0.01, shown: `${(100 * r.loss.relativeExcess).toFixed(2)}% above the optimal predictor on the same sequences (${r.loss.model.toFixed(4)} vs ${r.loss.optimalSameSequences.toFixed(4)} nats)` },
      { bar: "final-layer probe R^2 >= 0.99", pass: final.r2 >= 0.99, shown: final.r2.toFixed(4) },
      { bar: "shuffled-control R^2 <= 0.01", pass: (controlR2(final, "shuffled") ?? 1) <= 0.01, shown: String(controlR2(final, "shuffled")?.toFixed(4)) },
    ];
    console.log(`\nbars: the demo (anchor model on mess3, ${steps} steps on ${engine}; ${seconds.toFixed(0)} s in all)`);
    for (const c of checks) console.log(`  ${c.pass ? "PASS" : "FAIL"}  ${c.bar}: ${c.shown}`);
    for (const s of r.probes.sites) {
      console.log(`    ${s.label.padEnd(8)} R^2 ${s.r2.toFixed(4)} | shuffled ${controlR2(s, "shuffled")?.toFixed(4)} | untrained ${controlR2(s, "untrained")?.toFixed(4)}${s.verdict ? `  (${s.verdict})` : ""}`);
    }
    return {
      steps, seconds, engine, trainSeconds: r.training?.seconds, loss: r.loss,
      probes: r.probes.sites.map((s) => ({ site: s.label, r2: s.r2, rmse: s.rmse, shuffledR2: controlR2(s, "shuffled"), untrainedR2: controlR2(s, "untrained"), verdict: s.verdict })),
      pass: checks.every((c) => c.pass),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
