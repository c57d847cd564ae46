import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run.js";

describe("beliefscope train + probe", () => {
  it("trains a tiny model, then probes the hooks asked for and writes figures", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-probe-"));
    const run = join(dir, "run");
    const t = await runCli(["train", "mess3", "-o", run, "--preset", "small", "--layers", "1", "--d-model", "16", "--heads", "2", "--d-head", "8", "--d-mlp", "32", "--steps", "30", "--lr", "3e-3"]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/trained 30 steps with [a-z-]+[^;]*; held-out loss 0\.\d{4} nats, \d+\.\d{2}% above optimal on the same sequences \(expected optimal 0\.8025, mean over positions 1\.\.10 at n_ctx 10\); model in /);
    const p = await runCli(["probe", run, "--hooks", "blocks.0.hook_resid_post,hook_embed+blocks.0.hook_resid_post", "--sequences", "300", "-o", join(dir, "probes")]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain("blocks.0.hook_resid_post");
    const probes = JSON.parse(await readFile(join(dir, "probes", "probes.json"), "utf8"));
    expect(probes.sites.map((s: { hooks: string[] }) => s.hooks)).toEqual([["blocks.0.hook_resid_post"], ["hook_embed", "blocks.0.hook_resid_post"]]);
    for (const s of probes.sites) {
      expect(s.r2).toBeGreaterThan(0.5);
      expect(s.controls.shuffled.r2).toBeLessThan(0.01);
      expect(s.verdict).toMatch(/^(beyond controls|not beyond controls: .+)$/);
    }
    // The fitted probes, one probe-file layout: "<site>.weight" [d_features, n_states], the hooks in the metadata.
    const { decodeSafetensors } = await import("../../src/util/safetensors.js");
    const file = decodeSafetensors(new Uint8Array(await readFile(join(dir, "probes", "probes.safetensors"))));
    const weights = file.tensors;
    expect(weights["blocks_0_hook_resid_post.weight"].shape).toEqual([16, 3]);
    expect(weights["hook_embed_blocks_0_hook_resid_post.weight"].shape).toEqual([32, 3]);
    expect(file.metadata.layout).toBe("beliefs = activations @ weight + bias");
    expect(JSON.parse(file.metadata.sites)[1].hooks).toEqual(["hook_embed", "blocks.0.hook_resid_post"]);
    expect(weights["hook_embed_blocks_0_hook_resid_post.bias"].shape).toEqual([3]);
    expect((await readdir(join(dir, "probes"))).filter((f) => f.endsWith(".png"))).toHaveLength(2);
    const bad = await runCli(["probe", run, "--hooks", "blocks.7.hook_resid_post"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`error: beliefscope probe: argument '--hooks' received "blocks.7.hook_resid_post"; expected hooks of this model: hook_embed, hook_pos_embed, blocks.0.hook_resid_pre,`);
  });

  it("explains a missing model folder", async () => {
    const r = await runCli(["probe", "/nonexistent/run"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: loadTrainedModel: argument 'dir' received "/nonexistent/run", which has no model/config.json; expected a model folder (config.json + model.safetensors) or a run folder whose training finished. Train one with`);
  });
});
