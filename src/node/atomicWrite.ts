/**
 * Files are written atomically: a reader (or a resumed run after a kill) sees
 * either the old file or the complete new one, never half a file.
 */
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { makeFolders } from "./outputPath.js";

/** Write `data` to `path` atomically (temp file, fsync, rename), creating parent folders. */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await makeFolders(dirname(path)); // not mkdir -p: Node's loops forever under /proc
  await writeFileAtomic(path, typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/** Write `value` as pretty JSON, atomically. */
export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  await writeFileAtomically(path, JSON.stringify(value, null, 2) + "\n");
}

/**
 * Create a whole folder atomically: `fill` writes into a temporary sibling
 * folder, which is renamed into place only once complete. An existing folder
 * at `path` is replaced.
 */
export async function writeFolderAtomically(path: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const parent = dirname(path);
  await makeFolders(parent);
  const tmp = join(parent, `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
    const old = join(parent, `.${basename(path)}.old-${process.pid}-${Date.now()}`);
    let hadOld = false;
    try {
      await rename(path, old);
      hadOld = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    await rename(tmp, path);
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
