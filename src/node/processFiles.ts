/** Process JSON files on disk, and process specs that may name one. */
import { readFile } from "node:fs/promises";
import { ArgumentError } from "../util/errors.js";
import type { Hmm } from "../process/hmm.js";
import { processFromJsonText, processToJson } from "../process/json.js";
import { isFileSpec, processFromSpec } from "../process/spec.js";
import { writeJsonAtomically } from "./atomicWrite.js";

/** Read and validate a process JSON file. */
export async function loadProcess(path: string): Promise<Hmm> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ArgumentError({ fn: "loadProcess", argument: "path", received: JSON.stringify(path), expected: "a readable process JSON file", hint: (err as Error).message });
  }
  return processFromJsonText(text, path);
}

/** Write a process as JSON, atomically: a failed write never leaves half a file. */
export async function saveProcess(hmm: Hmm, path: string): Promise<void> {
  await writeJsonAtomically(path, processToJson(hmm));
}

/** Resolve a spec to a process: a catalogue entry ("mess3:x=0.1") or a JSON file. */
export async function resolveProcess(spec: string): Promise<Hmm> {
  return isFileSpec(spec) ? loadProcess(spec) : processFromSpec(spec);
}
