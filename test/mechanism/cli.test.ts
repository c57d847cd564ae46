import { mkdtemp, readFile, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run.js";

describe("beliefscope construct, then the usual commands on its run folder", () => {
  it("writes a run folder that evaluate, mechanism and recover accept, with its loss against optimal", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-construct-"));
    const run = join(dir, "c");
    const c = await runCli(["construct", "mess3", "-o", run, "--n-ctx", "6", "--sequences", "600", "--eval-sequences", "800"]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/mess3: constructed 1-layer d_model-12 transformer \(attention-only\), linear attention, no LayerNorm, \d heads/);
    const report = JSON.parse(await readFile(join(run, "construct.json"), "utf8"));
    expect(report.format).toBe("beliefscope/construct");
    expect(report.evaluate.relativeExcess).toBeGreaterThan(0);
    expect(report.evaluate.relativeExcess).toBeLessThan(0.03);
    expect(Math.abs(report.evaluate.relativeExcess - report.sampled.relativeExcess)).toBeLessThan(0.01);

    const e = await runCli(["evaluate", run, "--sequences", "500"]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toContain("1-layer d_model-12 transformer (attention-only), linear attention, no LayerNorm, 500 held-out sequences");

    const p = await runCli(["probe", run, "--sequences", "200", "--no-untrained"]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/layer 0\s+(beyond controls|not beyond)\s+(\d+(-\d+)? tokens?|> \d+ tokens|< 1 token|n\/a)\s+0\.9\d{3}/);

    const m = await runCli(["mechanism", run, "-o", join(dir, "mech"), "--sequences", "300", "--decompose", "100", "--eval-sequences", "500", "--no-operators"]);
    expect(m.code, m.stderr).toBe(0);
    const mech = JSON.parse(await readFile(join(dir, "mech", "mechanism.json"), "utf8"));
    for (const h of mech.heads) expect(h.fixedFraction).toBe(1);
    expect(mech.decomposition.relativeError).toBeLessThan(1e-5);

    const r = await runCli(["recover", run, "-o", join(dir, "rec"), "--states", "3", "--tokens", "1200", "--no-baselines", "--no-evaluate"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("recovered 3 states");

    // The folder now exists: construct refuses to replace it without --force.
    const again = await runCli(["construct", "mess3", "-o", run]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("which exists and holds");
    expect(again.stderr).toContain("Pass --force to replace it, or choose another folder.");
  });

  it("construct says which process it cannot build and why", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-construct-bad-"));
    const r = await runCli(["construct", "mess3", "-o", join(dir, "c"), "--max-heads", "2", "--sequences", "200"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: constructLinearAttention: argument 'hmm' received mess3, whose best per-position linear operator has rank \d+ .*expected at most maxHeads = 2 heads\. Raise maxHeads \(--max-heads\)/);
    await mkdir(join(dir, "p"));
    const silent = join(dir, "p", "silent.json");
    await writeFile(silent, JSON.stringify({ format: "beliefscope/hmm", version: 1, name: "silent", transitions: [[[0.5, 0.5], [0.5, 0.5]]] }));
    const one = await runCli(["construct", silent, "-o", join(dir, "c2")]);
    expect(one.code, one.stdout).toBe(1);
    expect(one.stderr).toContain("which has 1 symbol; expected a process with at least 2 symbols");
  });
});

describe("beliefscope animate: bad inputs", () => {
  it("refuses processes over different alphabets, a lone process, and processes with --param", async () => {
    const r = await runCli(["animate", "mess3", "rrxor", "-o", "/tmp/never.gif"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: interpolationSweep: argument 'b' received rrxor with 2 symbols, while mess3 has 3; expected two processes over the same alphabet");
    const lone = await runCli(["animate", "mess3", "-o", "/tmp/never.gif"]);
    expect(lone.stderr).toContain("expected two processes to interpolate between, or --param SPEC");
    const both = await runCli(["animate", "mess3", "mess3:x=0.1", "--param", "mess3:x=0.05..0.1", "-o", "/tmp/never.gif"]);
    expect(both.stderr).toContain("expected either two processes or --param, not both");
  });
});
