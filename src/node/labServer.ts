/**
 * A static file server for the built lab (dist/web): localhost only, GET and
 * HEAD, paths confined to the folder, the types browsers need for module
 * workers and wasm. The page does all the work in the browser; this only
 * hands out files.
 *
 * Cross-origin isolation (COOP/COEP headers) is off by default: it gives the
 * page SharedArrayBuffer, which makes jax-js's wasm backend dispatch every
 * kernel to a worker pool, measured 35% slower for the lab's models.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ArgumentError } from "../util/errors.js";

export interface LabServerOptions {
  /** Folder of the built app. Default: the package's dist/web. */
  readonly root?: string;
  /** Default 5174; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1 (this machine only). */
  readonly host?: string;
  /** Send COOP/COEP so the page is cross-origin isolated (SharedArrayBuffer). Default false. */
  readonly crossOriginIsolated?: boolean;
}

export interface LabServer {
  readonly url: string;
  readonly root: string;
  readonly server: Server;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/** The built app shipped in the package: dist/web beside dist/node (or, from the sources, ../../dist/web). */
export function defaultLabRoot(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  return resolve(here, "..", "web");
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Find the built app, or throw naming where it looked and how to build it. */
export async function findLabRoot(root?: string): Promise<string> {
  const candidates = root ? [resolve(root)] : [defaultLabRoot(), resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "dist", "web")];
  for (const c of candidates) if (await isFile(join(c, "index.html"))) return c;
  throw new ArgumentError({
    fn: "beliefscope lab",
    argument: "root",
    received: `no index.html in ${candidates.join(" or ")}`,
    expected: "the built lab (dist/web)",
    hint: "Build it with `npm run build` in the beliefscope source folder (a package from npm ships it built).",
  });
}

export async function startLabServer(options: LabServerOptions = {}): Promise<LabServer> {
  const root = await findLabRoot(options.root);
  const host = options.host ?? "127.0.0.1";
  const isolation = options.crossOriginIsolated === true;
  const server = createServer((req, res) => {
    const send = (status: number, text: string) => {
      res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(text);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed");
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(400, "bad request");
    }
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return send(403, "forbidden");
    void stat(file)
      .then((s) => {
        if (!s.isFile()) return send(404, "not found");
        const headers: Record<string, string | number> = {
          "Content-Type": TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
          "Content-Length": s.size,
          // Hashed asset names never change; index.html always revalidates.
          "Cache-Control": path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
          "X-Content-Type-Options": "nosniff",
        };
        if (isolation) {
          headers["Cross-Origin-Opener-Policy"] = "same-origin";
          headers["Cross-Origin-Embedder-Policy"] = "require-corp";
        }
        res.writeHead(200, headers);
        if (req.method === "HEAD") return res.end();
        createReadStream(file).on("error", () => res.destroy()).pipe(res);
      })
      .catch(() => send(404, "not found"));
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new ArgumentError({ fn: "beliefscope lab", argument: "--port", received: String(options.port ?? 5174), expected: "a free port", hint: "Another program listens there: choose another with --port, or --port 0 for any free one." })
          : err,
      ),
    );
    server.listen(options.port ?? 5174, host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    root,
    server,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
