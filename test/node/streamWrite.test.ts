import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { writeStreamAtomically, writeStreamTo } from "../../src/node/streamWrite.js";

describe("output written as it is produced", () => {
  it("writes the pieces to the file, which appears only once complete", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-stream-"));
    const path = join(dir, "sub", "out.json");
    await writeStreamAtomically(path, async (write) => {
      for (let k = 0; k < 1000; k++) await write(`${k},`);
    });
    expect(await readFile(path, "utf8")).toBe(Array.from({ length: 1000 }, (_, k) => `${k},`).join(""));
    // A producer that fails leaves neither the file nor its temporary.
    const failing = writeStreamAtomically(join(dir, "bad.json"), async (write) => {
      await write("partial");
      throw new Error("no more");
    });
    await expect(failing).rejects.toThrow("no more");
    expect((await readdir(dir)).sort()).toEqual(["sub"]);
  });

  it("ends quietly when the reader closes the pipe (| head), and passes other errors on", async () => {
    const broken = (code: string) =>
      new Writable({
        write(_chunk, _enc, cb) {
          cb(Object.assign(new Error(`write ${code}`), { code }));
        },
      });
    let pieces = 0;
    await writeStreamTo(broken("EPIPE"), async (write) => {
      for (; pieces < 100; pieces++) await write("x");
    });
    expect(pieces).toBe(0);
    await expect(writeStreamTo(broken("EIO"), async (write) => write("x"))).rejects.toThrow("write EIO");
  });
});
