/**
 * The analyses against closed forms and independent computations: Zipf
 * exponents of exact power laws, block means by brute force, OV circuits of
 * rank-one heads, fixedness of fixed and input-dependent patterns, PCA of
 * data on a line, HMM token losses against the exact filter in
 * src/process/beliefs.ts, and the grammar's probe windows.
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { describe, expect, it } from "vitest";
import {
  blockMeans,
  BpeTokenizer,
  cosineSimilarity,
  fitZipf,
  generateStory,
  grammarDocuments,
  grammarWindows,
  hmmTokenLosses,
  ovMatrices,
  parseGrammarSpec,
  patternStats,
  pca,
  rankFrequency,
  storyGrammar,
  tokenAlphabet,
  tokenTextClass,
  trainTokenizers,
} from "../../src/language/index.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { sampleSequences } from "../../src/process/sample.js";

describe("token frequencies", () => {
  it("recovers the exponent of an exact power law, fitting only ranks with enough counts", () => {
    const counts = Array.from({ length: 500 }, (_, r) => Math.round(1e6 * (r + 1) ** -1.3));
    const fit = fitZipf(counts, 5);
    expect(fit.exponent).toBeCloseTo(1.3, 2);
    expect(fit.r2).toBeGreaterThan(0.999);
    expect(fit.ranksFitted).toBe(counts.filter((c) => c >= 5).length);
    const rf = rankFrequency([3, 3, 3, 1, 1, 2, 7, 3], 8, 1);
    expect(Array.from(rf.ids)).toEqual([3, 1, 2, 7]);
    expect(Array.from(rf.counts)).toEqual([4, 2, 1, 1]);
  });
});

describe("embedding geometry", () => {
  it("gives cosines of token vectors and band means without the diagonal", () => {
    const E = { shape: [4, 2], data: Float32Array.from([1, 0, 0, 2, -3, 0, 1, 1]) };
    const sim = cosineSimilarity(E, [0, 1, 2, 3]);
    expect(sim[0 * 4 + 2]).toBeCloseTo(-1, 6);
    expect(sim[0 * 4 + 3]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(sim[1 * 4 + 1]).toBeCloseTo(1, 6);
    const blocks = blockMeans(sim, 4, 2);
    // Band 0 = tokens 0, 1: without the diagonal only the pair (0, 1), cosine 0.
    expect(blocks[0]).toBeCloseTo(0, 6);
    expect(blocks[1]).toBeCloseTo((sim[2] + sim[3] + sim[6] + sim[7]) / 4, 9);
    expect(blocks[3]).toBeCloseTo(sim[2 * 4 + 3], 9);
  });
});

describe("heads", () => {
  it("computes W_V W_O and its spectrum (a rank-one head has one singular value |u||v|)", () => {
    const H = 1;
    const D = 3;
    const E = 1;
    const u = [1, 2, 2]; // W_V[0][:, 0]
    const v = [0, 3, 4]; // W_O[0][0, :]
    const sd = { "blocks.0.attn.W_V": { shape: [H, D, E], data: Float32Array.from(u) }, "blocks.0.attn.W_O": { shape: [H, E, D], data: Float32Array.from(v) } };
    const [c] = ovMatrices(sd, 1);
    expect(Array.from(c.matrix)).toEqual([0, 3, 4, 0, 6, 8, 0, 6, 8]);
    expect(c.singularValues[0]).toBeCloseTo(15, 9);
    expect(c.singularValues[1]).toBeCloseTo(0, 9);
    expect(c.norm).toBeCloseTo(15, 9);
  });

  it("gives the singular values of the full W_V W_O from the factored d_head x d_head product", () => {
    const D = 6;
    const E = 3;
    const rng = (k: number) => Math.sin(12.9898 * k) * 43758.5453 - Math.floor(Math.sin(12.9898 * k) * 43758.5453) - 0.5;
    const sd = {
      "blocks.0.attn.W_V": { shape: [1, D, E], data: Float32Array.from({ length: D * E }, (_, k) => rng(k + 1)) },
      "blocks.0.attn.W_O": { shape: [1, E, D], data: Float32Array.from({ length: E * D }, (_, k) => rng(k + 101)) },
    };
    const [c] = ovMatrices(sd, 1);
    const full = new SingularValueDecomposition(new Matrix(Array.from({ length: D }, (_, i) => Array.from(c.matrix.subarray(i * D, (i + 1) * D))))).diagonal.sort((a, b) => b - a);
    for (let k = 0; k < D; k++) expect(c.singularValues[k]).toBeCloseTo(full[k], 9);
    expect(c.singularValues[E]).toBeCloseTo(0, 9);
  });

  it("calls a pattern fixed when every input has it, and less fixed as inputs move it", () => {
    const B = 3;
    const P = 3;
    // Head 0: previous-token on every input. Head 1: attends to key 0 or to itself depending on the input.
    const pattern = new Float32Array(B * 2 * P * P);
    for (let b = 0; b < B; b++) {
      for (let q = 0; q < P; q++) {
        pattern[((b * 2 + 0) * P + q) * P + Math.max(0, q - 1)] = 1;
        pattern[((b * 2 + 1) * P + q) * P + (b === 1 ? q : 0)] = 1;
      }
    }
    const s = patternStats(pattern, [B, 2, P, P]);
    expect(s.fixedness[0]).toBeCloseTo(1, 12);
    // Head 1, by hand: rows q = 1, 2 over entries k <= q (5 entries); grand mean 2/5 ... = 1 - within / total.
    let within = 0;
    let total = 0;
    const grand = (s.mean[(1 * P + 1) * P + 0] + s.mean[(1 * P + 1) * P + 1] + s.mean[(1 * P + 2) * P + 0] + s.mean[(1 * P + 2) * P + 1] + s.mean[(1 * P + 2) * P + 2]) / 5;
    for (let b = 0; b < B; b++) {
      for (const [q, k] of [[1, 0], [1, 1], [2, 0], [2, 1], [2, 2]]) {
        const a = pattern[((b * 2 + 1) * P + q) * P + k];
        within += (a - s.mean[(1 * P + q) * P + k]) ** 2;
        total += (a - grand) ** 2;
      }
    }
    expect(s.fixedness[1]).toBeCloseTo(1 - within / total, 12);
    expect(s.fixedness[1]).toBeLessThan(0.5);
  });
});

describe("residual PCA", () => {
  it("puts all variance of points on a line in the first component", () => {
    const n = 50;
    const data = new Float64Array(n * 3);
    for (let r = 0; r < n; r++) [data[3 * r], data[3 * r + 1], data[3 * r + 2]] = [r, 2 * r + 1, -r];
    const p = pca({ rows: n, cols: 3, data }, 2);
    expect(p.explainedRatio[0]).toBeCloseTo(1, 9);
    expect(Math.abs(p.components.data[1])).toBeCloseTo(2 / Math.sqrt(6), 6);
    // Projections on PC1 are the centred points' coordinates along the line.
    expect(Math.abs(p.projections.data[0] - p.projections.data[2])).toBeCloseTo(Math.sqrt(6), 6);
  });
});

describe("HMMs on tokens", () => {
  it("scores tokens with the exact filter of src/process (mess3 as the HMM, every symbol in the alphabet)", () => {
    const hmm = makeProcess("mess3");
    const L = 9;
    const { tokens } = sampleSequences(hmm, { count: 20, length: L, seed: 4 });
    const alphabet = tokenAlphabet(Int32Array.from([0, 1, 2]), 3);
    expect(alphabet.nSymbols).toBe(3);
    // The alphabet orders by frequency (ties by id): identity here, so symbols are tokens.
    expect(Array.from(alphabet.symbolOf)).toEqual([0, 1, 2]);
    const ours = hmmTokenLosses(hmm, Float64Array.from([1 / 3, 1 / 3, 1 / 3]), alphabet, tokens, L);
    const exact = filterBeliefs(hmm, tokens, L, { initial: [1 / 3, 1 / 3, 1 / 3] }).optimalLoss;
    for (let s = 0; s < 20; s++) for (let t = 1; t < L; t++) expect(ours[s * (L - 1) + t - 1]).toBeCloseTo(exact[s * L + t], 9);
  });

  it("maps rare and unseen tokens to one symbol whose share is split by add-one counts", () => {
    const a = tokenAlphabet([5, 5, 5, 2, 2, 7], 10, 3);
    expect(a.nSymbols).toBe(3);
    expect(a.symbolOf[5]).toBe(0);
    expect(a.symbolOf[2]).toBe(1);
    expect(a.symbolOf[7]).toBe(2);
    expect(a.symbolOf[0]).toBe(2);
    // "other" holds 8 tokens, one of them (7) seen once: (1 + 1) / (1 + 8) and (0 + 1) / 9.
    expect(Math.exp(a.logWithin[7])).toBeCloseTo(2 / 9, 12);
    expect(Math.exp(a.logWithin[0])).toBeCloseTo(1 / 9, 12);
    let total = 0;
    for (let t = 0; t < 10; t++) if (a.symbolOf[t] === 2) total += Math.exp(a.logWithin[t]);
    expect(total).toBeCloseTo(1, 12);
  });
});

describe("the grammar's probe windows", () => {
  it("give exact beliefs that put mass on the true state, the initial distribution at each BOS", async () => {
    const spec = parseGrammarSpec("grammar:stories=100");
    const grammar = storyGrammar();
    const tokenizer = BpeTokenizer.fromJson((await trainTokenizers(grammarDocuments(spec), { vocabSizes: [300] })).tokenizers[0].json);
    const bos = tokenizer.tokenToId("<s>")!;
    const w = grammarWindows(grammar, tokenizer, { windows: 6, nPos: 40, seed: 0, firstStory: 100, bos });
    const S = grammar.hmm.nStates;
    expect(w.stories).toBeGreaterThan(6);
    for (let r = 0; r < 6 * 40; r++) {
      const b = w.beliefs.subarray(r * S, (r + 1) * S);
      expect(b.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
      expect(b[w.states[r]]).toBeGreaterThan(0);
      if (w.tokens[r] === bos) expect(Array.from(b)).toEqual(Array.from(grammar.initial));
    }
    expect(w.tokens[0]).toBe(bos);
    // The windows' text is the new stories' text.
    expect(tokenizer.decode(w.tokens.subarray(1, 10))).toBe(tokenizer.decode(tokenizer.encode(generateStory(grammar, 0, 100).text).subarray(0, 9)));
  });

  it("classes tokens by their text", () => {
    expect(["Ġthe", " the", "the", ".", " 42", "\n", "é"].map((t) => tokenTextClass(t))).toEqual(["word piece", "word start", "word piece", "punctuation", "number", "whitespace", "word piece"]);
  });
});
