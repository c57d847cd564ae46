import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { processFromJson, processToJson } from "../../src/process/json.js";
import { loadProcess, resolveProcess, saveProcess } from "../../src/node/processFiles.js";
import { parseCatalogueSpec } from "../../src/process/spec.js";

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
      "processFromJson(f.json): argument 'colour' received an unknown key; expected one of format, version, name, params, symbols, states, transitions, transition, emission, emitFrom, description.",
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

describe("process specs", () => {
  it("parses names with parameters and rejects malformed ones", async () => {
    expect(parseCatalogueSpec("mess3:x=0.1,alpha=0.6")).toEqual({ name: "mess3", params: { x: 0.1, alpha: 0.6 } });
    expect(parseCatalogueSpec("rrxor")).toEqual({ name: "rrxor", params: {} });
    expect(() => parseCatalogueSpec("mess3:x=")).toThrow(`parseProcessSpec: argument 'spec' received "mess3:x="; expected name or name:key=value,... with numeric values, e.g. "mess3:x=0.05,alpha=0.85".`);
    expect((await resolveProcess("sns:p=0.3")).params).toEqual({ p: 0.3, q: 0.5 });
  });
});
