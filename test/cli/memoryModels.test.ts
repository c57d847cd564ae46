import { describe, expect, it } from "vitest";
import { createModel } from "../../src/model/registry.js";
import { architectureNames } from "../../src/model/registry.js";
import { checkMemory, MiB } from "../../src/util/memory.js";
import { hookWidths, mspNodeCap, probeBytesPerRow, RUNTIME_BYTES, sampleLengthModel, trainModel, trainShape } from "../../src/cli/memoryModels.js";

describe("memory models of the size options", () => {
  it("counts a transformer's parameters without building it (closed form)", () => {
    // shai-4l on 3 symbols: embed 3x64, pos 10x64; per layer LN 2x64, Q K V 3x(4x64x16) + 3x64,
    // O 64x64 + 64, LN 2x64, MLP 64x256 + 256 + 256x64 + 64; final LN 2x64; unembed 64x3 + 3.
    const perLayer = 128 + 3 * 4096 + 192 + 4096 + 64 + 128 + 16384 + 256 + 16384 + 64;
    expect(trainShape("transformer", { dVocab: 3 }).parameters).toBe(192 + 640 + 4 * perLayer + 128 + 195);
  });

  it("counts every architecture's parameters and activations as the built model has them", async () => {
    for (const arch of architectureNames()) {
      const model = await createModel(arch, { config: { dVocab: 3 }, preset: "small" });
      const shape = trainShape(arch, { dVocab: 3 }, "small");
      expect(shape.parameters, arch).toBe(model.parameterCount);
      // Activation values per sequence: the hook shapes' text, read against the config, as the model's own hooks.
      const widths = await hookWidths(model, model.hookNames());
      expect(shape.activationsPerSequence, arch).toBe(Object.values(widths).reduce((a, b) => a + b, 0) * model.nCtx);
      model.dispose();
    }
  });

  it("blames the model's width when the model alone is too big, else the batch", () => {
    const budget = { bytes: 4096 * MiB, source: "given" };
    expect(() => checkMemory("beliefscope train", trainModel("transformer", { dVocab: 3, dModel: 8192, dHead: 2048 }, undefined, 64, budget.bytes), budget)).toThrow(
      /^beliefscope train: --d-model 8192 needs about 27\.\d GiB of memory \(4-layer d_model-8192 transformer: 1090962435 parameters x 24 bytes .*the largest --d-model that fits is \d+\. Raise --max-memory or lower --d-model\.$/,
    );
    expect(() => checkMemory("beliefscope train", trainModel("transformer", { dVocab: 3 }, undefined, 1e6, budget.bytes), budget)).toThrow(/--batch-size 1000000 needs about .* the largest --batch-size that fits is \d+\./);
  });

  it("sizes the probe's rows from its parts", () => {
    // 2 hooks of 4 and 6, sites [a], [b], [a+b]: features 4 + 6 + 10; S = 3, V = 2, 5 positions, no untrained control.
    const row = probeBytesPerRow({ nPos: 5, nStates: 3, dVocab: 2, hooks: { a: 4, b: 6 }, sites: [{ hooks: ["a"] }, { hooks: ["b"] }, { hooks: ["a", "b"] }], untrained: false });
    const kgram = Math.max(4 * 3, 3 ** 4) + 5;
    expect(row).toBe(24 + 24 + (4 * 10 + 4 * 2 + 8 * 20) + 32 + 48 + 12 * kgram);
  });

  it("holds one sequence, not --count of them, when sampling", () => {
    const m = sampleLengthModel(3, 10);
    expect(m.bytes(10)).toBe(RUNTIME_BYTES + 16 * MiB + 8 * MiB);
    expect(m.bytes(1e9)).toBe(RUNTIME_BYTES + 1e9 * 40 + 4 + 8 * MiB);
  });

  it("bounds the MSP by the nodes its depth reaches and its work pays for", () => {
    expect(mspNodeCap(3, 2, 1e12, 100)).toBe(13);
    expect(mspNodeCap(3, 64, 1e6, 100)).toBe(1e4);
  });
});
