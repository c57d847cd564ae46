/**
 * Which files a corpus spec names: a file, a directory (its corpus files,
 * recursively), or a glob ("data/*.parquet", "shards/**\/*.jsonl.gz"), and
 * the format of each, from its extension unless given.
 */
import { readdir, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { ArgumentError } from "../../util/errors.js";

export type CorpusFormat = "text" | "jsonl" | "parquet";

export interface CorpusFile {
  readonly path: string;
  readonly format: CorpusFormat;
  /** Gzip-compressed (.gz): decompressed while streaming (text and JSON lines). */
  readonly gzip: boolean;
  /** Size on disk. */
  readonly bytes: number;
}

const DIRECTORY_EXTENSIONS = [".txt", ".text", ".md", ".jsonl", ".ndjson", ".parquet"];

/** Format by extension: .parquet, .jsonl/.ndjson, anything else is plain text (fortune files have none). */
export function formatOf(path: string): { format: CorpusFormat | "json"; gzip: boolean } {
  const lower = path.toLowerCase();
  const gzip = lower.endsWith(".gz");
  const name = gzip ? lower.slice(0, -3) : lower;
  if (name.endsWith(".parquet")) return { format: "parquet", gzip };
  if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return { format: "jsonl", gzip };
  if (name.endsWith(".json")) return { format: "json", gzip };
  return { format: "text", gzip };
}

function isCorpusFileName(name: string): boolean {
  const lower = name.toLowerCase().replace(/\.gz$/, "");
  return !name.startsWith(".") && DIRECTORY_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

export function hasGlob(path: string): boolean {
  return /[*?[{]/.test(path);
}

/** A glob as a regex over '/'-separated relative paths: *, ?, [abc], {a,b}, and ** for any folders. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === "*") {
      if (glob[i + 1] === "*") {
        const slash = glob[i + 2] === "/";
        re += slash ? "(?:[^/]*/)*" : ".*";
        i += slash ? 2 : 1;
      } else re += "[^/]*";
    } else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const close = glob.indexOf("]", i + 1);
      if (close < 0) re += "\\[";
      else {
        re += "[" + glob.slice(i + 1, close).replace(/^!/, "^").replace(/\\/g, "\\\\") + "]";
        i = close;
      }
    } else if (ch === "{") {
      const close = glob.indexOf("}", i + 1);
      if (close < 0) re += "\\{";
      else {
        re += "(?:" + glob.slice(i + 1, close).split(",").map((s) => s.replace(/[.+^$()|\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")).join("|") + ")";
        i = close;
      }
    } else re += ch.replace(/[.+^$()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) await walk(path, out);
    else if (e.isFile() || e.isSymbolicLink()) out.push(path);
  }
}

async function expandGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split(/[\\/]/);
  const firstGlob = parts.findIndex(hasGlob);
  const base = parts.slice(0, firstGlob).join("/") || (pattern.startsWith("/") ? "/" : ".");
  const rest = parts.slice(firstGlob).join("/");
  const re = globToRegExp(rest);
  const all: string[] = [];
  try {
    await walk(base, all);
  } catch {
    return [];
  }
  return all.filter((p) => re.test(relative(base, p).split(sep).join("/")));
}

async function describePath(path: string, format: CorpusFormat | "auto"): Promise<CorpusFile> {
  const s = await stat(path);
  const detected = formatOf(path);
  const chosen = format === "auto" ? detected.format : format;
  if (chosen === "json") {
    throw new ArgumentError({
      fn: "openCorpus",
      argument: path,
      received: "a .json file",
      expected: "plain text, JSON lines (.jsonl, one object per line) or Parquet",
      hint: "Convert a JSON array to JSON lines (e.g. jq -c '.[]' file.json > file.jsonl), or pass --format text if it is text.",
    });
  }
  if (chosen === "parquet" && detected.gzip) {
    throw new ArgumentError({ fn: "openCorpus", argument: path, received: "a gzip-compressed Parquet file", expected: "an uncompressed .parquet file (Parquet compresses its pages itself)" });
  }
  return { path, format: chosen, gzip: detected.gzip, bytes: s.size };
}

/** The files of a corpus spec (one or more paths, directories, globs), in a fixed order. */
export async function listCorpusFiles(specs: string | readonly string[], format: CorpusFormat | "auto" = "auto"): Promise<CorpusFile[]> {
  const list = typeof specs === "string" ? [specs] : specs;
  if (list.length === 0) throw new ArgumentError({ fn: "openCorpus", argument: "corpus", received: "no paths", expected: "a file, directory or glob" });
  const files: CorpusFile[] = [];
  for (const spec of list) {
    if (hasGlob(spec)) {
      const matched = (await expandGlob(spec)).filter((p) => !p.split(/[\\/]/).pop()!.startsWith("."));
      if (matched.length === 0) throw new ArgumentError({ fn: "openCorpus", argument: spec, received: "a glob that matches no files", expected: "a glob matching corpus files" });
      for (const p of matched) files.push(await describePath(p, format));
      continue;
    }
    let s;
    try {
      s = await stat(spec);
    } catch {
      throw new ArgumentError({
        fn: "openCorpus",
        argument: spec,
        received: "a path that does not exist",
        expected: "a corpus file (.txt, .jsonl, .parquet), a directory of them, a glob, or \"grammar\" for the generated stories",
        hint: `Working directory: ${resolve(".")}.`,
      });
    }
    if (s.isDirectory()) {
      const all: string[] = [];
      await walk(spec, all);
      const matched = all.filter((p) => isCorpusFileName(p.split(/[\\/]/).pop()!));
      if (matched.length === 0) {
        throw new ArgumentError({ fn: "openCorpus", argument: spec, received: "a directory without corpus files", expected: `a directory holding files ending in ${DIRECTORY_EXTENSIONS.join(", ")} (optionally .gz)` });
      }
      for (const p of matched) files.push(await describePath(p, format));
    } else {
      files.push(await describePath(spec, format));
    }
  }
  return files;
}
