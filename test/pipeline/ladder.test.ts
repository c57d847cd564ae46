import { beforeAll, describe, expect, it } from "vitest";
import { initEngine } from "../../src/engine/jax.js";
import { initialStateDictFromSpecs } from "../../src/model/init.js";
import { getArchitecture } from "../../src/model/registry.js";
import { runLadder, type LadderOptions } from "../../src/pipeline/ladder.js";
import type { LadderMechanisms } from "../../src/pipeline/ladderMechanism.js";
import { LADDER_RUNG_NAMES, selectRungs } from "../../src/pipeline/ladderRungs.js";
import { memoryLadderWorkspace } from "../../src/pipeline/ladderWorkspace.js";
import { makeProcess } from "../../src/process/index.js";
import { ArgumentError } from "../../src/util/errors.js";

beforeAll(async () => {
  await initEngine();
});

const mess3 = makeProcess("mess3", { x: 0.05, alpha: 0.85 });
// A few steps and small samples: this checks the pipeline, not the science (docs/mechanisms.md has the full ladders).
const tiny = { steps: 6, batchSize: 8, evalSequences: 200, probeSequences: 60 } as const;

/** A stand-in for src/mechanism: a random 1-layer linear-attention model, fixed mechanism numbers. */
const constructedConfig = { nLayers: 1, dModel: 8, nHeads: 1, dHead: 4, dMlp: 4, attnOnly: true, layerNorm: false, attention: "linear", linearNormalize: true, nCtx: 10, dVocab: 3 };
const fakeMechanisms: LadderMechanisms = {
  construct: async (hmm, nCtx) => {
    const arch = getArchitecture("transformer");
    const config = arch.makeConfig({ ...constructedConfig, nCtx, dVocab: hmm.nSymbols });
    return { config, stateDict: initialStateDictFromSpecs(arch.parameterSpecs(config), 5) };
  },
  analyse: async () => ({ heads: [{ head: 0, fixedFraction: 0.9876, fixedFractionLastQuery: 0.9543 }], decompositionRelativeError: 1.5e-7, decompositionMaxAbsError: 2.5e-6, decompositionSource: "weights" }),
};

describe("the ladder", () => {
  it("trains rungs on the same data, steps and seed, adds the constructed model, and writes the table, report and grid", async () => {
    const ws = memoryLadderWorkspace();
    const trainingStarts: string[] = [];
    const r = await runLadder({
      process: mess3,
      workspace: ws,
      rungs: ["rnn", "linear-attn-1l", "constructed"],
      ...tiny,
      mechanisms: fakeMechanisms,
      events: { training: (rung) => (trainingStarts.push(rung.name), { onStart: () => {}, onStep: () => {} }) },
    });
    // Ladder order, whatever order they were asked in.
    expect(r.rows.map((x) => x.rung)).toEqual(["linear-attn-1l", "rnn", "constructed"]);
    expect(trainingStarts).toEqual(["linear-attn-1l", "rnn"]);
    const [lin, rnn, built] = r.rows;
    expect([lin.parameters, rnn.parameters]).toEqual([17_667, 52_483]);
    expect([lin.architecture, rnn.architecture, built.architecture]).toEqual(["transformer", "rnn", "transformer"]);
    for (const row of r.rows) {
      // mess3's optimal loss over tokens 1..10 is 0.802512 nats (numpy brute force, test/fixtures/numpy_truth.py).
      expect(row.expectedOptimalLoss).toBeCloseTo(0.802512, 6);
      expect(row.expectedOptimum).toEqual({ nCtx: 10, exact: true, lower: row.expectedOptimalLoss, upper: row.expectedOptimalLoss });
      expect(row.relativeExcess).toBeCloseTo(row.heldOutLoss / row.optimalLoss - 1, 12);
      expect(row.excessNats).toBeCloseTo(row.heldOutLoss - row.optimalLoss, 12);
      expect(row.beliefKL).toBeGreaterThan(0);
    }
    // One held-out set for every rung: the optimal predictor's loss on it is the same number.
    expect(new Set(r.rows.map((x) => x.optimalLoss)).size).toBe(1);
    expect(built).toMatchObject({ steps: 0, engine: "constructed", learningRate: null, trainingSeconds: 0, group: "linear" });
    // Same batches: the two trained runs have the same training settings (seed, batch, steps).
    const runs = ["linear-attn-1l", "rnn"].map((n) => ws.stores.get(n)!.run!);
    expect(runs[0].training).toEqual(runs[1].training);
    expect(runs[0].training).toMatchObject({ steps: 6, batchSize: 8, seed: 0 });
    expect(ws.stores.get("rnn")!.metrics).toHaveLength(6);
    expect(ws.stores.get("constructed")!.model).not.toBeNull();

    const json = JSON.parse(ws.files.get("ladder.json") as string);
    expect(json).toMatchObject({ format: "beliefscope/ladder", version: 1, process: { name: "mess3", states: 3, symbols: 3 }, settings: { steps: 6, seed: 0, nCtx: 10 } });
    expect(json.rungs.map((x: { rung: string }) => x.rung)).toEqual(["linear-attn-1l", "rnn", "constructed"]);
    expect(json.mechanism).toMatchObject({ rung: "linear-attn-1l", decompositionRelativeError: 1.5e-7 });
    const report = ws.files.get("report.md") as string;
    expect(report).toContain("# The minimal-model ladder: mess3 (x = 0.05, alpha = 0.85)");
    expect(report).toContain(`| rnn | Elman RNN (tanh), 1 layer of 160 | 52,483 | ${rnn.heldOutLoss.toFixed(4)} |`);
    expect(report).toContain("| 0 | 0.9876 | 0.9543 |");
    expect(report).toContain("largest relative reconstruction error 1.50e-7");
    expect(report).toContain("Linear-attention rungs (linear-attn-1l, constructed)");
    // The grid: the truth and one panel per rung, with the same points in each.
    const svg = ws.files.get("ladder-grid.svg") as string;
    expect(svg.match(/<clipPath /g)).toHaveLength(4);
    const circles = svg.match(/<circle /g)!.length;
    expect(circles % 4).toBe(0);
    expect(circles / 4).toBe(Math.min(2500, (tiny.probeSequences / 2) * 10));
  });

  it("reuses finished rungs, resumes a run whose steps grew, and skips a construction that cannot be built, saying why", async () => {
    const ws = memoryLadderWorkspace();
    const base: LadderOptions = { process: mess3, workspace: ws, rungs: ["fixed-attn-1l"], ...tiny, mechanisms: {} };
    const first = await runLadder(base);
    const reused: boolean[] = [];
    let trained = 0;
    const again = await runLadder({ ...base, events: { onRungStart: (i) => reused.push(i.reused), training: () => (trained++, {}) } });
    expect(reused).toEqual([true]);
    expect(trained).toBe(0);
    expect(again.rows).toEqual(first.rows);
    // More steps: the run continues from its last checkpoint (step 6) rather than starting over.
    const starts: number[] = [];
    const longer = await runLadder({ ...base, steps: 9, events: { training: () => ({ onStart: (s) => starts.push(s.startStep) }) } });
    expect(starts).toEqual([6]);
    expect(longer.rows[0].steps).toBe(9);
    expect(ws.stores.get("fixed-attn-1l")!.metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const refuses: LadderMechanisms = {
      construct: async () => {
        throw new ArgumentError({ fn: "constructLinearAttention", argument: "hmm", received: "a process with 40 states", expected: "at most 64 heads" });
      },
    };
    const skipped = await runLadder({ ...base, rungs: ["fixed-attn-1l", "constructed"], steps: 9, mechanisms: refuses });
    expect(skipped.rows.map((x) => x.rung)).toEqual(["fixed-attn-1l"]);
    expect(skipped.skipped).toEqual([{ rung: "constructed", title: expect.any(String), reason: expect.stringContaining("received a process with 40 states") }]);
    expect(ws.files.get("report.md")).toContain("- constructed (");
  });

  it("rejects unknown or repeated rungs and bad settings, naming them and the choices", async () => {
    expect(selectRungs(undefined).map((r) => r.name)).toEqual(LADDER_RUNG_NAMES);
    expect(() => selectRungs(["gru", "transformer-9l"])).toThrow(`runLadder: argument 'rungs' received "transformer-9l"; expected one of the ladder's rungs: 4l, 2l, 1l, attn-only-1l, no-skip, no-ln, linear-attn-1l, fixed-attn-1l, rnn, gru, lstm, linear-rnn, selective-ssm, constructed.`);
    expect(() => selectRungs(["gru", "gru"])).toThrow(`argument 'rungs' received "gru" twice; expected each rung at most once.`);
    expect(() => selectRungs([])).toThrow("argument 'rungs' received");
    const ws = memoryLadderWorkspace();
    await expect(runLadder({ process: mess3, workspace: ws, rungs: ["gru"], nCtx: 65 })).rejects.toThrow("runLadder: argument 'nCtx' received 65; expected an integer in [1, 64].");
    await expect(runLadder({ process: mess3, workspace: ws, rungs: ["gru"], learningRate: 0 })).rejects.toThrow("argument 'learningRate' received 0; expected a number > 0.");
    await expect(runLadder({ process: mess3, workspace: ws, rungs: ["lstm"], steps: 0 })).rejects.toThrow("argument 'steps' received 0");
    expect(ws.files.size).toBe(0);
  });
});
