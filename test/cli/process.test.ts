import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run.js";
import { makeProcess } from "../../src/process/catalogue/index.js";

describe("beliefscope process", () => {
  it("info prints the exact optimal losses, the closed-form rate and MSP size", async () => {
    const r = await runCli(["process", "info", "rrxor", "--depth", "12"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("optimal loss per position 0..10 (nats, exact): [0.6931, 0.6931, 0.6365, 0.6285, 0.5987, 0.5776, 0.5615, 0.5398, 0.5269, 0.5158, 0.5033]");
    expect(r.stdout).toContain("entropy rate in [0.4620981203, 0.4620981204] nats/symbol (closed form: unifilar, sum_i pi_i H[X | S = i]) = 0.46209812");
    expect(r.stdout).toContain("mixed-state presentation to depth 12: 36 beliefs (closed: the whole MSP)");
  });

  it("info brackets mess3's entropy rate (the acceptance check's regex and bounds)", async () => {
    const r = await runCli(["process", "info", "mess3"]);
    expect(r.code).toBe(0);
    const m = /entropy rate[^\n]*?\[\s*([0-9.eE+-]+)\s*,\s*([0-9.eE+-]+)\s*\]/.exec(r.stdout);
    expect(m).not.toBeNull();
    const [lo, hi] = [Number(m![1]), Number(m![2])];
    expect(lo).toBeLessThanOrEqual(0.7934575526);
    expect(hi).toBeGreaterThanOrEqual(0.7934575434);
    expect(hi - lo).toBeLessThanOrEqual(1e-5);
    // A point estimate only to the digits the bracket supports.
    expect(r.stdout).toMatch(/entropy rate in \[0\.79345\d+, 0\.79345\d+\] nats\/symbol \(L = \d+, width [0-9.e-]+\) = 0\.79346\n/);
  });

  it("info on a composite, a non-ergodic mixture, says what it is and brackets each class", async () => {
    const r = await runCli(["process", "info", "mixture:mess3(x=0.1),rrxor;weights=0.3,0.7", "--length", "4"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("8 states, 3 symbols, nonunifilar");
    expect(r.stdout).toContain("non-ergodic: 2 closed classes {mess3:0, mess3:1, mess3:2} and {rrxor:A, rrxor:B0, rrxor:B1, rrxor:C0, rrxor:C1} (initial mass 0.3000, 0.7000)");
    const m = /entropy rate in \[([0-9.]+), ([0-9.]+)\]/.exec(r.stdout)!;
    expect(Number(m[2]) - Number(m[1])).toBeLessThan(1e-5);
  });

  it("info on a generalized HMM says why the lower end is 0", async () => {
    const r = await runCli(["process", "info", "tom-quantum", "--max-work", "2e7", "--length", "3", "--depth", "3"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("3 states, 4 symbols, generalized HMM");
    expect(r.stdout).toContain("entropy rate in [0.0000000000, ");
    expect(r.stdout).toContain("generalized HMM: no hidden state, so no Cover & Thomas lower bound");
    expect(r.stdout).toContain(`word probabilities checked nonnegative for every word up to length ${makeProcess("tom-quantum").validatedDepth} (as deep as the check's work budget allowed; longer words are not checked)`);
  });

  it("--max-beliefs and --max-work bound info, which says what the budget cut", async () => {
    const r = await runCli(["process", "info", "random:states=32,symbols=8,seed=1", "--max-beliefs", "500", "--max-work", "5e7"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/exact through position \d, then estimates, the midpoints of certified brackets\): \[/);
    expect(r.stdout).toMatch(/entropy rate in \[[0-9.]+, [0-9.]+\] nats\/symbol \(L = \d+, width [0-9.e-]+, [0-9.e+-]+% of histories pruned by the budget; went on to L = \d+, which needed pruning [0-9.e+-]+%; stopped by the budget/);
    expect(r.stdout).toMatch(/mixed-state presentation to depth 8: 500 beliefs \(truncated by the budget/);
  });

  it("list shows the whole catalogue, its sources and the composites", async () => {
    const r = await runCli(["process", "list"]);
    for (const name of ["coin", "days-of-week", "no-consecutive-ones", "leaky-rrxor", "matching-parens", "mr-name", "trap", "fanizza (generalized HMM)", "post-quantum (generalized HMM)", "tom-quantum (generalized HMM)"]) {
      expect(r.stdout).toContain(`\n${name}: `);
    }
    expect(r.stdout).toContain("source: Astera simplexity transition_matrices.days_of_week");
    expect(r.stdout).toContain("e.g. 'mixture:mess3(x=0.1),rrxor;weights=0.3,0.7'");
    expect(r.stdout).toContain("e.g. 'product:mess3,even'");
  });

  it("saves a process as JSON that loads back with the same numbers", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-"));
    const file = join(dir, "m.json");
    expect((await runCli(["process", "save", "mess3:x=0.1,alpha=0.7", file])).code).toBe(0);
    const json = JSON.parse(await readFile(file, "utf8"));
    expect(json.format).toBe("beliefscope/hmm");
    expect(json.params).toEqual({ x: 0.1, alpha: 0.7 });
    const a = await runCli(["process", "info", file]);
    const b = await runCli(["process", "info", "mess3:x=0.1,alpha=0.7"]);
    expect(a.stdout.split("\n").slice(1)).toEqual(b.stdout.split("\n").slice(1));
  });

  it("reports bad input clearly and exits non-zero", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-"));
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ transitions: [[[0.5, 0.6]], [[0, 0]]] }));
    const r1 = await runCli(["process", "info", bad]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(`error: processFromJson(${bad}): argument 'transitions[0][0]' received a row of length 2; expected a row of length 1`);
    await writeFile(bad, "{ not json");
    const r2 = await runCli(["process", "info", bad]);
    expect(r2.stderr).toContain(`received text that is not valid JSON`);
    const r3 = await runCli(["process", "info", "mess5"]);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toContain(`error: beliefscope process info: argument '<process>' received "mess5"`);
    const r4 = await runCli(["process", "sample", "mess3", "--count", "-2"]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain(`option '--count <n>' argument '-2' is invalid. received "-2"; expected an integer >= 1.`);
    const r5 = await runCli(["process", "info", "mixture:mess3,rrxor;weights=1"]);
    expect(r5.code).toBe(1);
    expect(r5.stderr).toContain(`error: beliefscope process info: argument '<process>' received "mixture:mess3,rrxor;weights=1" (1 weights for 2 components); expected one weight per component.`);
    expect(r5.stderr).not.toMatch(/^\s+at /m);
    await writeFile(bad, JSON.stringify({ states: ["x", "y"], transitions: [[[1, 0], [0, 0]], [[0, 0], [0, 1]]] }));
    const r6 = await runCli(["process", "info", bad]);
    expect(r6.code).toBe(1);
    expect(r6.stderr).toContain(`error: processFromJson(${bad}): argument 'initial' received nothing, for a hidden chain with 2 closed classes {x} and {y}`);
  });

  it("samples sequences with their exact beliefs", async () => {
    const r = await runCli(["process", "sample", "golden-mean", "--count", "3", "--length", "5", "--seed", "7"]);
    const doc = JSON.parse(r.stdout);
    expect(doc.sequences).toHaveLength(3);
    for (const s of doc.sequences) {
      // Golden mean: after a 0 the state is surely B; after a 1, surely A.
      s.tokens.forEach((x: number, t: number) => expect(s.beliefs[t]).toEqual(x === 0 ? [0, 1] : [1, 0]));
    }
  });
});
