/**
 * Animations from SVG frames: pixels from resvg (as png.ts), an animated GIF with gifenc (a
 * palette of up to 256 colours per frame, quantised with its pairwise-nearest-neighbour
 * quantiser; the figures are flat colours, so this is close to lossless), and an MP4 through
 * ffmpeg when it is on the PATH. Frames are encoded as they come: memory is one frame of pixels
 * plus the encoded file.
 */
import { spawn, spawnSync } from "node:child_process";
import { Resvg } from "@resvg/resvg-js";
import * as gifencModule from "gifenc";
import { ArgumentError } from "../util/errors.js";
import { writeFileAtomically } from "./atomicWrite.js";

// gifenc ships CommonJS (which Node's ESM loader exposes as a default export only) and an ESM
// build (which bundlers and vitest pick, with named exports): take the functions from either.
const namespace = gifencModule as unknown as Partial<typeof gifencModule.default> & { default?: typeof gifencModule.default };
const gifenc = (namespace.GIFEncoder ? namespace : namespace.default) as typeof gifencModule.default;
const { applyPalette, GIFEncoder, quantize } = gifenc;

export interface RgbaFrame {
  readonly width: number;
  readonly height: number;
  /** [height, width, 4] bytes. */
  readonly pixels: Uint8Array;
}

/** Render an SVG to RGBA pixels `width` px wide (height from the SVG's aspect), on white. */
export function svgToRgba(svg: string, width?: number): RgbaFrame {
  const resvg = new Resvg(svg, {
    fitTo: width ? { mode: "width", value: width } : { mode: "original" },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
    background: "#ffffff",
  });
  const image = resvg.render();
  return { width: image.width, height: image.height, pixels: new Uint8Array(image.pixels) };
}

export interface AnimationWriteOptions {
  /** Frames per second. Default 8. */
  readonly fps?: number;
  /** Frame width in px (the SVG is scaled to it). Default: the SVG's own width. */
  readonly width?: number;
  /** Called after each frame is encoded (progress). */
  readonly onFrame?: (index: number) => void;
}

export interface EncodedAnimation {
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  /** GIF bytes. */
  readonly gif: Uint8Array;
}

/** Encode SVG frames (any iterable, consumed one at a time) as an animated GIF that loops forever. */
export async function encodeGif(frames: Iterable<string> | AsyncIterable<string>, options: AnimationWriteOptions & { readonly rawSink?: (frame: RgbaFrame) => void | Promise<void> } = {}): Promise<EncodedAnimation> {
  const fps = options.fps ?? 8;
  if (!(fps > 0 && fps <= 100)) throw new ArgumentError({ fn: "encodeGif", argument: "fps", received: String(fps), expected: "a number in (0, 100]" });
  const gif = GIFEncoder();
  let count = 0;
  let size: [number, number] | null = null;
  for await (const svg of frames) {
    const frame = svgToRgba(svg, options.width);
    if (size && (frame.width !== size[0] || frame.height !== size[1])) {
      throw new ArgumentError({ fn: "encodeGif", argument: `frames[${count}]`, received: `${frame.width} x ${frame.height} px`, expected: `${size[0]} x ${size[1]} px, as the first frame` });
    }
    size = [frame.width, frame.height];
    const palette = quantize(frame.pixels, 256);
    gif.writeFrame(applyPalette(frame.pixels, palette), frame.width, frame.height, { palette, delay: 1000 / fps, repeat: 0 });
    await options.rawSink?.(frame);
    options.onFrame?.(count);
    count++;
  }
  if (!size) throw new ArgumentError({ fn: "encodeGif", argument: "frames", received: "no frames", expected: "at least one SVG frame" });
  gif.finish();
  return { frames: count, width: size[0], height: size[1], gif: gif.bytes() };
}

/** True when an `ffmpeg` executable answers on the PATH. */
export function ffmpegAvailable(): boolean {
  try {
    return spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
  } catch {
    return false;
  }
}

/** A running ffmpeg that turns RGBA frames written to it into an H.264 MP4 at `path` (even dimensions padded). */
export function mp4Writer(path: string, width: number, height: number, fps: number): { write(frame: RgbaFrame): Promise<void>; close(): Promise<void>; abort(): Promise<void> } {
  if (!ffmpegAvailable()) {
    throw new ArgumentError({ fn: "beliefscope", argument: "--mp4", received: "a request for MP4, but no ffmpeg on the PATH", expected: "ffmpeg installed (apt-get install ffmpeg)", hint: "Nothing was written: run again without --mp4 to write the GIF alone." });
  }
  const tmp = `${path}.tmp-${process.pid}.mp4`;
  const child = spawn(
    "ffmpeg",
    ["-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgba", "-s", `${width}x${height}`, "-r", String(fps), "-i", "-", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", tmp],
    { stdio: ["pipe", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += String(d)));
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${stderr.trim().slice(-400)}`))));
  });
  return {
    write: (frame) =>
      new Promise<void>((resolve, reject) => {
        if (frame.width !== width || frame.height !== height) return reject(new Error(`mp4Writer: frame ${frame.width} x ${frame.height}, expected ${width} x ${height}`));
        child.stdin.write(frame.pixels, (err) => (err ? reject(err) : resolve()));
      }),
    async close() {
      child.stdin.end();
      await done;
      const { rename } = await import("node:fs/promises");
      await rename(tmp, path);
    },
    /** Stop ffmpeg and remove its partial file (the animation failed). */
    async abort() {
      child.kill();
      await done.catch(() => undefined);
      const { rm } = await import("node:fs/promises");
      await rm(tmp, { force: true });
    },
  };
}

/** Write SVG frames as an animated GIF at `path` (atomically), and as MP4 at `mp4Path` when given. */
export async function writeAnimation(frames: Iterable<string> | AsyncIterable<string>, path: string, options: AnimationWriteOptions & { readonly mp4Path?: string } = {}): Promise<EncodedAnimation> {
  const fps = options.fps ?? 8;
  let mp4: ReturnType<typeof mp4Writer> | null = null;
  if (options.mp4Path && !ffmpegAvailable()) mp4Writer(options.mp4Path, 2, 2, fps); // throws the clear error before any work
  let encoded: EncodedAnimation;
  try {
    encoded = await encodeGif(frames, {
      ...options,
      rawSink: options.mp4Path
        ? async (frame) => {
            mp4 ??= mp4Writer(options.mp4Path!, frame.width, frame.height, fps);
            await mp4.write(frame);
          }
        : undefined,
    });
  } catch (err) {
    await (mp4 as ReturnType<typeof mp4Writer> | null)?.abort();
    throw err;
  }
  await writeFileAtomically(path, encoded.gif);
  await (mp4 as ReturnType<typeof mp4Writer> | null)?.close();
  return encoded;
}
