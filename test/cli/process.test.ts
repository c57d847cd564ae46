import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run.js";

describe("beliefscope process", () => {
  it("info prints the exact optimal losses and MSP size", async () => {
    const r = await runCli(["process", "info", "rrxor", "--depth", "12"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("optimal loss per position (nats): [0.6931, 0.6931, 0.6365, 0.6285, 0.5987, 0.5776, 0.5615, 0.5398, 0.5269, 0.5158]");
    expect(r.stdout).toContain("entropy rate: 0.462098 nats/symbol (unifilar)");
    expect(r.stdout).toContain("mixed-state presentation to depth 12: 36 beliefs (closed: the whole MSP)");
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
    expect(r2.stderr).toContain(`which is not valid JSON`);
    const r3 = await runCli(["process", "info", "mess5"]);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toContain(`error: makeProcess: argument 'name' received "mess5"`);
    const r4 = await runCli(["process", "sample", "mess3", "--count", "-2"]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain(`option '--count <n>' argument '-2' is invalid. received "-2"; expected an integer >= 1.`);
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
