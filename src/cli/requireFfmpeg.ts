/** `--mp4` checked before any work: without ffmpeg nothing is computed and nothing is written. */
import { ffmpegAvailable } from "../node/gif.js";
import { ArgumentError } from "../util/errors.js";

export function requireFfmpeg(fn: string, available: () => boolean = ffmpegAvailable): void {
  if (available()) return;
  throw new ArgumentError({
    fn,
    argument: "--mp4",
    received: "--mp4, but no ffmpeg on the PATH",
    expected: "ffmpeg installed (e.g. apt-get install ffmpeg)",
    hint: "Nothing was written. Run again without --mp4 to write the GIF (and its .json) alone.",
  });
}
