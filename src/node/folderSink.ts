/** An ArtifactSink writing files atomically into a folder, with PNGs rendered by resvg. */
import { join } from "node:path";
import type { ArtifactSink } from "../pipeline/demo.js";
import { writeFileAtomically } from "./atomicWrite.js";
import { svgToPng } from "./png.js";

export function folderSink(dir: string, options: { png?: boolean } = {}): ArtifactSink & { readonly dir: string } {
  return {
    dir,
    location: dir,
    write: (name, data) => writeFileAtomically(join(dir, name), data),
    renderPng: options.png === false ? undefined : (svg) => svgToPng(svg),
  };
}
