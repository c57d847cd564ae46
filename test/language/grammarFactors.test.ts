/**
 * Probes to the factors of the grammar's hidden state, and activations in
 * bounded chunks: the factors' exact marginals against the grammar's own
 * definition (a story's start, a named character), the readout process whose
 * belief KL is KL between marginals, the factor probe against the full
 * probe's marginal (least squares is column by column, so they must agree),
 * and chunked activations against one unchunked forward pass.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  BpeTokenizer,
  CHARACTERS,
  factorOfState,
  factorReadoutHmm,
  forwardBytesPerWindow,
  forwardFloatsPerWindow,
  GRAMMAR_FACTORS,
  GRAMMAR_FACTOR_VALUES,
  grammarDocuments,
  grammarFactorBeliefs,
  grammarWindows,
  hookActivations,
  parseGrammarSpec,
  siteActivations,
  storyGrammar,
  toSymbols,
  tokenAlphabet,
  trainTokenizers,
  windowsPerForward,
  type GrammarWindows,
} from "../../src/language/index.js";
import { createModel } from "../../src/model/registry.js";
import { defaultChunkSeqs, FAST_FORWARD_BYTES } from "../../src/model/transformer/fast/inference.js";
import { makeConfig } from "../../src/model/transformer/config.js";
import { klDivergence, nextTokenMap, probeFeatures, projectOntoSimplex } from "../../src/probe/index.js";
import { Rng } from "../../src/util/rng.js";

const grammar = storyGrammar();
let tokenizer: BpeTokenizer;
let w: GrammarWindows;
const P = 32;
const N = 16;

beforeAll(async () => {
  tokenizer = BpeTokenizer.fromJson((await trainTokenizers(grammarDocuments(parseGrammarSpec("grammar:stories=100")), { vocabSizes: [400] })).tokenizers[0].json);
  w = grammarWindows(grammar, tokenizer, { windows: N, nPos: P, seed: 0, firstStory: 100, bos: tokenizer.tokenToId("<s>")! });
}, 30_000);

describe("the grammar's factors", () => {
  it("are the belief's marginals: a story starts in slot open, any character, happy with p 0.6; a name settles the character", () => {
    const m = grammarFactorBeliefs(grammar, w.beliefs);
    for (const f of GRAMMAR_FACTORS) {
      expect(m[f].cols).toBe(GRAMMAR_FACTOR_VALUES[f].length);
      for (let r = 0; r < N * P; r++) expect(m[f].data.subarray(r * m[f].cols, (r + 1) * m[f].cols).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
    // Row 0 is the BOS of a story: the grammar's initial distribution.
    expect(Array.from(m.character.data.subarray(0, 4))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(m.mood.data[0]).toBeCloseTo(0.6, 12);
    expect(m.slot.data[0]).toBe(1);
    expect(m.phase.data[0]).toBe(1);
    // After the name token (" Lily", " Mia", ...), the character marginal is certain and true.
    let named = 0;
    for (let r = 0; r < N * P; r++) {
      const piece = tokenizer.decode(w.tokens.subarray(r, r + 1)).trim();
      const c = CHARACTERS.findIndex((x) => x.name === piece);
      if (c < 0) continue;
      named++;
      expect(m.character.data[r * 4 + c]).toBeCloseTo(1, 9);
      expect(factorOfState(grammar, "character")[w.states[r]]).toBe(c);
    }
    expect(named).toBeGreaterThan(N / 2);
  });

  it("read out through a process whose next-token distribution is the belief itself", () => {
    const hmm = factorReadoutHmm("character");
    expect([hmm.nStates, hmm.nSymbols]).toEqual([4, 4]);
    const map = nextTokenMap(hmm);
    expect(map.simplex).toBe(true);
    expect(Array.from(map.vertices)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  it("probe to exactly the full probe's marginal, with belief KL = KL(exact marginal || probed marginal on the simplex)", () => {
    const S = grammar.hmm.nStates;
    const rows = N * P;
    // Features: a random linear image of the belief (8 of its 160 dimensions survive) plus noise.
    const rng = new Rng(3, "features");
    const D = 12;
    const mix = Float64Array.from({ length: S * D }, () => rng.normal());
    const x = new Float64Array(rows * D);
    for (let r = 0; r < rows; r++) for (let d = 0; d < D; d++) {
      let v = 0.3 * rng.normal();
      for (let i = 0; i < S; i++) v += w.beliefs[r * S + i] * mix[i * D + d];
      x[r * D + d] = v;
    }
    const alphabet = tokenAlphabet(w.tokens, tokenizer.vocabSize, 64);
    const sites = [{ label: "x", hooks: ["x"] }];
    const data = { features: { x: { rows, cols: D, data: x } }, tokens: toSymbols(alphabet, w.tokens), nTokens: alphabet.nSymbols, sequences: N, nPos: P };
    const options = { resamples: 20, kgramOrders: [1], referenceKgramOrders: [], observability: { maxHorizon: 1 } };
    const full = probeFeatures({ ...data, beliefs: { rows, cols: S, data: w.beliefs }, hmm: grammar.hmm }, sites, options);
    const marginals = grammarFactorBeliefs(grammar, w.beliefs);
    for (const f of GRAMMAR_FACTORS) {
      const report = probeFeatures({ ...data, beliefs: marginals[f], hmm: factorReadoutHmm(f) }, sites, options);
      const pred = report.testPredictions.x;
      const fullPred = full.testPredictions.x;
      const of = factorOfState(grammar, f);
      let kl = 0;
      for (let r = 0; r < pred.rows; r++) {
        const marginal = new Float64Array(pred.cols);
        for (let i = 0; i < S; i++) marginal[of[i]] += fullPred.data[r * S + i];
        for (let v = 0; v < pred.cols; v++) expect(pred.data[r * pred.cols + v]).toBeCloseTo(marginal[v], 8);
        kl += klDivergence(report.testBeliefs.data.subarray(r * pred.cols, (r + 1) * pred.cols), projectOntoSimplex(pred.data.subarray(r * pred.cols, (r + 1) * pred.cols)));
      }
      expect(report.sites[0].beliefKL).toBeCloseTo(kl / pred.rows, 10);
      expect(Object.keys(report.sites[0].controls)).toEqual(expect.arrayContaining(["shuffled", "1-gram"]));
    }
  });
});

describe("activations in bounded chunks", () => {
  it("equal one unchunked forward pass, whatever the chunk", async () => {
    const config = makeConfig({ nLayers: 2, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32, nCtx: P, dVocab: tokenizer.vocabSize }, "shai-4l");
    const model = await createModel("transformer", { config: config as unknown as Record<string, unknown>, seed: 1 });
    const sites = model.layerSites();
    const hooks = [...new Set(sites.flatMap((s) => s.hooks))];
    const whole = await model.runWithCache(w.tokens, P, { names: hooks });
    const perWindow = forwardBytesPerWindow(model, P);
    expect(perWindow).toBe(16 * forwardFloatsPerWindow(model, P));
    expect(windowsPerForward(model, P, 3 * perWindow)).toBe(3);
    expect(windowsPerForward(model, P, 1)).toBe(1);
    const chunked = await siteActivations(model, w.tokens, P, sites, { maxForwardBytes: 3 * perWindow });
    for (const s of sites) {
      const ref = whole.cache.features(s.hooks);
      expect(chunked[s.label].cols).toBe(ref.cols);
      expect(Array.from(chunked[s.label].data)).toEqual(Array.from(ref.data));
    }
    // Attention patterns are not among the fused forward's hooks: chunks and the reference both run on jax-js.
    const names = ["blocks.1.hook_resid_post", "blocks.0.attn.hook_pattern"];
    const acts = await hookActivations(model, w.tokens, P, names, { maxForwardBytes: 5 * perWindow, logits: true });
    const ref = await model.runWithCache(w.tokens, P, { names, engine: "jax" });
    expect(acts.hooks["blocks.0.attn.hook_pattern"].shape).toEqual([N, 2, P, P]);
    for (const name of names) expect(Array.from(acts.hooks[name].data)).toEqual(Array.from(ref.cache.get(name).data));
    expect(Array.from(acts.logits!.data)).toEqual(Array.from(ref.logits.data));
    model.dispose();
  });

  it("the fused forward's network stays within its bound (default chunk)", () => {
    const wide = makeConfig({ nLayers: 2, dModel: 64, nHeads: 4, dHead: 16, dMlp: 256, nCtx: 256, dVocab: 4096 }, "shai-4l");
    const k = defaultChunkSeqs(wide);
    // floats per position of the inference network: residuals, LayerNorm outputs, q/k/v, z, MLP, logits.
    const perPosition = 3 * 64 + 2 * (64 + 3 * 64 + 64 + 64 + 64 + 2 * 256) + 64 + 4096 + 1;
    expect(k).toBe(Math.floor(FAST_FORWARD_BYTES / (4 * 256 * perPosition)));
    expect(k).toBeLessThan(256);
    expect(defaultChunkSeqs(makeConfig({ nCtx: 10, dVocab: 3 }, "shai-4l"))).toBe(256);
  });
});
