import { describe, expect, it } from "vitest";
import { safetensors as reference } from "@jax-js/loaders";
import { decodeSafetensors, encodeSafetensors } from "../../src/util/safetensors.js";

const tensors = {
  "blocks.0.attn.W_Q": { dtype: "F32" as const, shape: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1) },
  "embed.W_E": { dtype: "F32" as const, shape: [3, 2], data: Float32Array.of(1, -2, 3.5, 1e-8, -0, 7) },
  counts: { dtype: "I32" as const, shape: [5], data: Int32Array.of(-3, 0, 1, 2 ** 31 - 1, 42) },
  exact: { dtype: "F64" as const, shape: [2], data: Float64Array.of(Math.PI, -1 / 3) },
};

describe("safetensors", () => {
  it("is read back identically by an independent parser (@jax-js/loaders)", () => {
    const bytes = encodeSafetensors(tensors, { format: "pt" });
    const parsed = reference.parse(bytes);
    expect(parsed.metadata).toEqual({ format: "pt" });
    for (const [name, t] of Object.entries(tensors)) {
      expect(parsed.tensors[name].dtype).toBe(t.dtype);
      expect(parsed.tensors[name].shape).toEqual(t.shape);
      expect(Array.from(parsed.tensors[name].data as ArrayLike<number>)).toEqual(Array.from(t.data));
    }
  });

  it("follows the byte layout: u64 header length, 8-byte aligned JSON header, packed data in name order", () => {
    const bytes = encodeSafetensors({ b: { dtype: "F32", shape: [1], data: Float32Array.of(2) }, a: { dtype: "F32", shape: [2], data: Float32Array.of(0.5, 1) } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [8, 12] } });
    expect(bytes.length).toBe(8 + n + 12);
    expect(new Float32Array(bytes.slice(8 + n).buffer)).toEqual(Float32Array.of(0.5, 1, 2));
  });

  it("round-trips through its own decoder", () => {
    const back = decodeSafetensors(encodeSafetensors(tensors));
    for (const [name, t] of Object.entries(tensors)) expect(back.tensors[name]).toEqual(t);
  });

  it("rejects truncated and malformed files, naming the source", () => {
    const bytes = encodeSafetensors(tensors);
    expect(() => decodeSafetensors(bytes.subarray(0, 5), "model.safetensors")).toThrow(
      "decodeSafetensors: argument 'model.safetensors' received 5 bytes; expected a safetensors file. The file may be truncated or not a checkpoint.",
    );
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), "m.st")).toThrow(`received tensor "embed.W_E" with offsets [132, 156] for shape [3, 2] in 152 data bytes`);
    const garbage = new Uint8Array(16);
    new DataView(garbage.buffer).setBigUint64(0, 8n, true);
    expect(() => decodeSafetensors(garbage, "g")).toThrow(/received a header that is not JSON/);
    expect(() => encodeSafetensors({ x: { dtype: "F32", shape: [3], data: Float32Array.of(1) } })).toThrow(
      `encodeSafetensors: argument 'tensors["x"]' received 1 values for shape [3]; expected 3 values.`,
    );
  });
});
