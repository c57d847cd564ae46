import { mkdir, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processFromJson } from "../../src/process/index.js";
import { decodeSafetensors } from "../../src/util/safetensors.js";
import { runCli } from "../cli/run.js";

describe("beliefscope recover", () => {
  it("recovers from a tiny trained run, writes a process file that process info and train accept, and rejects bad input clearly", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-recover-"));
    const run = join(dir, "run");
    const t = await runCli(["train", "z1r", "-o", run, "--preset", "small", "--layers", "1", "--d-model", "16", "--heads", "2", "--d-head", "8", "--d-mlp", "32", "--steps", "150", "--lr", "3e-3"]);
    expect(t.code, t.stderr).toBe(0);

    const out = join(dir, "rec");
    const r = await runCli(["recover", run, "-o", out, "--tokens", "1500", "--seed", "1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^recovered \d states \(spectrum rule: \d\)/);
    expect(r.stdout).toMatch(/vs z1r: TV6 0\.\d{4} \(model 0\.\d{4}, Baum-Welch 0\.\d{4}\), held-out loss /);
    const files = await readdir(out);
    for (const f of ["recovered.json", "beliefs.safetensors", "probe.safetensors", "report.md", "report.json", "spectrum.png", "beliefs.png", "hmm.png", "spectrum.svg"]) expect(files).toContain(f);
    const recovered = processFromJson(JSON.parse(await readFile(join(out, "recovered.json"), "utf8")));
    expect(recovered.nSymbols).toBe(2);
    const report = JSON.parse(await readFile(join(out, "report.json"), "utf8"));
    expect(report.states).toBe(recovered.nStates);
    const names = report.evaluation.candidates.map((c: { name: string }) => c.name);
    for (const n of ["recovered", "model", "Baum-Welch", "spectral"]) expect(names).toContain(n);
    const md = await readFile(join(out, "report.md"), "utf8");
    expect(md).toContain("derived under stationarity");
    // Recovered vs truth beside the model vs truth, up front.
    expect(md).toMatch(/\*\*Against z1r\*\* \(3 states; never used in the fit\): word-distribution TV at length 6: recovered 0\.\d{4}, the model itself 0\.\d{4}, Baum-Welch on \d+ true tokens 0\.\d{4}/);
    const beliefs = decodeSafetensors(new Uint8Array(await readFile(join(out, "beliefs.safetensors")))).tensors;
    expect(beliefs.beliefs.shape.slice(1)).toEqual([10, recovered.nStates]);
    const probe = decodeSafetensors(new Uint8Array(await readFile(join(out, "probe.safetensors"))));
    expect(probe.tensors.weight.shape).toEqual([16, recovered.nStates]);

    // The recovered process works everywhere a process file does.
    const info = await runCli(["process", "info", join(out, "recovered.json")]);
    expect(info.code, info.stderr).toBe(0);
    const retrain = await runCli(["train", join(out, "recovered.json"), "-o", join(dir, "retrain"), "--preset", "small", "--layers", "1", "--d-model", "16", "--heads", "2", "--d-head", "8", "--d-mlp", "32", "--steps", "3"]);
    expect(retrain.code, retrain.stderr).toBe(0);

    // Bad input: clear messages, no stack traces.
    const site = await runCli(["recover", run, "-o", join(dir, "x"), "--site", "blocks.7.hook_resid_post"]);
    expect(site.code).toBe(1);
    expect(site.stderr).toContain(`error: beliefscope recover: argument '--site' received "blocks.7.hook_resid_post"; expected "concat" or a hook of this model`);
    expect(site.stderr).not.toMatch(/\n\s+at /);
    const zero = await runCli(["recover", run, "-o", join(dir, "x"), "--states", "0"]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain(`received "0"; expected "auto" or a number of hidden states from 1 to 64.`);
    const empty = join(dir, "empty");
    await mkdir(empty);
    const noModel = await runCli(["recover", empty, "-o", join(dir, "x")]);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toContain("which has no model/config.json; expected a model folder (config.json + model.safetensors) or a run folder whose training finished");
    expect(noModel.stderr).not.toMatch(/\n\s+at /);
    // A run folder whose training never finished (run.json, no model yet): says how to continue it.
    const unfinished = join(dir, "unfinished");
    await mkdir(unfinished);
    await writeFile(join(unfinished, "run.json"), await readFile(join(run, "run.json")));
    const partial = await runCli(["recover", unfinished, "-o", join(dir, "x")]);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain("The run has not finished; continue it with `beliefscope train --resume DIR`.");
    expect(await readdir(dir)).not.toContain("x"); // bad input writes nothing
  });
});
