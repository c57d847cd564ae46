/**
 * Output written as it is produced, so that memory stays flat however large
 * the output: pieces go to a temporary sibling file (with backpressure), which
 * is renamed into place only once complete (a reader never sees half a file).
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

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

/** Stream pieces to stdout (or another writable), with backpressure. */
export async function writeStreamTo(stream: NodeJS.WritableStream, produce: (write: WritePiece) => Promise<void>): Promise<void> {
  await produce(pieceWriter(stream));
}
