import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mechanismAnimation, parameterSweep } from "../../src/mechanism/index.js";
import { encodeGif, ffmpegAvailable, writeAnimation } from "../../src/node/gif.js";

/** Frames in a GIF, counted by parsing its blocks (an independent reader of the format, GIF89a spec). */
function gifFrames(bytes: Uint8Array): { frames: number; width: number; height: number; loops: boolean } {
  expect(new TextDecoder().decode(bytes.subarray(0, 6))).toBe("GIF89a");
  const width = bytes[6] | (bytes[7] << 8);
  const height = bytes[8] | (bytes[9] << 8);
  let p = 13;
  if (bytes[10] & 0x80) p += 3 * (1 << ((bytes[10] & 7) + 1)); // global colour table
  let frames = 0;
  let loops = false;
  const skipSubBlocks = () => {
    while (bytes[p] !== 0) p += bytes[p] + 1;
    p++;
  };
  while (p < bytes.length) {
    const b = bytes[p];
    if (b === 0x3b) break; // trailer
    if (b === 0x21) {
      if (bytes[p + 1] === 0xff && new TextDecoder().decode(bytes.subarray(p + 3, p + 14)) === "NETSCAPE2.0") loops = true;
      p += 2;
      skipSubBlocks();
    } else if (b === 0x2c) {
      frames++;
      const packed = bytes[p + 9];
      p += 10;
      if (packed & 0x80) p += 3 * (1 << ((packed & 7) + 1)); // local colour table
      p++; // LZW minimum code size
      skipSubBlocks();
    } else throw new Error(`unexpected GIF block 0x${b.toString(16)} at ${p}`);
  }
  return { frames, width, height, loops };
}

describe("the mechanism animation as a GIF", () => {
  it("writes one GIF frame per process of the sweep, looping, at the asked width", async () => {
    const sweep = parameterSweep("mess3:x=0.05..0.2", 3);
    const numbers: number[] = [];
    const frames = (function* () {
      for (const f of mechanismAnimation(sweep, { nSequences: 200, drawSequences: 20, width: 320, nCtx: 6 })) {
        // The panel title wraps at this width (one <text> per line).
        expect(f.svg).toMatch(/Constructed(<\/text>\n<text [^>]*>| )linear(<\/text>\n<text [^>]*>| )attention/);
        expect(f.svg).toContain(sweep.title(f.index));
        numbers.push(f.r2);
        yield f.svg;
      }
    })();
    const dir = await mkdtemp(join(tmpdir(), "bs-anim-"));
    const path = join(dir, "a.gif");
    const encoded = await writeAnimation(frames, path, { fps: 5 });
    const parsed = gifFrames(new Uint8Array(await readFile(path)));
    expect(parsed).toEqual({ frames: 3, width: 320, height: encoded.height, loops: true });
    expect(numbers.every((r) => r > 0.9 && r <= 1)).toBe(true);
  });

  it("refuses frames of different sizes and an empty animation", async () => {
    const svg = (w: number) => `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20"><rect width="${w}" height="20" fill="#f00"/></svg>`;
    await expect(encodeGif([svg(20), svg(30)])).rejects.toThrow(/argument 'frames\[1\]' received 30 x 20 px; expected 20 x 20 px, as the first frame/);
    await expect(encodeGif([])).rejects.toThrow(/received no frames/);
  });

  it.runIf(ffmpegAvailable())("writes an H.264 MP4 beside the GIF when ffmpeg is present", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-mp4-"));
    const svg = (c: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="33" height="21"><rect width="33" height="21" fill="${c}"/></svg>`;
    await writeAnimation([svg("#f00"), svg("#0f0"), svg("#00f")], join(dir, "a.gif"), { mp4Path: join(dir, "a.mp4") });
    const mp4 = new Uint8Array(await readFile(join(dir, "a.mp4")));
    expect(new TextDecoder().decode(mp4.subarray(4, 8))).toBe("ftyp"); // ISO base media file
    expect(gifFrames(new Uint8Array(await readFile(join(dir, "a.gif")))).frames).toBe(3);
  });

  it.runIf(!ffmpegAvailable())("asking for MP4 without ffmpeg is a clear error before any work", async () => {
    await expect(writeAnimation([], "/tmp/never.gif", { mp4Path: "/tmp/never.mp4" })).rejects.toThrow(/no ffmpeg on the PATH; expected ffmpeg installed/);
  });
});
