// The overwrite rule and the output-location checks from the command line (docs/files.md): each refusal comes
// before any work, names the flag, the path and the problem, and is never "an unexpected error".
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run.js";
import { createModel } from "../../src/model/registry.js";
import { modelToFiles } from "../../src/model/files.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { processToJson } from "../../src/process/json.js";

const clean = (stderr: string) => {
  expect(stderr).not.toContain("unexpected error");
  expect(stderr).not.toMatch(/^\s+at /m);
};

describe("one overwrite rule", () => {
  it("process save onto an existing file fails and leaves it unchanged; --force replaces it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-save-"));
    const P = join(dir, "P");
    expect((await runCli(["process", "save", "mess3", P])).code).toBe(0);
    const before = await readFile(P, "utf8");
    const again = await runCli(["process", "save", "rrxor", P]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`error: beliefscope process save: argument '<file>' received ${JSON.stringify(P)}, which exists; expected a new file. Pass --force to replace it, or choose another name.\n`);
    expect(await readFile(P, "utf8")).toBe(before);
    const forced = await runCli(["process", "save", "rrxor", P, "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(await readFile(P, "utf8")).transitions).toEqual(processToJson(makeProcess("rrxor")).transitions);
  });

  it("tokenizer train refuses a folder holding tokenizers (it would leave stale vocab-N folders)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-tok-"));
    await mkdir(join(dir, "tok", "vocab-300"), { recursive: true });
    const r = await runCli(["tokenizer", "train", "grammar:stories=5", "--vocab", "270", "-o", join(dir, "tok")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: beliefscope tokenizer train: argument '--out' received ${JSON.stringify(join(dir, "tok"))}, which exists and holds vocab-300; expected a new or empty folder. Pass --force to replace it`);
    clean(r.stderr);
  });
});

describe("output locations checked before the work", () => {
  it("refuses /proc, a file for a folder and a folder for a file at once, naming the path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-where-"));
    const file = join(dir, "EXISTING_FILE");
    await writeFile(file, "x");
    // The model argument is not read before the output is checked: a missing one shows the order.
    const cases: [string[], string][] = [
      [["probe", "no-such-run", "-o", "/proc/probes"], `error: beliefscope probe: argument '--out' received "/proc/probes", a path where nothing can be created: its file system refuses new entries, as /proc and /sys do (ENOENT)`],
      [["train", "mess3", "-o", "/proc/run", "--steps", "5"], `error: beliefscope train: argument '--out' received "/proc/run", a path where nothing can be created`],
      [["recover", "no-such-run", "-o", file], `error: beliefscope recover: argument '--out' received ${JSON.stringify(file)}, a file, where a folder is expected`],
    ];
    const run = cases.filter(([args]) => existsSync("/proc/self") || !args.some((a) => a.startsWith("/proc")));
    const results = await Promise.all(run.map(([args]) => runCli(args)));
    run.forEach(([args, message], k) => {
      expect(results[k].code, args.join(" ")).toBe(1);
      expect(results[k].stderr, args.join(" ")).toContain(message);
      clean(results[k].stderr);
    });
  });
});

describe("weights that cannot be misread", () => {
  it("evaluate refuses a model whose data_offsets overlap, naming model.safetensors and the tensor", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-overlap-"));
    const model = await createModel("transformer", { config: { nLayers: 1, dModel: 8, nHeads: 1, dHead: 8, dMlp: 16, nCtx: 4, dVocab: 3 }, seed: 0 });
    const files = await modelToFiles(model, { process: processToJson(makeProcess("mess3")) });
    model.dispose();
    // Point W_K at W_Q's bytes (same size): a reader that only checks sizes loads the wrong tensor.
    const bytes = files.weights;
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    header["blocks.0.attn.W_K"].data_offsets = header["blocks.0.attn.W_Q"].data_offsets;
    const json = new TextEncoder().encode(JSON.stringify(header).padEnd(n, " "));
    expect(json.length).toBe(n);
    const bad = Uint8Array.from(bytes);
    bad.set(json, 8);
    await writeFile(join(dir, "config.json"), files.config);
    await writeFile(join(dir, "model.safetensors"), bad);
    const r = await runCli(["evaluate", dir, "--sequences", "10"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: decodeSafetensors: argument '.*model\.safetensors\["blocks\.0\.attn\.W_(K|Q)"\]' received data_offsets \[\d+, \d+\] overlapping tensor "blocks\.0\.attn\.W_(K|Q)"/);
    clean(r.stderr);
  });
});
