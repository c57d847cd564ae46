import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../..", import.meta.url));
const src = join(root, "src");

/** The layers of src/, bottom first: a folder imports only folders at its level or below (ARCHITECTURE.md). */
const RANK: Record<string, number> = {
  util: 0,
  "version.ts": 0,
  process: 1,
  geometry: 2,
  plot: 3,
  engine: 4,
  model: 5,
  train: 6,
  probe: 7,
  recover: 8,
  mechanism: 9,
  language: 10,
  pipeline: 11,
  "index.ts": 12,
  node: 13,
  cli: 14,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const layerOf = (file: string): string => relative(src, file).split("/")[0];
const importsOf = (file: string): string[] =>
  [...readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]).filter((s) => s.startsWith("."));

describe("layering", () => {
  it("every import points down the layers (geometry never imports probe, plot never imports train, ...)", () => {
    const violations: string[] = [];
    for (const file of files(src)) {
      const from = layerOf(file);
      expect(RANK[from], `${relative(root, file)} is in an unknown layer: add it to RANK`).toBeDefined();
      for (const spec of importsOf(file)) {
        const target = layerOf(resolve(dirname(file), spec));
        if (RANK[target] > RANK[from]) violations.push(`${relative(root, file)} imports ${spec} (${from} -> ${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("the core (everything but node/ and cli/) uses no Node built-ins", () => {
    const offenders: string[] = [];
    for (const file of files(src)) {
      if (RANK[layerOf(file)] >= RANK.node) continue;
      const text = readFileSync(file, "utf8");
      if (/from\s+"node:|from\s+"(fs|path|os|child_process|worker_threads|url)"|\bBuffer\.|\bprocess\.(argv|exit|stdout|stderr|env)\b|readFileSync/.test(text)) offenders.push(relative(root, file));
    }
    expect(offenders).toEqual([]);
  });

  it("bundles the core for the browser with esbuild, with no Node built-ins", async () => {
    const result = await build({
      entryPoints: [join(src, "index.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
      // Optional WebGPU for Node is loaded only on request and never in a browser.
      external: ["webgpu"],
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0].text;
    expect(code).not.toMatch(/from\s*"node:|require\("(fs|path|node:)/);
    expect(code.length).toBeGreaterThan(100_000);
  }, 60_000);
});
