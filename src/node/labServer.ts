/**
 * A static file server for the built lab (dist/web): localhost only, GET and
 * HEAD, paths confined to the folder, the types browsers need for module
 * workers and wasm. Requests whose Host header is not the address served (or
 * a loopback name) get 421, so a page elsewhere cannot reach the server
 * through DNS rebinding; every response says nosniff; close() drops every
 * connection, so one Ctrl-C or SIGTERM ends the process. The page does all the work in the browser; this only
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
import { hostname, networkInterfaces } from "node:os";
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

/** Loopback names of this machine, as a Host header may spell them. */
const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

/** True for an address that serves this machine only. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The Host headers the server answers (lowercase "name:port"): the address it listens on and the loopback
 * names; listening on every interface (0.0.0.0, ::) adds this machine's interface addresses and host name.
 * Any other Host (a page elsewhere reaching the server through DNS rebinding) is refused.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set<string>(LOOPBACK);
  names.add(host.includes(":") && !host.startsWith("[") ? `[${host}]` : host);
  if (host === "0.0.0.0" || host === "::") {
    names.add(hostname());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.family === "IPv6" ? `[${a.address}]` : a.address);
  }
  const out = new Set<string>();
  for (const n of names) {
    out.add(`${n.toLowerCase()}:${port}`);
    if (port === 80) out.add(n.toLowerCase());
  }
  return out;
}

/** The listen error as the command line's: the host or port named, and what is wrong. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const fn = "beliefscope lab";
  switch (err.code) {
    case "EADDRINUSE":
      return new ArgumentError({ fn, argument: "--port", received: String(port), expected: "a free port", hint: "Another program listens there: choose another with --port, or --port 0 for any free one." });
    case "EACCES":
      return new ArgumentError({ fn, argument: "--port", received: `${port}, which this user may not listen on (EACCES)`, expected: "a port from 1024 up, or 0 for any free one" });
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return new ArgumentError({ fn, argument: "--host", received: `${JSON.stringify(host)}, which is neither an IP address nor a host name that resolves (${err.code})`, expected: "an address of this machine, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)" });
    case "EADDRNOTAVAIL":
    case "EINVAL":
      return new ArgumentError({ fn, argument: "--host", received: `${JSON.stringify(host)}, which is not an address of this machine (${err.code})`, expected: "an address of this machine, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)" });
    default:
      return err;
  }
}

export async function startLabServer(options: LabServerOptions = {}): Promise<LabServer> {
  const root = await findLabRoot(options.root);
  const host = options.host ?? "127.0.0.1";
  const isolation = options.crossOriginIsolated === true;
  let hosts = new Set<string>();
  const server = createServer((req, res) => {
    const send = (status: number, text: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", ...extra });
      res.end(text);
    };
    if (!hosts.has((req.headers.host ?? "").toLowerCase())) return send(421, `misdirected request: this server answers Host ${[...hosts][0]} (or another loopback name), not ${JSON.stringify(req.headers.host ?? "")}`);
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed", { Allow: "GET, HEAD" });
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
    server.once("error", (err: NodeJS.ErrnoException) => reject(listenError(err, host, options.port ?? 5174)));
    server.listen(options.port ?? 5174, host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts(host, port);
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    root,
    server,
    // Every connection is closed, idle ones (a browser's preconnect) and unfinished ones alike, so that one
    // signal ends the process.
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
