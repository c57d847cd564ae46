/**
 * Output written as it is produced, so that memory stays flat however large
 * the output: pieces go to a temporary sibling file (with backpressure), which
 * is renamed into place only once complete (a reader never sees half a file).
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, open, rename, rm, statfs } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ArgumentError } from "../util/errors.js";
import { formatBytes } from "../util/memory.js";

/** Write one piece, waiting while the stream's buffer is full. */
export type WritePiece = (piece: string) => Promise<void>;

function pieceWriter(stream: NodeJS.WritableStream): WritePiece {
  return (piece) =>
    new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      stream.once("error", onError);
      const ok = stream.write(piece);
      const done = () => {
        stream.off("error", onError);
        resolve();
      };
      if (ok) done();
      else stream.once("drain", done);
    });
}

/** Stream pieces to `path` atomically (temp file, then rename), creating parent folders. */
export async function writeStreamAtomically(path: string, produce: (write: WritePiece) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  const stream: WriteStream = createWriteStream(tmp);
  const closed = new Promise<void>((resolve, reject) => {
    stream.once("close", resolve);
    stream.once("error", reject);
  });
  try {
    await produce(pieceWriter(stream));
    stream.end();
    await closed;
    await rename(tmp, path);
  } catch (err) {
    stream.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Stream pieces to stdout (or another writable), with backpressure; a reader that closes early (`| head`) ends it quietly. */
export async function writeStreamTo(stream: NodeJS.WritableStream, produce: (write: WritePiece) => Promise<void>): Promise<void> {
  try {
    await produce(pieceWriter(stream));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPIPE") throw err;
    stream.on("error", () => {}); // the pipe is gone: nothing more to say on it
  }
}

/**
 * Refuse, before any work, an output estimated larger than the free space where it goes
 * (what a full disk would otherwise say after minutes of work).
 */
export async function checkFreeSpace(path: string, bytes: number, what: { fn: string; flag: string; formula: string; lower: string }): Promise<void> {
  let dir = dirname(path);
  let free = Infinity;
  for (;;) {
    try {
      const s = await statfs(dir);
      free = s.bavail * s.bsize;
      break;
    } catch {
      const up = dirname(dir);
      if (up === dir) return;
      dir = up; // a folder still to be created: the space of the nearest one that exists
    }
  }
  if (bytes > free) {
    throw new ArgumentError({
      fn: what.fn,
      argument: what.flag,
      received: `${JSON.stringify(path)}, which would take about ${formatBytes(bytes)} (${what.formula})`,
      expected: `an output that fits the ${formatBytes(free)} free on ${dir}`,
      hint: `${what.lower[0].toUpperCase()}${what.lower.slice(1)}, or write elsewhere.`,
    });
  }
}

/** Write `data` at byte `position` of an open file. */
export type WriteAt = (data: ArrayBufferView, position: number) => Promise<void>;

/** Fill a file of known layout by positioned writes (header first), atomically: temp file, then rename. */
export async function writeFileInPlaces(path: string, header: Uint8Array, fill: (writeAt: WriteAt) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  const file = await open(tmp, "w");
  try {
    const writeAt: WriteAt = async (data, position) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      for (let done = 0; done < bytes.length; ) {
        const { bytesWritten } = await file.write(bytes, done, Math.min(bytes.length - done, 1 << 30), position + done);
        done += bytesWritten;
      }
    };
    await writeAt(header, 0);
    await fill(writeAt);
    await file.sync();
    await file.close();
    await rename(tmp, path);
  } catch (err) {
    await file.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
}
