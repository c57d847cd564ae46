/**
 * Language benchmarks (measured, never asserted in tests):
 *
 *   stream  generate a corpus file of --gb GB in each format (text with
 *           <|endoftext|>, JSON lines, Parquet with 1000-row groups as Hugging
 *           Face writes them) under /tmp, then stream it with the command line
 *           (`beliefscope lm corpus FILE`, its progress bar on stderr) under
 *           /usr/bin/time -f %M: documents, MB/s and peak RSS (bar: < 300 MB)
 *   study   the default `beliefscope lm` (generated grammar corpus: tokenizers,
 *           training, analysis, every figure) in a fresh folder: wall and CPU
 *           seconds (bar: under 10 minutes on 2 cores)
 *   train   train a 4096-token byte-level BPE on --mb MB of text, in a fresh
 *           process: (a) real English (Debian license texts, fortunes when
 *           installed, the generated stories) duplicated, (b) synthetic text with
 *           Zipf-distributed pseudo-words (~200k distinct), like a large real
 *           corpus's vocabulary: seconds counting (without making the text),
 *           seconds merging, peak RSS while training; then chars/token and
 *           encoding speed on 20 MB of the same kind of text
 *
 *   npx tsx bench/language.ts                          both (about 10 minutes)
 *   npx tsx bench/language.ts --only stream --gb 1 --formats parquet
 *   npx tsx bench/language.ts --only train --mb 100
 *   memory  `beliefscope lm analyze` alone under /usr/bin/time -f %M: on the default study's run
 *           (vocabulary 288, n_ctx 64) and on a run with a 4096-token vocabulary and n_ctx 128
 *           (100 steps on the real English of `train`): peak RSS, which the analysis's bounds
 *           (src/pipeline/lmAnalysis.ts LM_ANALYSIS_BOUNDS) keep from growing with the vocabulary
 *
 *   npx tsx bench/language.ts --only study
 *   npx tsx bench/language.ts --only memory
 * Results go to .bench/language.json; the generated files are deleted afterwards.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileWriter, ParquetWriter } from "hyparquet-writer";
import { generateStory, storyGrammar } from "../src/language/grammar/index.js";
import { trainTokenizers } from "../src/language/tokenizer/trainTokenizer.js";
import { BpeTokenizer } from "../src/language/tokenizer/tokenizer.js";
import { Rng } from "../src/util/rng.js";

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    gb: { type: "string", default: "1" },
    mb: { type: "string", default: "100" },
    child: { type: "string" },
    kind: { type: "string" },
    formats: { type: "string", default: "text,jsonl,parquet" },
  },
});

const TMP = "/tmp/beliefscope-bench-language";
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/** Real English documents: license paragraphs, fortunes, generated stories. */
function realDocuments(): string[] {
  const docs: string[] = [];
  for (const f of readdirSync("/usr/share/common-licenses")) {
    for (const para of readFileSync(join("/usr/share/common-licenses", f), "utf8").split(/\n\s*\n/)) if (para.trim()) docs.push(para.trim());
  }
  const fortunes = "/usr/share/games/fortunes";
  if (existsSync(fortunes)) {
    for (const f of readdirSync(fortunes)) {
      if (f.includes(".")) continue;
      const path = join(fortunes, f);
      if (!statSync(path).isFile()) continue;
      for (const d of readFileSync(path, "utf8").split(/^%$/m)) if (d.trim()) docs.push(d.trim());
    }
  }
  const grammar = storyGrammar();
  for (let k = 0; k < 5000; k++) docs.push(generateStory(grammar, 0, k).text);
  return docs;
}

/** Synthetic documents whose words follow a Zipf law over ~200k pseudo-words built from syllables. */
function* zipfDocuments(seed: number): Generator<string> {
  const rng = new Rng(seed, "zipf");
  const syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "gu", "shi", "tra", "ble", "or", "an", "en", "ist", "ing"];
  const nWords = 200_000;
  const words = Array.from({ length: nWords }, (_, k) => {
    let w = "";
    let n = k + 1;
    do {
      w += syllables[n % syllables.length];
      n = Math.floor(n / syllables.length);
    } while (n > 0);
    return w;
  });
  // Zipf(1) by inverse CDF over ranks.
  const cdf = new Float64Array(nWords);
  let acc = 0;
  for (let k = 0; k < nWords; k++) cdf[k] = acc += 1 / (k + 1);
  const draw = () => {
    const u = rng.uniform() * acc;
    let lo = 0;
    let hi = nWords - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < cdf[mid]) hi = mid;
      else lo = mid + 1;
    }
    return words[lo];
  };
  for (;;) {
    const parts: string[] = [];
    const n = 50 + rng.int(200);
    for (let k = 0; k < n; k++) parts.push(draw() + (rng.uniform() < 0.08 ? "." : rng.uniform() < 0.05 ? "," : ""));
    yield parts.join(" ");
  }
}

/** Write documents cycling through `docs` until `bytes`. */
function writeCorpus(path: string, format: "text" | "jsonl" | "parquet", docs: string[], bytes: number): number {
  let written = 0;
  let k = 0;
  let count = 0;
  if (format === "parquet") {
    const writer = new ParquetWriter({
      writer: fileWriter(path),
      schema: [
        { name: "root", num_children: 1 },
        { name: "text", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
      ],
    });
    // Parquet compresses (dictionary + snappy): write until the file itself has `bytes`.
    while (statSync(path).size < bytes) {
      const batch: string[] = [];
      for (let r = 0; r < 10_000; r++) {
        const d = `${docs[k++ % docs.length]} (${count++})`;
        batch.push(d);
        written += d.length;
      }
      writer.write({ columnData: [{ name: "text", data: batch }], rowGroupSize: 1000 });
    }
    writer.finish();
    return count;
  }
  const fd = openSync(path, "w");
  let buffer = "";
  while (written < bytes) {
    const d = `${docs[k++ % docs.length]} (${count++})`;
    const line = format === "text" ? `${d}\n<|endoftext|>\n` : JSON.stringify({ text: d }) + "\n";
    buffer += line;
    written += line.length;
    if (buffer.length > 1 << 22) {
      writeSync(fd, buffer);
      buffer = "";
    }
  }
  writeSync(fd, buffer);
  closeSync(fd);
  return count;
}

/** The command line: the built one when there is one (npx tsc -p .), else the sources through tsx. */
function cliCommand(): string[] {
  return existsSync("dist/cli/main.js") ? [process.execPath, "dist/cli/main.js"] : [process.execPath, "--import", "tsx", "src/cli/main.ts"];
}

/** Run the command line under /usr/bin/time: stdout, the progress lines it printed, peak RSS (MB), wall and CPU seconds. */
function timedCli(args: string[]): { stdout: string; stderr: string; peakRssMb: number; wallSeconds: number; cpuSeconds: number } {
  const [cmd, ...rest] = cliCommand();
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "TIME %M %U %S", cmd, ...rest, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  const wallSeconds = (performance.now() - t0) / 1000;
  const line = r.stderr.split("\n").find((l) => l.startsWith("TIME "));
  if (r.status !== 0 || !line) throw new Error(`beliefscope ${args.join(" ")} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  const [, kb, user, sys] = line.split(" ").map(Number);
  return { stdout: r.stdout, stderr: r.stderr, peakRssMb: kb / 1024, wallSeconds, cpuSeconds: user + sys };
}

/** Run this script as a child task; returns its RESULT line as an object. */
function child(task: string, extra: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, ["--import", "tsx", "bench/language.ts", "--child", task, ...extra], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 });
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`bench child ${task} printed no RESULT:\n${out.slice(-2000)}`);
  return JSON.parse(line.slice(7));
}

async function childTrain(kind: string, mb: number): Promise<void> {
  const target = mb * 1e6;
  const pool = kind === "zipf" ? null : realDocuments();
  function* documents(limit: number): Generator<string> {
    let chars = 0;
    const source = pool === null ? zipfDocuments(1) : (function* () {
      for (let k = 0; ; k++) yield pool[k % pool.length];
    })();
    for (const d of source) {
      if (chars >= limit) return;
      chars += d.length;
      yield d;
    }
  }
  // The cost of making the text alone, to subtract from the counting pass that consumes it.
  let t0 = performance.now();
  for (const d of documents(target)) void d;
  const generateSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const trained = await trainTokenizers(documents(target), {
    vocabSizes: [4096],
    onMerge: (p) => {
      if (p.merges % 1024 === 0) process.stderr.write(`  ${p.merges} of ${p.target} merges, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB\n`);
    },
    onCounted: (s) => process.stderr.write(`  counted ${s.documents} documents, ${(s.chars / 1e6).toFixed(0)} M chars, ${s.distinctWords} distinct pre-tokens in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`),
  });
  const peakTrainRssMb = peakRssMb();
  // Compression and encoding speed on 20 MB of text like the training text, made before timing.
  const tokenizer = BpeTokenizer.fromJson(trained.tokenizers[0].json);
  const sample = [...documents(20e6)];
  const chars = sample.reduce((s, d) => s + d.length, 0);
  let tokens = 0;
  const te = performance.now();
  for (const d of sample) tokens += tokenizer.encode(d, { addSpecialTokens: false }).length;
  const encodeSeconds = (performance.now() - te) / 1000;
  console.log(
    "RESULT " +
      JSON.stringify({
        kind,
        mb,
        documents: trained.stats.documents,
        distinctWords: trained.stats.distinctWords,
        merges: trained.result.merges.length,
        generateSeconds,
        countSeconds: trained.countSeconds - generateSeconds,
        mergeSeconds: trained.mergeSeconds,
        charsPerToken: chars / tokens,
        encodeMbPerSecond: chars / 1e6 / encodeSeconds,
        peakRssMb: peakTrainRssMb,
      }),
  );
}

async function main(): Promise<void> {
  if (args.child === "train") return childTrain(args.kind!, Number(args.mb));
  const only = args.only;
  if (only && only !== "stream" && only !== "train" && only !== "study" && only !== "memory") {
    console.error(`bench/language: --only received ${JSON.stringify(only)}; expected "stream", "train", "study" or "memory".`);
    process.exit(2);
  }
  // Merge into earlier results, so runs of one part or format keep the others.
  const previous = existsSync(".bench/language.json") ? (JSON.parse(readFileSync(".bench/language.json", "utf8")) as Record<string, Record<string, unknown>>) : {};
  const results: Record<string, unknown> = { ...previous, date: new Date().toISOString(), node: process.version };
  await mkdir(TMP, { recursive: true });
  if (!only || only === "stream") {
    const bytes = Number(args.gb) * 1e9;
    const docs = realDocuments();
    const stream: Record<string, unknown> = { ...(previous.stream ?? {}) };
    for (const format of args.formats!.split(",") as ("text" | "jsonl" | "parquet")[]) {
      const path = join(TMP, `corpus.${format === "text" ? "txt" : format}`);
      const t0 = performance.now();
      const written = writeCorpus(path, format, docs, bytes);
      const size = statSync(path).size;
      console.log(`${format}: wrote ${written} documents, ${(size / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(0)} s; streaming...`);
      const r = timedCli(["lm", "corpus", path]);
      const documents = Number(/(\d+) documents/.exec(r.stdout)?.[1]);
      const progressLines = r.stderr.split("\n").filter((l) => l.startsWith("read ")).length;
      stream[format] = { fileMb: size / 1e6, documents, seconds: r.wallSeconds, cpuSeconds: r.cpuSeconds, mbPerSecond: size / 1e6 / r.wallSeconds, peakRssMb: r.peakRssMb, progressLines, measuredWith: "/usr/bin/time -f %M beliefscope lm corpus FILE" };
      console.log(`${format}: ${documents} documents, ${(size / 1e6 / r.wallSeconds).toFixed(0)} MB/s, peak RSS ${r.peakRssMb.toFixed(0)} MB (/usr/bin/time), ${progressLines} progress lines`);
      rmSync(path, { force: true });
    }
    results.stream = stream;
  }
  if (!only || only === "train") {
    const train: Record<string, unknown> = { ...(previous.train ?? {}) };
    for (const kind of ["real", "zipf"]) {
      console.log(`train ${kind}: 4096 tokens on ${args.mb} MB...`);
      const r = child("train", ["--kind", kind, "--mb", String(args.mb)]);
      train[kind] = r;
      console.log(
        `train ${kind}: ${r.distinctWords} distinct pre-tokens, count ${(r.countSeconds as number).toFixed(1)} s (+ ${(r.generateSeconds as number).toFixed(1)} s making the text) + merge ${(r.mergeSeconds as number).toFixed(1)} s, peak RSS ${(r.peakRssMb as number).toFixed(0)} MB, ${(r.charsPerToken as number).toFixed(2)} chars/token, encode ${(r.encodeMbPerSecond as number).toFixed(1)} MB/s`,
      );
    }
    results.train = train;
  }
  if (!only || only === "study") {
    const out = join(TMP, "study");
    rmSync(out, { recursive: true, force: true });
    console.log("study: beliefscope lm (the generated grammar corpus, default settings)...");
    const r = timedCli(["lm", "-o", out]);
    const analysis = JSON.parse(readFileSync(join(out, "analysis.json"), "utf8"));
    const figures = readdirSync(out).filter((f) => f.endsWith(".png")).length;
    results.study = {
      wallSeconds: r.wallSeconds,
      cpuSeconds: r.cpuSeconds,
      peakRssMb: r.peakRssMb,
      figures,
      validationLoss: analysis.validation.loss,
      hmm: analysis.hmm,
      grammarVerdicts: analysis.probesGrammar?.sites.map((s: { label: string; r2: number; verdict: string }) => ({ site: s.label, r2: s.r2, verdict: s.verdict })),
      summary: r.stdout.trim().split("\n").slice(-12),
    };
    console.log(r.stdout.trim());
    console.log(`study: ${r.wallSeconds.toFixed(0)} s wall, ${r.cpuSeconds.toFixed(0)} s CPU, ${figures} PNG figures (bar: < 600 s on 2 idle cores)`);
  }
  if (!only || only === "memory") {
    const memory: Record<string, unknown> = {};
    const study = join(TMP, "memory-study");
    console.log("memory: the default study's run (beliefscope lm --steps 300), then lm analyze alone...");
    timedCli(["lm", "-o", study, "--steps", "300"]);
    const text = join(TMP, "memory-corpus.txt");
    const docs = realDocuments();
    writeFileSync(text, docs.join("\n<|endoftext|>\n"));
    const big = join(TMP, "memory-4096");
    timedCli(["lm", "train", text, "--vocab", "4096", "--n-ctx", "128", "--steps", "100", "--batch-size", "16", "-o", big]);
    for (const [name, run, vocab, nCtx] of [["default", join(study, "run"), 288, 64], ["vocab4096", big, 4096, 128]] as const) {
      const r = timedCli(["lm", "analyze", run, "-o", join(TMP, `memory-${name}-analysis`)]);
      memory[name] = { vocab, nCtx, peakRssMb: r.peakRssMb, wallSeconds: r.wallSeconds, cpuSeconds: r.cpuSeconds, measuredWith: "/usr/bin/time -f %M beliefscope lm analyze RUN" };
      console.log(`memory ${name} (vocabulary ${vocab}, n_ctx ${nCtx}): lm analyze peak RSS ${r.peakRssMb.toFixed(0)} MB, ${r.wallSeconds.toFixed(0)} s`);
    }
    results.memory = memory;
  }
  await mkdir(".bench", { recursive: true });
  await writeFile(".bench/language.json", JSON.stringify(results, null, 2) + "\n");
  rmSync(TMP, { recursive: true, force: true });
}

await main();
