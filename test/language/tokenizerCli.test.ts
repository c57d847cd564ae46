/**
 * `beliefscope tokenizer ...`: files written, round trips, clear errors. The
 * command runs in-process (a spawned CLI costs seconds to start); one spawned
 * run checks the wiring in main.ts and that errors reach the user without a stack trace.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { parquetWriteFile } from "hyparquet-writer";
import { beforeAll, describe, expect, it } from "vitest";
import { tokenizerCommand } from "../../src/cli/tokenizerCommand.js";
import { runCli as spawnCli } from "../cli/run.js";
import { runInProcess, type InProcessRun } from "../cli/inProcess.js";
type Run = InProcessRun;
const runCli = (args: string[]): Promise<Run> => runInProcess([tokenizerCommand()], args);

let dir: string;
let corpus: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bs-tok-"));
  corpus = join(dir, "train.txt");
  const licenses = ["GPL-3", "LGPL-2.1", "Artistic", "MPL-2.0"].map((f) => `/usr/share/common-licenses/${f}`);
  const texts = await Promise.all(licenses.map((f) => readFile(f, "utf8")));
  await writeFile(corpus, texts.join("\n<|endoftext|>\n"));
});

describe("beliefscope tokenizer", () => {
  it("trains two sizes into vocab-N folders that tokenizers.js loads, then encodes and decodes", async () => {
    const out = join(dir, "tok");
    const r = await runCli(["tokenizer", "train", corpus, "--vocab", "512,300", "-o", out, "--validation", "0.25", "--seed", "1"]);
    expect(r.stderr).not.toContain("at ");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote .*vocab-512\/tokenizer.json: 512 tokens \(252 merges\)/);
    expect(r.stdout).toMatch(/wrote .*vocab-300\/tokenizer.json: 300 tokens \(40 merges\)/);
    const json = JSON.parse(await readFile(join(out, "vocab-512", "tokenizer.json"), "utf8"));
    expect(Object.keys(json.model.vocab).length).toBe(512);
    expect(json.added_tokens.map((t: { content: string }) => t.content)).toEqual(["<s>", "</s>", "<pad>", "<unk>"]);
    const training = JSON.parse(await readFile(join(out, "training.json"), "utf8"));
    expect(training.trainingDocuments + training.heldOutDocuments).toBe(4);

    const text = "Hello, wörld! The licensee may copy it.";
    const enc = await runCli(["tokenizer", "encode", join(out, "vocab-512"), text]);
    expect(enc.code).toBe(0);
    const ids = enc.stdout.trim().split(" ").map(Number);
    expect(ids).toEqual(new Tokenizer(json, {}).encode(text, { add_special_tokens: false }).ids);
    const dec = await runCli(["tokenizer", "decode", join(out, "vocab-512", "tokenizer.json"), ...ids.map(String)]);
    expect(dec.stdout).toBe(`${text}\n`); // the line ends (--no-newline for the text alone)
  });

  it("writes OUT/tokenizer.json for one size and trains on the generated stories", async () => {
    const out = join(dir, "grammar-tok");
    const r = await runCli(["tokenizer", "train", "grammar:stories=200", "--vocab", "300", "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("trained on 200 documents");
    const info = await runCli(["tokenizer", "info", out]);
    expect(info.stdout).toContain("vocabulary: 300 ids (300 in model.vocab, 4 added tokens), 40 merges");
  });

  it("reports bad input in one line, without a stack trace (spawned CLI)", async () => {
    const small = await spawnCli(["tokenizer", "train", corpus, "--vocab", "200", "-o", join(dir, "x")]);
    expect(small.code).toBe(1);
    expect(small.stderr).toBe("error: tokenizer train: argument '--vocab' received 200; expected an integer in [260, 4194304] (256 byte tokens + 4 special tokens [\"<s>\",\"</s>\",\"<pad>\",\"<unk>\"], plus the merges).\n");
  });

  it("names the file and the problem for bad corpora and tokenizers", async () => {

    const noText = join(dir, "notext.parquet");
    parquetWriteFile({ filename: noText, columnData: [{ name: "story", data: ["a"], type: "STRING" }] });
    const parquet = await runCli(["tokenizer", "train", noText, "--vocab", "300", "-o", join(dir, "y")]);
    expect(parquet.code).toBe(1);
    expect(parquet.stderr).toContain(`${noText}' received a Parquet file without a "text" column (its columns: story)`);

    const empty = join(dir, "empty.txt");
    await writeFile(empty, "\n\n");
    const emptyRun = await runCli(["tokenizer", "train", empty, "--vocab", "300", "-o", join(dir, "z")]);
    expect(emptyRun.code).toBe(1);
    expect(emptyRun.stderr).toContain("received a file with no text (0 documents");

    const bert = join(dir, "bert.json");
    await writeFile(bert, JSON.stringify({ model: { type: "WordPiece", vocab: { a: 0 } }, normalizer: null, pre_tokenizer: null, decoder: null, post_processor: null }));
    const wp = await runCli(["tokenizer", "encode", bert, "hi"]);
    expect(wp.code).toBe(1);
    expect(wp.stderr).toContain(`model.type' received "WordPiece"; expected "BPE"`);

  });
});
