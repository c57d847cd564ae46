/**
 * Reading the project's files with errors a user can act on: a missing,
 * unreadable, empty or corrupt file gives one paragraph naming the file and
 * what is wrong with it, never a stack trace.
 */
import { readFile, stat } from "node:fs/promises";
import { ArgumentError } from "../util/errors.js";

/** Whether anything (file or folder) is at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The bytes of `path`; `what` says what the file should be. */
export async function readBytes(path: string, fn: string, what: string): Promise<Uint8Array> {
  try {
    const b = await readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (err) {
    throw new ArgumentError({ fn, argument: path, received: readErrorText(err), expected: what });
  }
}

/** The text of `path`. */
export async function readText(path: string, fn: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new ArgumentError({ fn, argument: path, received: readErrorText(err), expected: what });
  }
}

/** Parsed JSON from `path`; with `missingOk` a missing file gives null. */
export async function readJsonFile<T>(path: string, fn: string, what: string, options: { missingOk?: boolean } = {}): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (options.missingOk && (err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new ArgumentError({ fn, argument: path, received: readErrorText(err), expected: what });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ArgumentError({
      fn,
      argument: path,
      received: text.trim() === "" ? "an empty file" : `text that is not valid JSON (${(err as Error).message})`,
      expected: what,
      hint: "The file is damaged (perhaps a kill while it was written by another program); restore it or start a new run.",
    });
  }
}

function readErrorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "a folder, not a file";
  if (code === "EACCES") return "a file it may not read (permission denied)";
  return (err as Error).message;
}
