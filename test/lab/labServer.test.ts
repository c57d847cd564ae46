/**
 * The lab's static server (src/node/labServer.ts, what `beliefscope lab`
 * runs): the types browsers need for module workers and wasm, caching, paths
 * confined to the folder, opt-in cross-origin isolation, and errors that say
 * what to do.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLabRoot, startLabServer, type LabServer } from "../../src/node/labServer.js";
import { ArgumentError } from "../../src/util/errors.js";
import { rawRequest } from "./rawRequest.js";

const get = (url: string, path: string, method = "GET") => rawRequest(url, path, { method });

describe("lab server", () => {
  let root: string;
  let outside: string;
  let lab: LabServer;
  beforeAll(async () => {
    outside = mkdtempSync(join(tmpdir(), "lab-server-"));
    root = join(outside, "web");
    mkdirSync(join(root, "assets"), { recursive: true });
    writeFileSync(join(root, "index.html"), "<!doctype html><title>lab</title>");
    writeFileSync(join(root, "assets", "main-abc123.js"), "export {};");
    writeFileSync(join(root, "assets", "kernels.wasm"), new Uint8Array([0, 0x61, 0x73, 0x6d]));
    writeFileSync(join(outside, "secret.txt"), "not for the browser");
    lab = await startLabServer({ root, port: 0 });
  });
  afterAll(async () => {
    await lab?.close();
    rmSync(outside, { recursive: true, force: true });
  });

  it("serves the page on localhost with the types module workers and wasm need", async () => {
    expect(lab.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(lab.url, "/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.body).toBe("<!doctype html><title>lab</title>");
    const js = await get(lab.url, "/assets/main-abc123.js");
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toMatch(/immutable/);
    expect((await get(lab.url, "/assets/kernels.wasm")).headers["content-type"]).toBe("application/wasm");
    const head = await get(lab.url, "/", "HEAD");
    expect([head.status, head.body, head.headers["content-length"]]).toEqual([200, "", "33"]);
    // No isolation unless asked: it makes jax-js dispatch small kernels to a worker pool.
    expect(page.headers["cross-origin-opener-policy"]).toBeUndefined();
  });

  it("answers 404, 405, and 403 for paths that leave the folder", async () => {
    expect((await get(lab.url, "/nothing.js")).status).toBe(404);
    expect((await get(lab.url, "/assets")).status).toBe(404);
    expect((await get(lab.url, "/", "POST")).status).toBe(405);
    expect((await get(lab.url, "/%2e%2e/secret.txt")).status).toBe(404); // the URL parser resolves dot segments: /secret.txt in the folder
    const escape = await get(lab.url, "/assets/..%2f..%2fsecret.txt");
    expect(escape.status).toBe(403);
    expect(escape.body).not.toMatch(/not for the browser/);
    expect((await get(lab.url, "/%E0%A4%A")).status).toBe(400);
  });

  it("sends COOP/COEP when asked (--isolated)", async () => {
    const isolated = await startLabServer({ root, port: 0, crossOriginIsolated: true });
    try {
      const res = await get(isolated.url, "/");
      expect(res.headers["cross-origin-opener-policy"]).toBe("same-origin");
      expect(res.headers["cross-origin-embedder-policy"]).toBe("require-corp");
    } finally {
      await isolated.close();
    }
  });

  it("says how to build the lab when there is none, and which port is taken", async () => {
    const empty = mkdtempSync(join(tmpdir(), "lab-empty-"));
    try {
      await expect(findLabRoot(empty)).rejects.toThrow(ArgumentError);
      await expect(findLabRoot(empty)).rejects.toThrow(/npm run build/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const port = Number(new URL(lab.url).port);
    await expect(startLabServer({ root, port })).rejects.toThrow(/--port.*a free port/s);
  });
});
