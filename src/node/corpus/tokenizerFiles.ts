/** tokenizer.json files on disk: read one (given the file or its folder), write one atomically. */
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ArgumentError } from "../../util/errors.js";
import { BpeTokenizer } from "../../language/tokenizer/tokenizer.js";
import { tokenizerConfigJson, type TokenizerJson } from "../../language/tokenizer/tokenizerJson.js";
import { writeFileAtomically, writeJsonAtomically } from "../atomicWrite.js";

/** The tokenizer.json a path names: the file, DIR/tokenizer.json, or the only DIR/<sub>/tokenizer.json. */
export async function resolveTokenizerPath(path: string): Promise<string> {
  let s;
  try {
    s = await stat(path);
  } catch {
    throw new ArgumentError({ fn: "loadTokenizer", argument: path, received: "a path that does not exist", expected: "a tokenizer.json file or a folder holding one" });
  }
  if (!s.isDirectory()) return path;
  const direct = join(path, "tokenizer.json");
  if (await stat(direct).then(() => true, () => false)) return direct;
  const subs: string[] = [];
  for (const e of await readdir(path, { withFileTypes: true })) {
    if (e.isDirectory() && (await stat(join(path, e.name, "tokenizer.json")).then(() => true, () => false))) subs.push(join(path, e.name, "tokenizer.json"));
  }
  if (subs.length === 1) return subs[0];
  throw new ArgumentError({
    fn: "loadTokenizer",
    argument: path,
    received: subs.length === 0 ? "a folder without tokenizer.json" : `a folder with ${subs.length} tokenizers (${subs.map((p) => p.slice(path.length + 1)).join(", ")})`,
    expected: "a tokenizer.json file, or a folder holding exactly one",
    hint: subs.length > 1 ? "Name one of them." : undefined,
  });
}

/** Read a byte-level BPE tokenizer.json (ours or downloaded). */
export async function loadTokenizer(path: string): Promise<BpeTokenizer> {
  const file = await resolveTokenizerPath(path);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ArgumentError({ fn: "loadTokenizer", argument: file, received: `an unreadable file (${(err as Error).message})`, expected: "a readable tokenizer.json" });
  }
  return BpeTokenizer.fromJson(text, file);
}

/**
 * Write a tokenizer.json atomically, and beside it the tokenizer_config.json
 * that makes the folder a Hugging Face tokenizer folder (`AutoTokenizer.from_pretrained(dir)`).
 */
export async function saveTokenizerJson(json: TokenizerJson, path: string): Promise<void> {
  await writeFileAtomically(path, JSON.stringify(json, null, 2) + "\n");
  await writeJsonAtomically(join(dirname(path), "tokenizer_config.json"), tokenizerConfigJson(json));
}
