import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { processFromJson, processToJson } from "../../src/process/json.js";
import { loadProcess, resolveProcess, saveProcess } from "../../src/node/processFiles.js";
import { parseCatalogueSpec } from "../../src/process/spec.js";
import { myopicEntropy } from "../../src/process/entropy.js";
import { sampleSequences } from "../../src/process/sample.js";

describe("process JSON", () => {
  it("round-trips through a file with every number intact", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-json-"));
    const hmm = makeProcess("random-hmm", { states: 4, symbols: 3, seed: 2 });
    await saveProcess(hmm, join(dir, "p.json"));
    const back = await loadProcess(join(dir, "p.json"));
    expect(Array.from(back.transitions)).toEqual(Array.from(hmm.transitions));
    expect(back.name).toBe("random-hmm");
    expect(back.params).toEqual({ states: 4, symbols: 3, concentration: 1, seed: 2 });
    expect(await readdir(dir)).toEqual(["p.json"]); // no temp files left behind
  });

  it("accepts the classic transition + emission form", () => {
    const hmm = processFromJson({ transition: [[0.9, 0.1], [0.2, 0.8]], emission: [[1, 0], [0.5, 0.5]], emitFrom: "source" });
    expect(hmm.transitions[(0 * 2 + 0) * 2 + 1]).toBeCloseTo(0.1, 15); // B[0][0] A[0][1]
    expect(hmm.transitions[(1 * 2 + 1) * 2 + 0]).toBeCloseTo(0.5 * 0.2, 15);
  });

  it("names the file and the problem for bad content", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-json-"));
    const f = join(dir, "bad.json");
    await writeFile(f, JSON.stringify({ transitions: [[[0.5, 0.5], [NaN, 1]]] }).replace("null", '"x"'));
    await expect(loadProcess(f)).rejects.toThrow(`processFromJson(${f}): argument 'transitions[0][1][0]' received "x"; expected a finite probability in [0, 1].`);
    expect(() => processFromJson({ transitions: [[[1]]], colour: "red" }, "f.json")).toThrow(
      "processFromJson(f.json): argument 'colour' received an unknown key; expected one of format, version, name, params, symbols, states, transitions, transition, emission, emitFrom, initial, generalized, normalizer, description.",
    );
    expect(() => processFromJson({ name: "x" }, "f.json")).toThrow("argument 'transitions' received nothing; expected labelled matrices T[x][i][j], or 'transition' and 'emission'.");
    expect(() => processFromJson({ format: "other", transitions: [[[1]]] }, "f.json")).toThrow(`argument 'format' received "other"; expected "beliefscope/hmm".`);
    await expect(loadProcess(join(dir, "missing.json"))).rejects.toThrow(/loadProcess: argument 'path' received ".*missing.json"; expected a readable process JSON file/);
  });

  it("does not touch the destination when saving fails", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-json-"));
    const f = join(dir, "keep.json");
    await writeFile(f, "precious");
    // A folder where the parent should be: the write fails and nothing else changes.
    await expect(saveProcess(makeProcess("mess3"), join(f, "child.json"))).rejects.toThrow();
    expect(await readFile(f, "utf8")).toBe("precious");
  });

  it("writes the documented shape", () => {
    const json = processToJson(makeProcess("golden-mean"));
    expect(json).toEqual({
      format: "beliefscope/hmm",
      version: 1,
      name: "golden-mean",
      params: { p: 0.5 },
      symbols: ["0", "1"],
      states: ["A", "B"],
      transitions: [
        [
          [0, 0.5],
          [0, 0],
        ],
        [
          [0.5, 0],
          [1, 0],
        ],
      ],
    });
  });
});

describe("process JSON: initial distribution", () => {
  const islands = {
    states: ["a", "b", "c"],
    transitions: [
      [
        [0.5, 0.5, 0],
        [0.5, 0.5, 0],
        [0, 0, 0],
      ],
      [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 1],
      ],
    ],
  };

  it("rejects a non-ergodic process without 'initial', naming its closed classes", () => {
    expect(() => processFromJson(islands, "islands.json")).toThrow(
      `processFromJson(islands.json): argument 'initial' received nothing, for a hidden chain with 2 closed classes {a, b} and {c}; expected an initial distribution: a process with more than one closed class has no unique stationary distribution. Add "initial": [3 probabilities, one per state], e.g. weights on the classes.`,
    );
    // The classic form is checked the same way.
    expect(() => processFromJson({ transition: [[1, 0], [0, 1]], emission: [[1], [1]] }, "c.json")).toThrow(
      "processFromJson(c.json): argument 'initial' received nothing, for a hidden chain with 2 closed classes {0} and {1}",
    );
  });

  it("accepts it with 'initial', uses it everywhere and round-trips it", () => {
    const hmm = processFromJson({ ...islands, initial: [0.25, 0.25, 0.5] }, "islands.json");
    expect(Array.from(hmm.initial!)).toEqual([0.25, 0.25, 0.5]);
    const back = processFromJson(JSON.parse(JSON.stringify(processToJson(hmm))));
    expect(Array.from(back.initial!)).toEqual([0.25, 0.25, 0.5]);
    // P(first symbol = 1) = P(start in c) = 0.5.
    expect(myopicEntropy(hmm, 1).values[0]).toBeCloseTo(Math.log(2), 14);
    const s = sampleSequences(hmm, { count: 2000, length: 3, seed: 1 });
    const inC = Array.from({ length: 2000 }, (_, n) => s.states[n * 4] === 2).filter(Boolean).length;
    expect(Math.abs(inC - 1000)).toBeLessThan(100); // sd 22
  });

  it("rejects a bad 'initial'", () => {
    expect(() => processFromJson({ ...islands, initial: [0.5, 0.5] }, "i.json")).toThrow(
      "processFromJson(i.json): argument 'initial' received an array of length 2; expected a distribution over the 3 hidden states (3 numbers >= 0 summing to 1).",
    );
    expect(() => processFromJson({ ...islands, initial: [0.5, 0.7, -0.2] }, "i.json")).toThrow("processFromJson(i.json): argument 'initial[2]' received -0.2; expected a probability >= 0.");
    expect(() => processFromJson({ ...islands, initial: [0.5, 0.6, 0] }, "i.json")).toThrow("processFromJson(i.json): argument 'initial' received entries summing to 1.1; expected entries summing to 1 within 0.000001.");
    expect(() => processFromJson({ ...islands, initial: "uniform" }, "i.json")).toThrow(`processFromJson(i.json): argument 'initial' received "uniform"; expected an array of numbers, one per hidden state.`);
  });
});

describe("process specs", () => {
  it("parses names with parameters and rejects malformed ones", async () => {
    expect(parseCatalogueSpec("mess3:x=0.1,alpha=0.6")).toEqual({ name: "mess3", params: { x: 0.1, alpha: 0.6 } });
    expect(parseCatalogueSpec("rrxor")).toEqual({ name: "rrxor", params: {} });
    expect(() => parseCatalogueSpec("mess3:x=")).toThrow(`parseProcessSpec: argument 'spec' received "mess3:x="; expected name or name:key=value,... with numeric values, e.g. "mess3:x=0.05,alpha=0.85".`);
    expect((await resolveProcess("sns:p=0.3")).params).toEqual({ p: 0.3, q: 0.5 });
  });
});
