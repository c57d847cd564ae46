import { describe, expect, it } from "vitest";
import { rateLine } from "../../src/cli/processCommand.js";
import { infoLossLines, upperEndNote } from "../../src/cli/processInfoLoss.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { entropyRate } from "../../src/process/entropy.js";
import { optimalLoss } from "../../src/process/optimalLoss.js";
import { runCli } from "./run.js";

/** The acceptance check of issue 15 §2: the listed optimal losses are non-increasing and >= the printed rate's lower end. */
function acceptance(stdout: string): number[] {
  const list = /optimal loss per position[^[]*\[([^\]]*)\]/.exec(stdout);
  const lo = /entropy rate in \[\s*([0-9.eE+-]+)\s*,/.exec(stdout);
  expect(list, stdout).not.toBeNull();
  expect(lo, stdout).not.toBeNull();
  const values = list![1].split(",").map(Number);
  values.forEach((v, k) => {
    expect(Number.isFinite(v)).toBe(true);
    expect(v, `position ${k}`).toBeGreaterThanOrEqual(Number(lo![1]));
    if (k > 0) expect(v, `position ${k}`).toBeLessThanOrEqual(values[k - 1]);
  });
  return values;
}

describe("process info: optimal losses that cannot be wrong", () => {
  it("mess3 --max-work 20000: estimates inside printed brackets, non-increasing, >= the rate's lower end", async () => {
    const r = await runCli(["process", "info", "mess3", "--max-work", "20000"]);
    expect(r.code, r.stderr).toBe(0);
    const values = acceptance(r.stdout);
    expect(values).toHaveLength(11);
    expect(values.slice(0, 4)).toEqual([1.0986, 0.8577, 0.8134, 0.7981]); // exact through position 3
    expect(r.stdout).toContain("optimal loss per position 0..10 (nats; exact through position 3, then estimates, the midpoints of certified brackets): [");
    expect(r.stdout).toMatch(/ {2}certified brackets \(the budget, --max-beliefs and --max-work, pruned up to 100% of the histories; tightened with what is proven: h non-increasing, h\(t\) >= the entropy rate's lower end 0\.78701\): 4: \[0\.7870, 0\.7982\], /);
    // Every exact value (0.7947, 0.7938, ...; numpy) lies in its printed bracket.
    const m = /expected optimal loss, mean over positions 1\.\.10: in \[([0-9.]+), ([0-9.]+)\] nats, estimate ([0-9.]+) \(n_ctx 10, the training default; --n-ctx; raise --max-work to narrow it\)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(0.8025117746);
    expect(Number(m![2])).toBeGreaterThanOrEqual(0.8025117746);
  });

  it("mess3 at the default budget prints the exact mean over positions 1..10, 0.80251 (what train prints as 0.8025)", async () => {
    const r = await runCli(["process", "info", "mess3", "--depth", "2"]);
    expect(r.code, r.stderr).toBe(0);
    acceptance(r.stdout);
    expect(r.stdout).toContain("optimal loss per position 0..10 (nats, exact): [1.0986, 0.8577, 0.8134, 0.7981, 0.7947, 0.7938, 0.7935, 0.7935, 0.7935, 0.7935, 0.7935]");
    expect(r.stdout).toContain("expected optimal loss, mean over positions 1..10: 0.80251 nats (exact; n_ctx 10, the training default; --n-ctx)");
  });

  it("random-hmm:states=64,symbols=16,seed=1 at info's default budget (in process): the lines pass the acceptance check", () => {
    const hmm = makeProcess("random-hmm", { states: 64, symbols: 16, seed: 1 });
    // process info's shares of --max-work 3e8: half for the rate, a quarter for the losses.
    const rate = entropyRate(hmm, { maxWork: 1.5e8 });
    const o = optimalLoss(hmm, 10, { maxWork: 7.5e7, rate });
    expect(o.exact).toBe(false);
    const text = [...infoLossLines(o, rate, 10), rateLine(rate)].join("\n");
    acceptance(text);
    // The issue: train printed "expected optimal 2.7703" though every h(L) >= 2.77247.
    expect(o.mean).toBeGreaterThanOrEqual(rate.lower);
    expect(text).toMatch(/expected optimal loss, mean over positions 1\.\.10: in \[2\.7724\d, 2\.7724\d\] nats, estimate 2\.7724\d/);
  });

  it("a generalized HMM's bracket (tom-quantum) says its upper end was still falling where the budget stopped it", () => {
    const rate = entropyRate(makeProcess("tom-quantum"), { maxWork: 2e7 });
    expect(rate.lowerBound).toBe("trivial");
    const [a, b] = rate.steps.filter((s) => s.prunedUpper === 0).slice(-2);
    expect(upperEndNote(rate)).toBe(
      `  the upper end was still falling when the budget stopped it (by ${(a.upper - b.upper).toExponential(2)} from L = ${a.L} to L = ${b.L}, the last depths enumerated in full), so the rate may lie well below it; no cheap certified lower bound exists without a hidden state (raise --max-beliefs and --max-work for a few more depths: the beliefs of this process do not merge, so each depth costs about ${(b.beliefs / a.beliefs).toFixed(1)} times the last).`,
    );
    expect(a.upper - b.upper).toBeGreaterThan(1e-4);
  });
});
