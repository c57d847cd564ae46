/**
 * beliefscope tokenizer train|encode|decode|info: byte-level BPE tokenizers
 * as Hugging Face tokenizer.json files. The work is in src/language/tokenizer
 * (training, encoding) and src/node/corpus (streaming corpora, files).
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import cliProgress from "cli-progress";
import { Command, InvalidArgumentError, Option } from "commander";
import { documentPart, type CorpusSplit } from "../language/corpus/split.js";
import { parseSeparator, type SeparatorChoice } from "../language/corpus/separator.js";
import { BpeTokenizer } from "../language/tokenizer/tokenizer.js";
import { trainTokenizers } from "../language/tokenizer/trainTokenizer.js";
import { checkVocabSize } from "../language/tokenizer/trainBpe.js";
import { DEFAULT_SPECIAL_TOKENS } from "../language/tokenizer/wordCounter.js";
import { writeJsonAtomically } from "../node/atomicWrite.js";
import { checkOutputDir, clearOutputs } from "../node/outputPath.js";
import { openCorpus } from "../node/corpus/readCorpus.js";
import type { CorpusFormat } from "../node/corpus/files.js";
import { loadTokenizer, resolveTokenizerPath, saveTokenizerJson } from "../node/corpus/tokenizerFiles.js";
import { ArgumentError } from "../util/errors.js";
import { floatOption, intOption } from "./options.js";
import { checkMemory } from "../util/memory.js";
import { memoryBudget } from "./commonOptions.js";
import { encodeTextModel } from "./memoryModels.js";
import { formatDuration, formatSize } from "../util/humanUnits.js";

/** Up to this many characters of held-out documents are kept to measure compression. */
const VALIDATION_CHARS = 8 * 1024 * 1024;

function vocabList(value: string): number[] {
  const sizes = value.split(",").map((s) => s.trim());
  const out: number[] = [];
  for (const s of sizes) {
    const n = Number(s);
    if (s === "" || !Number.isInteger(n)) throw new InvalidArgumentError(`received ${JSON.stringify(value)}; expected vocabulary sizes separated by commas, e.g. 1024,2048,4096.`);
    out.push(n);
  }
  return [...new Set(out)];
}

function separatorOption(value: string): SeparatorChoice {
  try {
    return parseSeparator(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** A phase bar: live on a TTY, a line every 10% otherwise. */
export function phaseProgress(stream: NodeJS.WriteStream = process.stderr) {
  let bar: cliProgress.SingleBar | null = null;
  let phase = "";
  let lastTenth = -1;
  return {
    update(name: string, done: number, total: number, detail: string): void {
      if (name !== phase) {
        this.stop();
        phase = name;
        lastTenth = -1;
        if (stream.isTTY) {
          bar = new cliProgress.SingleBar(
            { format: `${name.padEnd(7)} |{bar}| {percentage}% | {detail} | eta {eta_formatted}`, stream, hideCursor: true, etaBuffer: 20 },
            cliProgress.Presets.shades_classic,
          );
          bar.start(Math.max(1, total), 0, { detail });
        }
      }
      if (bar) bar.update(Math.min(done, Math.max(1, total)), { detail });
      else {
        const tenth = total > 0 ? Math.floor((10 * done) / total) : 10;
        if (tenth > lastTenth) {
          lastTenth = tenth;
          stream.write(`${name} ${total > 0 ? Math.round((100 * done) / total) : 100}%  ${detail}\n`);
        }
      }
    },
    stop(): void {
      bar?.stop();
      bar = null;
    },
  };
}

const mb = formatSize;

interface TrainFlags {
  vocab: number[];
  out: string;
  force?: boolean;
  minFrequency: number;
  format: CorpusFormat | "auto";
  separator: SeparatorChoice;
  textField: string;
  maxDocuments?: number;
  validation: number;
  seed: number;
}

function trainSubcommand(): Command {
  return new Command("train")
    .description(
      "Train byte-level BPE (GPT-2 pre-tokenisation, special tokens <s> </s> <pad> <unk>) and write a Hugging Face tokenizer.json: " +
        "OUT/tokenizer.json for one size, OUT/vocab-N/tokenizer.json for several; OUT/training.json records the corpus and statistics.",
    )
    .argument(
      "<corpus...>",
      "text (.txt: documents separated by <|endoftext|>, blank lines or a separator line), JSON lines (.jsonl, field `text`), Parquet (column `text`), directories or globs of these (.gz too), or \"grammar[:stories=N,seed=S]\" for the generated stories",
    )
    .requiredOption("--vocab <sizes>", "vocabulary sizes, comma-separated (each >= 260: 256 bytes + 4 special tokens)", vocabList)
    .requiredOption("-o, --out <dir>", "output folder")
    .option("--min-frequency <n>", "merge only pairs seen at least this often", intOption(0), 2)
    .addOption(new Option("--format <format>", "corpus format (default: by extension)").choices(["auto", "text", "jsonl", "parquet"]).default("auto"))
    .option("--separator <sep>", "documents in text files: auto | endoftext | blank-line | line:X (a line exactly X, e.g. line:%)", separatorOption, "auto")
    .option("--text-field <name>", "JSON lines field / Parquet column with the text", "text")
    .option("--max-documents <n>", "read at most this many documents", intOption(1))
    .option("--validation <fraction>", "hold out this share of documents (seeded) and report compression on them", floatOption(0, 0.99), 0)
    .option("--seed <n>", "seed of the train/validation split", intOption(0), 0)
    .option("--force", "replace the tokenizers in --out (its tokenizer.json, vocab-N/ and training.json)")
    .action(async (corpusSpec: string[], o: TrainFlags) => {
      // Check sizes and the output folder before reading a byte of the corpus.
      o.vocab.forEach((v) => checkVocabSize("tokenizer train", "--vocab", v, DEFAULT_SPECIAL_TOKENS));
      const { existing } = await checkOutputDir(o.out, { fn: "beliefscope tokenizer train", flag: "--out", force: o.force ?? false });
      if (existing) await clearOutputs(o.out, (e) => ["tokenizer.json", "tokenizer_config.json", "training.json"].includes(e) || /^vocab-\d+$/.test(e));
      const progress = phaseProgress();
      const corpus = await openCorpus(corpusSpec, {
        format: o.format,
        separator: o.separator,
        textField: o.textField,
        maxDocuments: o.maxDocuments,
        onProgress: (p) =>
          progress.update("read", p.done, p.total, p.unit === "bytes" ? `${mb(p.done)} of ${mb(p.total)}, ${p.documents} documents` : `${p.documents} stories`),
      });
      const split: CorpusSplit = { validationFraction: o.validation, seed: o.seed };
      const heldOut: string[] = [];
      let heldOutChars = 0;
      let heldOutDocuments = 0;
      async function* trainingDocuments() {
        let index = 0;
        for await (const doc of corpus.documents()) {
          if (o.validation > 0 && documentPart(index++, split) === "validation") {
            heldOutDocuments++;
            if (heldOutChars < VALIDATION_CHARS) {
              heldOut.push(doc);
              heldOutChars += doc.length;
            }
            continue;
          }
          yield doc;
        }
      }
      let trained;
      try {
        trained = await trainTokenizers(trainingDocuments(), {
          vocabSizes: o.vocab,
          minFrequency: o.minFrequency,
          onMerge: (p) => progress.update("merge", p.merges, p.target, `${p.merges} of ${p.target} merges`),
        });
      } finally {
        progress.stop();
      }
      if (trained.stats.documents === 0) {
        throw new ArgumentError({ fn: "tokenizer train", argument: "corpus", received: "no training documents (all held out?)", expected: "at least one document to train on", hint: "Lower --validation." });
      }
      const several = trained.tokenizers.length > 1;
      const outputs = [];
      for (const { vocabSize, json } of trained.tokenizers) {
        const path = several ? join(o.out, `vocab-${vocabSize}`, "tokenizer.json") : join(o.out, "tokenizer.json");
        await saveTokenizerJson(json, path);
        const tokenizer = BpeTokenizer.fromJson(json, path);
        let heldOutTokens = 0;
        for (const doc of heldOut) heldOutTokens += tokenizer.encode(doc, { addSpecialTokens: false }).length;
        const entry = {
          vocabSize,
          path,
          tokens: tokenizer.vocabSize,
          merges: tokenizer.nMerges,
          heldOutCharsPerToken: heldOut.length > 0 ? heldOutChars / heldOutTokens : null,
        };
        outputs.push(entry);
        process.stdout.write(
          `wrote ${path}: ${entry.tokens} tokens (${entry.merges} merges)` +
            (entry.heldOutCharsPerToken !== null ? `, ${entry.heldOutCharsPerToken.toFixed(3)} chars/token on ${heldOut.length} held-out documents` : "") +
            "\n",
        );
      }
      if (trained.result.stoppedEarly) {
        const reached = trained.result.baseVocabSize + trained.result.merges.length;
        const why =
          trained.result.stopReason === "noPairs"
            ? "every pre-token of the corpus is a single token already"
            : `no pair occurs ${o.minFrequency} or more times`;
        process.stderr.write(
          `note: ${why} after ${trained.result.merges.length} merges, so vocabularies above ${reached} tokens have ${reached}` +
            (trained.result.stopReason === "noPairs" ? ".\n" : " (use a larger corpus or a lower --min-frequency).\n"),
        );
      }
      await writeJsonAtomically(join(o.out, "training.json"), {
        format: "beliefscope/tokenizer-training",
        version: 1,
        corpus: corpusSpec,
        files: corpus.files.map((f) => ({ path: f.path, format: f.format, bytes: f.bytes })),
        options: { vocab: o.vocab, minFrequency: o.minFrequency, separator: o.separator, textField: o.textField, maxDocuments: o.maxDocuments ?? null, validation: o.validation, seed: o.seed },
        specialTokens: trained.result.specialTokens,
        trainingDocuments: trained.stats.documents,
        heldOutDocuments,
        words: trained.stats.words,
        distinctWords: trained.stats.distinctWords,
        chars: trained.stats.chars,
        merges: trained.result.merges.length,
        stopReason: trained.result.stopReason,
        countSeconds: trained.countSeconds,
        mergeSeconds: trained.mergeSeconds,
        tokenizers: outputs,
      });
      process.stdout.write(
        `trained on ${trained.stats.documents} ${trained.stats.documents === 1 ? "document" : "documents"} (${formatSize(trained.stats.chars)} of text, ${trained.stats.distinctWords} distinct pre-tokens) in ${formatDuration(trained.countSeconds + trained.mergeSeconds)}\n`,
      );
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function encodeSubcommand(): Command {
  return new Command("encode")
    .description("encode text with a tokenizer.json (ours or a downloaded byte-level BPE, e.g. GPT-2's); prints token ids")
    .argument("<tokenizer>", "tokenizer.json, or a folder holding one")
    .argument("[text]", "text to encode (default: --file, or standard input)")
    .option("-f, --file <path>", "encode this file's text")
    .option("--tokens", "print the tokens next to the ids")
    .option("--json", "print { ids, tokens, offsets } as JSON")
    .option("--special", "add the post-processor's special tokens (none for GPT-2-style tokenizers)")
    .option("--max-memory <size>", "memory budget, e.g. 4GiB: a --file whose estimated peak exceeds it is refused before it is read (default half of this machine's memory)")
    .action(async (path: string, text: string | undefined, o: { file?: string; tokens?: boolean; json?: boolean; special?: boolean; maxMemory?: string }) => {
      const tokenizer = await loadTokenizer(path);
      let input = text;
      if (input === undefined && o.file !== undefined) {
        try {
          // The text's size against --max-memory before it is read (a character is at most a byte).
          const size = (await stat(o.file)).size;
          checkMemory("tokenizer encode", encodeTextModel({ json: o.json === true, file: o.file }, size), memoryBudget(o));
          input = await readFile(o.file, "utf8");
        } catch (err) {
          if (err instanceof ArgumentError) throw err;
          throw new ArgumentError({ fn: "tokenizer encode", argument: "--file", received: JSON.stringify(o.file), expected: "a readable text file", hint: (err as Error).message });
        }
      }
      if (input === undefined) input = await readStdin();
      const { ids, offsets } = tokenizer.encodeWithOffsets(input, { addSpecialTokens: o.special === true });
      if (o.json) {
        const tokens = Array.from(ids, (id) => tokenizer.idToToken(id));
        process.stdout.write(JSON.stringify({ ids: Array.from(ids), tokens, offsets: Array.from({ length: ids.length }, (_, k) => [offsets[2 * k], offsets[2 * k + 1]]) }) + "\n");
      } else if (o.tokens) {
        for (let k = 0; k < ids.length; k++) process.stdout.write(`${ids[k]}\t${JSON.stringify(input.slice(offsets[2 * k], offsets[2 * k + 1]))}\t${tokenizer.idToToken(ids[k])}\n`);
      } else {
        process.stdout.write(Array.from(ids).join(" ") + "\n");
      }
      process.stderr.write(`${ids.length} tokens, ${input.length} characters (${(input.length / Math.max(1, ids.length)).toFixed(3)} chars/token)\n`);
    });
}

function decodeSubcommand(): Command {
  return new Command("decode")
    .description("decode token ids (arguments, or whitespace/comma-separated on standard input) to text")
    .argument("<tokenizer>", "tokenizer.json, or a folder holding one")
    .argument("[ids...]", "token ids")
    .option("--skip-special", "leave out special tokens")
    .option("--no-newline", "write the text exactly, without the newline that ends it")
    .action(async (path: string, idArgs: string[], o: { skipSpecial?: boolean; newline: boolean }) => {
      const tokenizer = await loadTokenizer(path);
      const raw = idArgs.length > 0 ? idArgs.join(" ") : await readStdin();
      const parts = raw.split(/[\s,[\]]+/).filter((s) => s.length > 0);
      const ids = parts.map((s, k) => {
        const n = Number(s);
        if (!Number.isInteger(n) || n < 0) throw new ArgumentError({ fn: "tokenizer decode", argument: `ids[${k}]`, received: JSON.stringify(s), expected: "a non-negative integer token id" });
        return n;
      });
      process.stdout.write(tokenizer.decode(ids, { skipSpecialTokens: o.skipSpecial === true }));
      if (o.newline !== false) process.stdout.write("\n");
    });
}

function infoSubcommand(): Command {
  return new Command("info")
    .description("what a tokenizer.json holds: vocabulary, merges, special tokens, pipeline")
    .argument("<tokenizer>", "tokenizer.json, or a folder holding one")
    .action(async (path: string) => {
      const file = await resolveTokenizerPath(path);
      const tokenizer = await loadTokenizer(file);
      const j = tokenizer.json;
      process.stdout.write(
        [
          `${file}`,
          `vocabulary: ${tokenizer.vocabSize} ids (${Object.keys(j.model.vocab).length} in model.vocab, ${j.added_tokens?.length ?? 0} added tokens), ${tokenizer.nMerges} merges`,
          `special tokens: ${[...tokenizer.addedTokens].filter(([, id]) => tokenizer.specialIds.has(id)).map(([t, id]) => `${t}=${id}`).join(" ") || "none"}`,
          `normalizer: ${j.normalizer?.type ?? "none"}; pre-tokenizer: ${j.pre_tokenizer?.type ?? "none"}; post-processor: ${j.post_processor?.type ?? "none"}; decoder: ${j.decoder?.type ?? "none"}`,
          "",
        ].join("\n"),
      );
    });
}

export function tokenizerCommand(): Command {
  return new Command("tokenizer")
    .description("byte-level BPE tokenizers (Hugging Face tokenizer.json): train on a corpus, encode, decode")
    .addCommand(trainSubcommand())
    .addCommand(encodeSubcommand())
    .addCommand(decodeSubcommand())
    .addCommand(infoSubcommand());
}
