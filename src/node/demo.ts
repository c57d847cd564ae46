/** The demo in a folder: report and figures in DIR, the run in DIR/run (resumable). */
import { join } from "node:path";
import { runDemo, type DemoOptions, type DemoResult } from "../pipeline/demo.js";
import { folderSink } from "./folderSink.js";
import { FileRunStore } from "./runFolder.js";

export function runDemoInFolder(dir: string, options: Omit<DemoOptions, "sink" | "store"> = {}): Promise<DemoResult> {
  return runDemo({ ...options, sink: folderSink(dir), store: new FileRunStore(join(dir, "run")) });
}
