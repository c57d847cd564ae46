/**
 * One writer per folder (docs/files.md). A run folder (or a sweep folder) is
 * locked by a file `.lock` holding { pid, hostname, started, command },
 * created exclusively. A second writer is refused, naming the holder; a lock
 * whose process is gone (same host, pid not alive) is stale and taken over.
 * The lock is released when the work ends, and on exit if the work did not.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { unlinkSync } from "node:fs";
import { open, readFile, unlink } from "node:fs/promises";
import { ArgumentError } from "../util/errors.js";
import { makeFolders } from "./outputPath.js";

export const LOCK_FILE = ".lock";

export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly started: string;
  readonly command: string;
}

export interface FolderLock {
  readonly path: string;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    const h = JSON.parse(await readFile(path, "utf8")) as LockHolder;
    return Number.isInteger(h?.pid) ? h : null;
  } catch {
    return null;
  }
}

/**
 * Take the lock on `dir` (creating the folder), or refuse naming the process that holds it.
 * `fn` names the command in the message.
 */
export async function lockFolder(dir: string, fn: string): Promise<FolderLock> {
  await makeFolders(dir);
  const path = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, hostname: hostname(), started: new Date().toISOString(), command: process.argv.slice(2).join(" ") };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(JSON.stringify(me) + "\n");
      await handle.close();
      const onExit = () => {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
      process.once("exit", onExit);
      return {
        path,
        release: async () => {
          process.off("exit", onExit);
          const holder = await readHolder(path);
          if (holder?.pid === me.pid && holder.hostname === me.hostname) await unlink(path).catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = await readHolder(path);
    if (holder && holder.hostname === me.hostname && !alive(holder.pid)) {
      await unlink(path).catch(() => undefined); // stale: its process is gone
      continue;
    }
    if (!holder) {
      // Being written this instant, or damaged: look again once before refusing.
      await new Promise((r) => setTimeout(r, 50));
      const again = await readHolder(path);
      if (!again) {
        throw new ArgumentError({ fn, argument: dir, received: `a folder locked by ${JSON.stringify(path)}, which names no process`, expected: "a folder no other process is writing", hint: `If no other beliefscope command is writing there, delete ${path}.` });
      }
      continue;
    }
    throw new ArgumentError({
      fn,
      argument: dir,
      received: `a folder another process is writing: pid ${holder.pid} on ${holder.hostname} since ${holder.started}${holder.command ? ` (beliefscope ${holder.command})` : ""}`,
      expected: "a folder no other process is writing",
      hint: holder.hostname === me.hostname ? `Wait for it to finish (or stop it: kill ${holder.pid}).` : `Wait for it to finish; if that machine's process is gone, delete ${path}.`,
    });
  }
  throw new ArgumentError({ fn, argument: dir, received: `a lock ${JSON.stringify(path)} that keeps changing`, expected: "a folder no other process is writing" });
}
