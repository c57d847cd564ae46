/**
 * The lab server against other pages and stuck clients (issue 15, section 12;
 * section 9's --host): a foreign Host header (DNS rebinding) gets 421, error
 * responses say nosniff, 405 says Allow, close() ends with an idle and a
 * half-sent connection open, and a host that does not resolve or is not
 * this machine's is named in the error.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowedHosts, isLoopbackHost, startLabServer, type LabServer } from "../../src/node/labServer.js";
import { rawRequest } from "../lab/rawRequest.js";

const get = rawRequest;

describe("lab server: Host header, headers, shutdown", () => {
  let root: string;
  let lab: LabServer;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "lab-host-"));
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, "index.html"), "<!doctype html><title>lab</title>");
    lab = await startLabServer({ root, port: 0 });
  });
  afterAll(async () => {
    await lab?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("answers its own address and the loopback names, and 421 to any other Host", async () => {
    const port = new URL(lab.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) expect((await get(lab.url, "/", { host })).status, host).toBe(200);
    for (const host of ["rebind.example", `rebind.example:${port}`, `127.0.0.1:${Number(port) + 1}`, "localhost"]) {
      const res = await get(lab.url, "/", { host });
      expect(res.status, host).toBe(421);
      expect(res.body).not.toContain("<title>lab</title>");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
    }
  });

  it("says nosniff on every error, and Allow on 405", async () => {
    const missing = await get(lab.url, "/nothing.js");
    expect([missing.status, missing.headers["x-content-type-options"]]).toEqual([404, "nosniff"]);
    const post = await get(lab.url, "/", { method: "POST" });
    expect([post.status, post.headers.allow, post.headers["x-content-type-options"]]).toEqual([405, "GET, HEAD", "nosniff"]);
  });

  it("lists the hosts it answers: loopback names always, the machine's addresses when serving every interface", () => {
    expect([...allowedHosts("127.0.0.1", 5198)].sort()).toEqual(["127.0.0.1:5198", "[::1]:5198", "localhost:5198"]);
    expect(allowedHosts("::1", 80)).toEqual(new Set(["localhost:80", "localhost", "127.0.0.1:80", "127.0.0.1", "[::1]:80", "[::1]"]));
    expect(allowedHosts("0.0.0.0", 5198).has("127.0.0.1:5198")).toBe(true);
    expect(allowedHosts("0.0.0.0", 5198).has("rebind.example:5198")).toBe(false);
    expect([isLoopbackHost("127.0.0.1"), isLoopbackHost("127.1.2.3"), isLoopbackHost("localhost"), isLoopbackHost("::1"), isLoopbackHost("0.0.0.0"), isLoopbackHost("192.168.1.4")]).toEqual([true, true, true, true, false, false]);
  });

  it("closes with an idle connection and a half-sent request open", async () => {
    const other = await startLabServer({ root, port: 0 });
    const { port } = new URL(other.url);
    const open = (bytes: string) =>
      new Promise<Socket>((resolve) => {
        const s = connect(Number(port), "127.0.0.1", () => {
          if (bytes) s.write(bytes);
          resolve(s);
        });
        s.on("error", () => {});
      });
    const idle = await open("");
    const half = await open("GET / HTTP/1.1\r\nHost: loc");
    const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once("close", () => r())));
    // Without closing every connection, server.close() waits for these clients (the test would time out).
    await other.close();
    await Promise.all([closed(idle), closed(half)]);
    expect(other.server.listening).toBe(false);
  });

  it("names a host that does not resolve, or that is not this machine's", async () => {
    await expect(startLabServer({ root, port: 0, host: "999.1.1.1" })).rejects.toThrow(
      /^beliefscope lab: argument '--host' received "999\.1\.1\.1", which is neither an IP address nor a host name that resolves \((ENOTFOUND|EAI_AGAIN)\); expected an address of this machine, e\.g\. 127\.0\.0\.1/,
    );
    await expect(startLabServer({ root, port: 0, host: "192.0.2.1" })).rejects.toThrow(/^beliefscope lab: argument '--host' received "192\.0\.2\.1", which is not an address of this machine \(EADDRNOTAVAIL\)/);
  });
});
