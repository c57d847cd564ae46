/**
 * Output locations checked before the work (docs/files.md). Every command that
 * writes calls one of these first: a bad location (a file where a folder is
 * expected, a folder where a file is expected, a read-only file system, a
 * virtual file system such as /proc, no permission) is refused at once with a
 * sentence naming the flag, the path and the problem, and existing output is
 * never replaced without --force (or continued without --resume).
 *
 * The check makes the missing folders, creates and removes a probe file in
 * the folder that will hold the output, then removes the folders it made, so
 * a refused command leaves nothing behind.
 */
import { mkdir, open, readdir, rm, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { ArgumentError } from "../util/errors.js";

export interface OutputCheckOptions {
  /** The command, for the message: "beliefscope train". */
  readonly fn: string;
  /** The flag that named the path: "--out". */
  readonly flag: string;
  /** Replace existing output (--force). Give false (not undefined) when the command has --force, so the refusal names it. */
  readonly force?: boolean;
  /** Continue existing output (--resume): an existing folder is kept. Give false when the command has --resume. */
  readonly resume?: boolean;
  /** Entries of an existing folder that do not count as output (e.g. a lock file). */
  readonly ignore?: (entry: string) => boolean;
}

/** An errno error on a path, as a sentence fragment: what is wrong with the path. */
export function describeWriteError(err: unknown, path: string): string {
  const e = err as NodeJS.ErrnoException;
  const at = e.path && resolve(e.path) !== resolve(path) ? ` (at ${JSON.stringify(e.path)})` : "";
  switch (e.code) {
    case "EROFS":
      return `a path on a read-only file system${at} (EROFS)`;
    case "EACCES":
    case "EPERM":
      return `a path it may not write${at} (permission denied, ${e.code})`;
    case "ENOTDIR":
    case "EEXIST":
      return `a path through a file${at}: a file stands where a folder is needed (${e.code})`;
    case "EISDIR":
      return `a folder${at}, where a file is expected (EISDIR)`;
    case "ENOENT":
      return `a path where nothing can be created${at}: its file system refuses new entries, as /proc and /sys do (ENOENT)`;
    case "ENOSPC":
    case "EDQUOT":
      return `a path on a full disk${at} (no space left, ${e.code})`;
    case "ENAMETOOLONG":
      return `a name too long for the file system (ENAMETOOLONG)`;
    default:
      return `a path it cannot write${at} (${e.code ?? (e as Error).message})`;
  }
}

function refuse(options: OutputCheckOptions, path: string, received: string, expected: string, hint?: string): never {
  throw new ArgumentError({ fn: options.fn, argument: options.flag, received: `${JSON.stringify(path)}, ${received}`, expected, hint });
}

/**
 * Create `path` and its missing parents one level at a time (Node's recursive mkdir loops forever
 * under /proc). Returns the folders created, outermost first. Errors carry the path that failed.
 */
export async function makeFolders(path: string): Promise<string[]> {
  const missing: string[] = [];
  let p = resolve(path);
  for (;;) {
    try {
      const s = await stat(p);
      if (!s.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, '${p}'`), { code: "ENOTDIR", path: p });
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
      missing.push(p); // under ENOTDIR, going up finds the file in the way

      const parent = dirname(p);
      if (parent === p) break;
      p = parent;
    }
  }
  const created: string[] = [];
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
      created.push(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || !(await stat(dir)).isDirectory()) {
        await removeFolders(created);
        throw Object.assign(err as Error, { path: (err as NodeJS.ErrnoException).path ?? dir });
      }
    }
  }
  return created;
}

async function removeFolders(created: readonly string[]): Promise<void> {
  for (const dir of [...created].reverse()) await rmdir(dir).catch(() => undefined);
}

/** Make the folders, create and remove a probe file in `folder`, remove the folders made. Throws the errno error. */
async function probeWritable(folder: string): Promise<void> {
  const created = await makeFolders(folder);
  try {
    const probe = join(folder, `.beliefscope-write-check-${process.pid}`);
    const handle = await open(probe, "wx");
    try {
      await handle.write("ok");
    } finally {
      await handle.close();
      await unlink(probe).catch(() => undefined);
    }
  } catch (err) {
    const at = (err as NodeJS.ErrnoException).path;
    // The probe file is ours: the problem is the folder that was to hold it.
    throw Object.assign(err as Error, { path: at === undefined || at.includes(".beliefscope-write-check-") ? folder : at });
  } finally {
    await removeFolders(created);
  }
}

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw err;
  }
}

function listing(entries: readonly string[]): string {
  return entries.slice(0, 4).join(", ") + (entries.length > 4 ? `, ... (${entries.length} entries)` : "");
}

/**
 * Check that the folder `path` can be written: a new folder, an empty one, or (with `force` or
 * `resume`) an existing one. Returns whether it held output before.
 */
export async function checkOutputDir(path: string, options: OutputCheckOptions): Promise<{ existing: boolean }> {
  const s = await statOrNull(path).catch((err) => refuse(options, path, describeWriteError(err, path), "a folder it can create"));
  let existing = false;
  if (s && !s.isDirectory()) refuse(options, path, "a file, where a folder is expected", "a folder to create or fill", "Choose another path, or remove the file.");
  if (s) {
    const entries = (await readdir(path).catch(() => [] as string[])).sort().filter((e) => !e.startsWith(".beliefscope-write-check-") && !(options.ignore?.(e) ?? false));
    existing = entries.length > 0;
    if (existing && !options.force && !options.resume) {
      const ways = [options.force === false ? "--force to replace it" : "", options.resume === false ? "--resume to continue it" : ""].filter(Boolean);
      refuse(options, path, `which exists and holds ${listing(entries)}`, "a new or empty folder", `${ways.length ? `Pass ${ways.join(", or ")}, or choose` : "Choose"} another folder.`);
    }
  }
  await probeWritable(path).catch((err) => refuse(options, path, describeWriteError(err, path), "a folder it can create and write"));
  return { existing };
}

/** Check that the file `path` can be written: new, or existing with `force`. */
export async function checkOutputFile(path: string, options: OutputCheckOptions): Promise<{ existing: boolean }> {
  const s = await statOrNull(path).catch((err) => refuse(options, path, describeWriteError(err, path), "a file it can create"));
  if (s?.isDirectory()) refuse(options, path, "a folder, where a file is expected", "a file path", "Name a file (for example inside that folder).");
  if (s && !options.force) refuse(options, path, "which exists", "a new file", options.force === false ? "Pass --force to replace it, or choose another name." : "Choose another name, or remove the file.");
  await probeWritable(dirname(resolve(path))).catch((err) => refuse(options, path, describeWriteError(err, path), "a file it can create"));
  return { existing: s !== null };
}

/** Turn an errno error met while writing `path` into a sentence for the user (an ArgumentError); other errors pass. */
export function writeFailure(err: unknown, path: string, fn: string, hint?: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) return err;
  return new ArgumentError({ fn, argument: path, received: `a write that failed: ${describeWriteError(err, path)}`, expected: "room and permission to write it", hint });
}

/** checkOutputFile for each of several files a command writes together (a GIF and its JSON, ...). */
export async function checkOutputFiles(paths: readonly string[], options: OutputCheckOptions): Promise<void> {
  for (const path of paths) await checkOutputFile(path, options);
}

/**
 * With --force on a folder: remove the entries a command writes there (`mine` says which), so a
 * replaced output leaves nothing stale (e.g. vocab-N folders a new training no longer lists).
 * Other entries are kept.
 */
export async function clearOutputs(dir: string, mine: (entry: string) => boolean): Promise<string[]> {
  const entries = (await readdir(dir).catch(() => [] as string[])).filter(mine);
  for (const e of entries) await rm(join(dir, e), { recursive: true, force: true });
  return entries;
}
