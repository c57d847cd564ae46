/**
 * Language models on token streams: windows (seeded, a pure function of
 * (seed, step)), tokenizing a corpus (BOS per document, the split), the
 * held-out loss against a closed form, and training on the shared run
 * machinery: validation loss recorded, resume equal to an uninterrupted run,
 * any registered architecture.
 */
import { describe, expect, it } from "vitest";
import {
  ArrayTokenStream,
  BpeTokenizer,
  documentPart,
  encodeCorpus,
  grammarDocuments,
  languageModelLoss,
  parseGrammarSpec,
  TokenStreamBuilder,
  trainLanguageModel,
  trainTokenizers,
  unigramLoss,
  windowBatch,
  type CorpusRunData,
  type LanguageModelData,
} from "../../src/language/index.js";
import { createModel } from "../../src/model/registry.js";
import { MemoryRunStore } from "../../src/train/runStore.js";

async function grammarData(stories = 300, validationFraction = 0.1): Promise<{ data: LanguageModelData; tokenizer: BpeTokenizer; docs: string[] }> {
  const spec = parseGrammarSpec(`grammar:stories=${stories}`);
  const docs = [...grammarDocuments(spec)];
  const trained = await trainTokenizers(docs, { vocabSizes: [300] });
  const tokenizer = BpeTokenizer.fromJson(trained.tokenizers[0].json);
  const train = new TokenStreamBuilder();
  const validation = new TokenStreamBuilder();
  const split = { validationFraction, seed: 0 };
  const stats = await encodeCorpus(docs, tokenizer, { train, validation }, { split });
  const description: CorpusRunData = {
    kind: "corpus",
    corpus: [`grammar:stories=${stories}`],
    tokenizer: { vocabSize: tokenizer.vocabSize, merges: tokenizer.nMerges, source: "test" },
    bos: stats.bos,
    windows: "random",
    validationFraction,
    splitSeed: 0,
    trainDocuments: stats.trainDocuments,
    validationDocuments: stats.validationDocuments,
    trainTokens: stats.trainTokens,
    validationTokens: stats.validationTokens,
    truncated: false,
  };
  return { data: { train: train.build(), validation: validation.build(), description }, tokenizer, docs };
}

const TINY = { nLayers: 1, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32, nCtx: 16 };

describe("token streams and windows", () => {
  it("puts BOS before every document, splits by document as documentPart, and decodes back", async () => {
    const { data, tokenizer, docs } = await grammarData(60, 0.3);
    const expectedValidation = docs.filter((_, k) => documentPart(k, { validationFraction: 0.3, seed: 0 }) === "validation");
    expect(data.validation!.nDocuments).toBe(expectedValidation.length);
    const v = data.validation as ArrayTokenStream;
    for (let d = 0; d < v.nDocuments; d++) {
      const ids = v.document(d);
      expect(ids[0]).toBe(tokenizer.tokenToId("<s>"));
      expect(tokenizer.decode(ids.subarray(1))).toBe(expectedValidation[d]);
    }
    expect(data.train.nDocuments + data.validation!.nDocuments).toBe(60);
  });

  it("gives each step's batch as a pure function of (seed, step), documents starting with BOS", () => {
    const builder = new TokenStreamBuilder();
    for (let d = 0; d < 50; d++) builder.appendDocument(Int32Array.from({ length: 5 + (d % 7) }, (_, k) => (k === 0 ? 0 : 1 + ((d * 13 + k) % 9))));
    const stream = builder.build();
    const o = { batchSize: 8, nPos: 6, seed: 3, start: "random" as const };
    expect(windowBatch(stream, o, 5)).toEqual(windowBatch(stream, o, 5));
    expect(windowBatch(stream, o, 5)).not.toEqual(windowBatch(stream, o, 6));
    expect(windowBatch(stream, { ...o, seed: 4 }, 5)).not.toEqual(windowBatch(stream, o, 5));
    const docs = windowBatch(stream, { ...o, start: "document" }, 2);
    for (let b = 0; b < 8; b++) expect(docs[b * 7]).toBe(0);
    // Every window is a contiguous slice of the stream.
    const all = new Int32Array(stream.nTokens);
    stream.read(0, stream.nTokens, all);
    const batch = windowBatch(stream, o, 9);
    for (let b = 0; b < 8; b++) {
      const w = Array.from(batch.subarray(b * 7, b * 7 + 7)).join(",");
      expect(all.join(",").includes(w)).toBe(true);
    }
    expect(() => windowBatch(new ArrayTokenStream(new Uint16Array(5), new Uint32Array([0])), o, 0)).toThrow(/received 5 tokens \(1 documents\); expected at least n_ctx \+ 1 = 7 tokens/);
  });
});

describe("languageModelLoss", () => {
  it("is ln(d_vocab) for a model whose logits are all zero, whatever the chunk size", async () => {
    const model = await createModel("transformer", { config: { ...TINY, dVocab: 37 } });
    const sd = await model.stateDict();
    for (const t of Object.values(sd)) (t.data as Float32Array).fill(0);
    model.loadStateDict(sd);
    const windows = Int32Array.from({ length: 5 * 17 }, (_, k) => (k * 7) % 37);
    const whole = await languageModelLoss(model, windows, 16);
    const chunked = await languageModelLoss(model, windows, 16, { maxLogitBytes: 4 * 16 * 37 });
    expect(whole.loss).toBeCloseTo(Math.log(37), 6);
    expect(whole.perplexity).toBeCloseTo(37, 4);
    expect(whole.tokens).toBe(80);
    expect(Array.from(chunked.perToken)).toEqual(Array.from(whole.perToken));
    model.dispose();
  });
});

describe("trainLanguageModel", () => {
  it("trains below the unigram loss, records validation, and resumes to exactly the uninterrupted weights", async () => {
    const { data } = await grammarData(300);
    const options = { model: TINY, training: { steps: 60, batchSize: 8, checkpointEvery: 20, optimizer: { learningRate: 1e-2, warmupSteps: 5 } }, validation: { windows: 16, every: 20 } };
    const full = await trainLanguageModel(data, { ...options, store: new MemoryRunStore() });
    const losses = full.metrics.filter((m) => m.validation).map((m) => [m.step, m.validation!.loss]);
    expect(losses.map((l) => l[0])).toEqual([20, 40, 60]);
    expect(losses[2][1]).toBeLessThan(losses[0][1]);
    // Below the add-one unigram model of the training tokens on the same windows: the model uses context.
    const trainTokens = new Int32Array(data.train.nTokens);
    data.train.read(0, data.train.nTokens, trainTokens);
    expect(full.validation!.loss).toBeLessThan(unigramLoss(trainTokens, 300, full.validationWindows, 17));
    expect(full.validation!.perplexity).toBeCloseTo(Math.exp(full.validation!.loss), 9);

    const store = new MemoryRunStore();
    let steps = 0;
    const first = await trainLanguageModel(data, { ...options, store, events: { shouldStop: () => ++steps >= 30 } });
    expect(first.stopped).toBe(true);
    first.model.dispose();
    const resumed = await trainLanguageModel(data, { store, resume: true });
    expect(resumed.resumedFromStep).toBe(30);
    const a = await full.model.stateDict();
    const b = await resumed.model.stateDict();
    for (const name of Object.keys(a)) expect(Array.from(b[name].data), name).toEqual(Array.from(a[name].data));
    expect(store.run?.data?.kind).toBe("corpus");
    expect(() => JSON.parse(store.model!.config)).not.toThrow();
    full.model.dispose();
    resumed.model.dispose();
  });

  it("trains another registered architecture (a GRU, on jax-js)", async () => {
    const { data } = await grammarData(100);
    const r = await trainLanguageModel(data, { arch: "gru", model: { nCtx: 12 }, training: { steps: 6, batchSize: 4 }, validation: { windows: 4 } });
    expect(r.engine).toBe("jax-js");
    expect(r.model.architecture).toBe("gru");
    expect(Number.isFinite(r.validation!.loss)).toBe(true);
    r.model.dispose();
  });

  it("refuses a run whose vocabulary is not the tokenizer's, and a corpus too short for n_ctx", async () => {
    const { data } = await grammarData(40);
    await expect(trainLanguageModel(data, { model: { ...TINY, dVocab: 50 }, training: { steps: 1 } })).rejects.toThrow(/model.dVocab' received 50; expected 300, the tokenizer's vocabulary/);
    const short = { ...data, train: new ArrayTokenStream(new Uint16Array(10), new Uint32Array([0])) };
    await expect(trainLanguageModel(short, { model: TINY, training: { steps: 1 } })).rejects.toThrow(/the training documents' received 10 tokens/);
  });
});
