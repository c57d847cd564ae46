import { describe, expect, it } from "vitest";
import { safetensors as reference } from "@jax-js/loaders";
import { decodeSafetensors, encodeSafetensors } from "../../src/util/safetensors.js";
import { SafetensorsReader } from "../../src/language/hf/safetensorsReader.js";

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
      "decodeSafetensors: argument 'model.safetensors' received 5 bytes; expected a safetensors file. The file may be truncated, damaged or not a safetensors file.",
    );
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), "m.st")).toThrow(`decodeSafetensors: argument 'm.st["embed.W_E"]' received data_offsets [132, 156] beyond the 152 data bytes the file holds`);
    const garbage = new Uint8Array(16);
    new DataView(garbage.buffer).setBigUint64(0, 8n, true);
    expect(() => decodeSafetensors(garbage, "g")).toThrow(/received a header that is not JSON/);
    expect(() => encodeSafetensors({ x: { dtype: "F32", shape: [3], data: Float32Array.of(1) } })).toThrow(
      `encodeSafetensors: argument 'tensors["x"]' received 1 values for shape [3]; expected 3 values.`,
    );
  });

  it("validates the whole header, naming the file and the tensor", () => {
    /** A file with this header (as JSON) over `data` bytes. */
    const file = (header: unknown, data = 16): Uint8Array => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + data);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({ dtype: "F32", shape, data_offsets: [begin, end] });
    expect(decodeSafetensors(file({ a: f32(0, 8), b: f32(8, 16) })).tensors.b.shape).toEqual([2]);
    const cases: [unknown, string][] = [
      [null, `argument 'x.safetensors' received a header that is null, not a JSON object`],
      [[1], `argument 'x.safetensors' received a header that is an array, not a JSON object`],
      [{ a: null, b: f32(0, 16) }, `argument 'x.safetensors["a"]' received null instead of { dtype, shape, data_offsets }`],
      [{ a: { dtype: "F32", data_offsets: [0, 16] } }, `argument 'x.safetensors["a"]' received shape missing, not an array of non-negative integers`],
      [{ a: { dtype: "F32", shape: "4", data_offsets: [0, 16] } }, `argument 'x.safetensors["a"]' received shape "4", not an array of non-negative integers`],
      [{ a: { dtype: "F32", shape: [4] } }, `argument 'x.safetensors["a"]' received data_offsets missing, not [begin, end] with 0 <= begin <= end`],
      [{ a: { dtype: "F33", shape: [4], data_offsets: [0, 16] } }, `argument 'x.safetensors["a"]' received dtype "F33" (known: BOOL, U8`],
      [{ a: f32(0, 12, [4]) }, `argument 'x.safetensors["a"]' received data_offsets [0, 12] (12 bytes) for F32 shape [4] (16 bytes)`],
      [{ a: f32(0, 16), b: f32(8, 16) }, `argument 'x.safetensors["b"]' received data_offsets [8, 16] overlapping tensor "a" [0, 16]`],
      [{ a: f32(0, 8), b: f32(0, 8) }, `overlapping tensor`],
      [{ a: f32(0, 4), b: f32(8, 16) }, `argument 'x.safetensors["b"]' received data_offsets [8, 16] leaving bytes 4..8 unused (tensors must be contiguous)`],
      [{ a: f32(0, 8) }, `argument 'x.safetensors' received tensors covering 8 of its 16 data bytes (trailing bytes)`],
      [{ a: f32(0, 32) }, `argument 'x.safetensors["a"]' received data_offsets [0, 32] beyond the 16 data bytes the file holds`],
      [{ __metadata__: null, a: f32(0, 16) }, `received a __metadata__ that is not an object of strings`],
    ];
    for (const [header, message] of cases) expect(() => decodeSafetensors(file(header), "x.safetensors"), JSON.stringify(header)).toThrow(message);
    // The Hugging Face importer reads through the same validation.
    expect(() => new SafetensorsReader(file({ a: f32(0, 16), b: f32(8, 16) }), "hf/model.safetensors")).toThrow(
      `loadHfCheckpoint: argument 'hf/model.safetensors["b"]' received data_offsets [8, 16] overlapping tensor "a" [0, 16]`,
    );
    expect(() => new SafetensorsReader(file({ a: { dtype: "F16", shape: [4] } }), "hf/model.safetensors")).toThrow(`hf/model.safetensors["a"]' received data_offsets missing`);
    expect(new SafetensorsReader(file({ a: { dtype: "BF16", shape: [2, 4], data_offsets: [0, 16] } }), "hf").get("a").shape).toEqual([2, 4]);
  });
});
