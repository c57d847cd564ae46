import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkOutputDir, checkOutputFile, clearOutputs, describeWriteError, makeFolders } from "../../src/node/outputPath.js";
import { LOCK_FILE, lockFolder } from "../../src/node/lock.js";
import { writeFileAtomically } from "../../src/node/atomicWrite.js";

const opts = { fn: "beliefscope test", flag: "--out" };
const errno = (code: string, path?: string) => Object.assign(new Error(code), { code, path });

describe("output locations are checked before the work", () => {
  it("accepts a new folder or file and leaves nothing behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-out-"));
    expect(await checkOutputDir(join(dir, "a", "b"), opts)).toEqual({ existing: false });
    expect(await checkOutputFile(join(dir, "c", "d.json"), opts)).toEqual({ existing: false });
    expect(await readdir(dir)).toEqual([]); // the folders it made to test, and its probe files, are gone
    await mkdir(join(dir, "empty"));
    expect(await checkOutputDir(join(dir, "empty"), opts)).toEqual({ existing: false });
    expect(await readdir(join(dir, "empty"))).toEqual([]);
  });

  it("refuses existing output without --force, naming what exists, and accepts it with --force or --resume", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-out-"));
    const file = join(dir, "P.json");
    await writeFile(file, "old");
    await expect(checkOutputFile(file, { ...opts, force: false })).rejects.toThrow(
      `beliefscope test: argument '--out' received ${JSON.stringify(file)}, which exists; expected a new file. Pass --force to replace it, or choose another name.`,
    );
    expect(await readFile(file, "utf8")).toBe("old");
    expect(await checkOutputFile(file, { ...opts, force: true })).toEqual({ existing: true });
    const run = join(dir, "run");
    await mkdir(join(run, "checkpoints"), { recursive: true });
    await writeFile(join(run, "run.json"), "{}");
    await writeFile(join(run, LOCK_FILE), "{}");
    await expect(checkOutputDir(run, { ...opts, force: false, resume: false, ignore: (e) => e === LOCK_FILE })).rejects.toThrow(
      `beliefscope test: argument '--out' received ${JSON.stringify(run)}, which exists and holds checkpoints, run.json; expected a new or empty folder. Pass --force to replace it, or --resume to continue it, or choose another folder.`,
    );
    expect(await checkOutputDir(run, { ...opts, resume: true })).toEqual({ existing: true });
    expect(await checkOutputDir(run, { ...opts, force: true })).toEqual({ existing: true });
    // A folder of only bookkeeping counts as empty.
    const locked = join(dir, "locked");
    await mkdir(locked);
    await writeFile(join(locked, LOCK_FILE), "{}");
    expect(await checkOutputDir(locked, { ...opts, ignore: (e) => e === LOCK_FILE })).toEqual({ existing: false });
  });

  it("names the path and the problem: a file for a folder, a folder for a file, a file on the way, /proc", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-out-"));
    const file = join(dir, "FILE");
    await writeFile(file, "x");
    await expect(checkOutputDir(file, opts)).rejects.toThrow(`argument '--out' received ${JSON.stringify(file)}, a file, where a folder is expected; expected a folder to create or fill.`);
    await expect(checkOutputFile(dir, opts)).rejects.toThrow(`argument '--out' received ${JSON.stringify(dir)}, a folder, where a file is expected; expected a file path.`);
    await expect(checkOutputDir(join(file, "sub"), opts)).rejects.toThrow(`received ${JSON.stringify(join(file, "sub"))}, a path through a file (at ${JSON.stringify(file)}): a file stands where a folder is needed`);
    await expect(checkOutputFile(join(file, "sub", "x.json"), opts)).rejects.toThrow(`a path through a file (at ${JSON.stringify(file)})`);
    if (existsSync("/proc/self")) {
      // Node's own recursive mkdir never returns under /proc; this must answer at once.
      await expect(checkOutputDir("/proc/run", opts)).rejects.toThrow(`received "/proc/run", a path where nothing can be created: its file system refuses new entries, as /proc and /sys do (ENOENT); expected a folder it can create and write.`);
      await expect(checkOutputFile("/proc/probes.json", opts)).rejects.toThrow(`received "/proc/probes.json", a path where nothing can be created (at "/proc")`);
      await expect(makeFolders("/proc/a/b/c")).rejects.toMatchObject({ code: "ENOENT" });
      await expect(writeFileAtomically("/proc/a/b.json", "x")).rejects.toMatchObject({ code: "ENOENT" });
    }
  });

  it("words each errno for the user", () => {
    expect(describeWriteError(errno("EROFS", "/mnt/ro/x"), "/mnt/ro/x")).toBe("a path on a read-only file system (EROFS)");
    expect(describeWriteError(errno("EACCES", "/root/x"), "/root/x/y")).toBe(`a path it may not write (at "/root/x") (permission denied, EACCES)`);
    expect(describeWriteError(errno("ENOSPC"), "/full")).toBe("a path on a full disk (no space left, ENOSPC)");
    expect(describeWriteError(errno("EISDIR"), "/tmp")).toBe("a folder, where a file is expected (EISDIR)");
    expect(describeWriteError(errno("EEXIST", "/a/f"), "/a/f/g")).toBe(`a path through a file (at "/a/f"): a file stands where a folder is needed (EEXIST)`);
  });

  it("--force clears only what the command writes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-out-"));
    for (const d of ["vocab-300", "vocab-512", "notes"]) await mkdir(join(dir, d));
    await writeFile(join(dir, "training.json"), "{}");
    expect((await clearOutputs(dir, (e) => e === "training.json" || /^vocab-\d+$/.test(e))).sort()).toEqual(["training.json", "vocab-300", "vocab-512"]);
    expect(await readdir(dir)).toEqual(["notes"]);
  });
});

describe("one writer per folder", () => {
  it("refuses a second writer naming the holder, takes over a stale lock, and releases", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-lock-"));
    const lock = await lockFolder(dir, "beliefscope train");
    const holder = JSON.parse(await readFile(join(dir, LOCK_FILE), "utf8"));
    expect(holder.pid).toBe(process.pid);
    await expect(lockFolder(dir, "beliefscope train")).rejects.toThrow(new RegExp(`^beliefscope train: argument '${dir}' received a folder another process is writing: pid ${process.pid} on ${holder.hostname} since .*; expected a folder no other process is writing\\. Wait for it to finish \\(or stop it: kill ${process.pid}\\)\\.$`));
    await lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    // A lock left by a process that is gone (pid 2^22 + 1 is above Linux's pid_max default) is taken over.
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 4194305, hostname: holder.hostname, started: "then", command: "train" }));
    const again = await lockFolder(dir, "beliefscope train");
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
    await again.release();
    // One held by another machine is not judged from here.
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 4194305, hostname: "elsewhere", started: "then", command: "train" }));
    await expect(lockFolder(dir, "beliefscope train")).rejects.toThrow(`pid 4194305 on elsewhere since then (beliefscope train); expected a folder no other process is writing. Wait for it to finish; if that machine's process is gone, delete ${join(dir, LOCK_FILE)}.`);
  });
});
