/**
 * Corpus readers on files the tests write (exact document counts and texts),
 * a Parquet file written with hyparquet-writer, and real English from Debian
 * (common-licenses, always present; fortunes when installed).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parquetWriteFile } from "hyparquet-writer";
import { beforeAll, describe, expect, it } from "vitest";
import { detectSeparator, DocumentSplitter, documentPart } from "../../src/language/index.js";
import { globToRegExp, openCorpus, type CorpusOptions } from "../../src/node/corpus/index.js";
import { ArgumentError } from "../../src/util/errors.js";
import { resetWarnings, warningCount } from "../../src/util/warn.js";

async function collect(spec: string | string[], options: CorpusOptions = {}): Promise<string[]> {
  const corpus = await openCorpus(spec, options);
  const out: string[] = [];
  for await (const doc of corpus.documents()) out.push(doc);
  return out;
}

const STORIES = ["Once there was a cat.\nIt sat.", "A dog ran.\n\nThen it slept.", "The end of it all."];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bs-corpus-"));
});

describe("plain text", () => {
  it("splits on <|endoftext|> (TinyStories' .txt layout), inline or on its own line", async () => {
    const file = join(dir, "tiny.txt");
    await writeFile(file, `${STORIES[0]}\n<|endoftext|>\n${STORIES[1]}<|endoftext|>${STORIES[2]}\n<|endoftext|>\n\n`);
    expect(await collect(file)).toEqual(STORIES);
  });

  it("splits on blank lines and on separator lines, detected or given", async () => {
    const blank = join(dir, "blank.txt");
    await writeFile(blank, "first doc\nline two\n\n\n  \nsecond doc\r\n\r\nthird");
    expect(await collect(blank)).toEqual(["first doc\nline two", "second doc", "third"]);
    const fortunes = join(dir, "fortunes");
    await writeFile(fortunes, "A fortune.\n%\nAnother\n  with indent.\n%\n%\nLast one.\n");
    expect(await collect(fortunes)).toEqual(["A fortune.", "Another\n  with indent.", "Last one."]);
    expect(await collect(fortunes, { separator: "blank-line" })).toEqual(["A fortune.\n%\nAnother\n  with indent.\n%\n%\nLast one."]);
    expect(detectSeparator("a\n%\nb")).toBe("line:%");
    expect(detectSeparator("a<|endoftext|>b")).toBe("endoftext");
    expect(detectSeparator("a\n\nb")).toBe("blank-line");
  });

  it("gives the same documents whatever the chunk boundaries", () => {
    const text = `${STORIES.join("<|endoftext|>")}\n\nx\n%\ny`;
    for (const sep of ["endoftext", "blank-line", "line:%"] as const) {
      const whole = new DocumentSplitter(sep, { source: "t" });
      const expected = [...whole.push(text), ...whole.end()];
      for (const size of [1, 2, 5, 13]) {
        const s = new DocumentSplitter(sep, { source: "t" });
        const got: string[] = [];
        for (let i = 0; i < text.length; i += size) got.push(...s.push(text.slice(i, i + size)));
        got.push(...s.end());
        expect(got).toEqual(expected);
      }
    }
  });

  it("bounds a document's size with an error naming the file", async () => {
    const file = join(dir, "nosep.txt");
    await writeFile(file, "x".repeat(5000));
    await expect(collect(file, { maxDocumentChars: 1000, separator: "endoftext" })).rejects.toThrow(/nosep.txt' received document 1 longer than 1000 characters; expected documents separated by <\|endoftext\|>/);
  });

  it("reads gzip files, directories and globs in a fixed order", async () => {
    const sub = join(dir, "shards");
    await mkdir(join(sub, "deeper"), { recursive: true });
    await writeFile(join(sub, "b.txt.gz"), gzipSync("b1<|endoftext|>b2"));
    await writeFile(join(sub, "a.txt"), "a1<|endoftext|>a2");
    await writeFile(join(sub, "deeper", "c.jsonl"), '{"text":"c1"}\n');
    await writeFile(join(sub, "ignored.bin"), "zz");
    expect(await collect(sub)).toEqual(["a1", "a2", "b1", "b2", "c1"]);
    expect(await collect(join(sub, "*.txt*"))).toEqual(["a1", "a2", "b1", "b2"]);
    expect(await collect(join(sub, "**/*.jsonl"))).toEqual(["c1"]);
    expect(globToRegExp("**/*.{txt,jsonl}").test("x/y/z.jsonl")).toBe(true);
    expect(globToRegExp("*.txt").test("x/z.txt")).toBe(false);
  });
});

describe("JSON lines", () => {
  it("reads the text field of each line, skipping blank lines", async () => {
    const file = join(dir, "data.jsonl");
    await writeFile(file, STORIES.map((text, k) => JSON.stringify({ id: k, text })).join("\n") + "\n\n");
    expect(await collect(file)).toEqual(STORIES);
    const other = join(dir, "story.jsonl");
    await writeFile(other, STORIES.map((story) => JSON.stringify({ story })).join("\n"));
    expect(await collect(other, { textField: "story" })).toEqual(STORIES);
  });

  it("names the file and line of a bad row", async () => {
    const file = join(dir, "bad.jsonl");
    await writeFile(file, '{"text":"ok"}\n{"text": oops}\n');
    await expect(collect(file)).rejects.toThrow(/bad.jsonl:2' received a line that is not JSON/);
    await writeFile(file, '{"text":"ok"}\n{"story":"x","id":1}\n');
    await expect(collect(file)).rejects.toThrow(/bad.jsonl:2' received an object without "text" \(keys: story, id\).*--text-field story/);
  });
});

describe("Parquet", () => {
  it("reads the text column row group by row group", async () => {
    const file = join(dir, "train.parquet");
    const texts = Array.from({ length: 25 }, (_, k) => `story number ${k}: ${"la ".repeat(k)}`);
    parquetWriteFile({
      filename: file,
      columnData: [
        { name: "id", data: texts.map((_, k) => k), type: "INT32" },
        { name: "text", data: texts, type: "STRING" },
      ],
      rowGroupSize: 7,
    });
    const progress: number[] = [];
    expect(await collect(file, { onProgress: (p) => progress.push(p.done) })).toEqual(texts);
    expect(progress[progress.length - 1]).toBe(readFileSync(file).length);
  });

  it("names the file and its columns when there is no text column", async () => {
    const file = join(dir, "notext.parquet");
    parquetWriteFile({ filename: file, columnData: [{ name: "story", data: ["a", "b"], type: "STRING" }, { name: "n", data: [1, 2], type: "INT32" }] });
    const err = await collect(file).catch((e) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err.message).toContain(`readCorpus: argument '${file}' received a Parquet file without a "text" column (its columns: story, n)`);
    expect(err.message).toContain("--text-field story");
    expect(await collect(file, { textField: "story" })).toEqual(["a", "b"]);
    const notParquet = join(dir, "fake.parquet");
    await writeFile(notParquet, "this is not parquet at all");
    await expect(collect(notParquet)).rejects.toThrow(/fake.parquet' received a file that is not readable as Parquet/);
  });
});

describe("corpus errors and split", () => {
  it("rejects a corpus with no text, naming it", async () => {
    const empty = join(dir, "empty.txt");
    await writeFile(empty, "\n  \n<|endoftext|>\n");
    await expect(collect(empty)).rejects.toThrow(/empty.txt' received a file with no text \(0 documents/);
    await expect(collect(join(dir, "missing.txt"))).rejects.toThrow(/missing.txt' received a path that does not exist/);
    const binary = join(dir, "blob.txt");
    await writeFile(binary, Buffer.from([0x50, 0, 1, 2, 0, 0]));
    await expect(collect(binary)).rejects.toThrow(/binary file/);
  });

  it("warns about an empty file among others", async () => {
    const sub = join(dir, "mixed");
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, "a.txt"), "");
    await writeFile(join(sub, "b.txt"), "text");
    resetWarnings(() => {});
    expect(await collect(sub)).toEqual(["text"]);
    expect(warningCount()).toBe(1);
    resetWarnings();
  });

  it("splits by document, seeded: disjoint, complete, reproducible, near the fraction", async () => {
    const file = join(dir, "many.txt");
    const docs = Array.from({ length: 2000 }, (_, k) => `document ${k}`);
    await writeFile(file, docs.join("<|endoftext|>"));
    const split = { validationFraction: 0.1, seed: 7 };
    const train = await collect(file, { split, part: "train" });
    const validation = await collect(file, { split, part: "validation" });
    expect(train.length + validation.length).toBe(2000);
    expect(new Set([...train, ...validation]).size).toBe(2000);
    // Binomial(2000, 0.1): mean 200, sd 13.4.
    expect(Math.abs(validation.length - 200)).toBeLessThan(4 * 13.4);
    expect(await collect(file, { split, part: "validation" })).toEqual(validation);
    expect(validation).toEqual(docs.filter((_, k) => documentPart(k, split) === "validation"));
    const other = await collect(file, { split: { ...split, seed: 8 }, part: "validation" });
    expect(other).not.toEqual(validation);
    expect(await collect(file, { maxDocuments: 5 })).toEqual(docs.slice(0, 5));
  });
});

describe("real English text from Debian", () => {
  it("reads the license texts joined by <|endoftext|> as one document each", async () => {
    const names = readdirSync("/usr/share/common-licenses").filter((f) => !f.startsWith("."));
    const texts = names.map((f) => readFileSync(join("/usr/share/common-licenses", f), "utf8"));
    const file = join(dir, "licenses.txt");
    await writeFile(file, texts.map((t) => `${t}\n<|endoftext|>\n`).join(""));
    const docs = await collect(file);
    expect(docs.length).toBe(names.length);
    docs.forEach((d, k) => expect(d).toBe(texts[k].replace(/^(?:[ \t]*\r?\n)+/, "").trimEnd()));
  });

  it.skipIf(!existsSync("/usr/share/games/fortunes/computers"))("reads a fortune file (% lines) with the count a plain split gives", async () => {
    const file = "/usr/share/games/fortunes/computers";
    const expected = readFileSync(file, "utf8")
      .split(/^%$/m)
      .map((d) => d.replace(/^\n+/, "").trimEnd())
      .filter((d) => d.length > 0);
    const docs = await collect(file);
    expect(docs.length).toBe(expected.length);
    expect(docs).toEqual(expected);
  });
});
