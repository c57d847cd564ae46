/**
 * Reading the tensors of a Hugging Face model.safetensors as float32: F32,
 * F16 and BF16 (how checkpoints are commonly stored) and F64. Other dtypes
 * (BOOL / U8 / I64 buffers such as GPT-2's causal-mask `attn.bias`) are listed
 * but not decoded: no weight needs them. The header is parsed first and each
 * tensor decoded on request, so memory holds the file and one float32 copy of
 * what is used. Format: https://github.com/huggingface/safetensors.
 */
import { ArgumentError } from "../../util/errors.js";
import type { HostTensor } from "../../util/hostTensor.js";
import { parseSafetensorsHeader, type SafetensorsHeaderEntry } from "../../util/safetensors.js";

export type SafetensorsEntry = SafetensorsHeaderEntry;

const FLOAT_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

export class SafetensorsReader {
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly #bytes: Uint8Array;
  readonly #base: number;
  readonly #source: string;

  constructor(bytes: Uint8Array, source: string) {
    this.#bytes = bytes;
    this.#source = source;
    // The whole header is validated in the one safetensors module (offsets contiguous, in range, matching dtype x shape).
    const header = parseSafetensorsHeader(bytes, source, "loadHfCheckpoint");
    this.#base = header.base;
    const entries = header.entries;
    const metadata = header.metadata;
    this.entries = entries;
    this.metadata = metadata;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Tensor `name` as float32. */
  get(name: string): HostTensor {
    const e = this.entries.get(name);
    if (!e) {
      throw new ArgumentError({ fn: "loadHfCheckpoint", argument: this.#source, received: `no tensor "${name}"`, expected: "the weights of the model its config.json describes", hint: `It holds: ${[...this.entries.keys()].slice(0, 8).join(", ")}${this.entries.size > 8 ? ", ..." : ""}.` });
    }
    const size = FLOAT_BYTES[e.dtype];
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (size === undefined) {
      throw new ArgumentError({ fn: "loadHfCheckpoint", argument: `${this.#source}["${name}"]`, received: `dtype ${e.dtype}`, expected: "a floating-point tensor (F32, F16, BF16 or F64)" });
    }
    if (e.end - e.begin !== count * size) {
      throw new ArgumentError({ fn: "loadHfCheckpoint", argument: `${this.#source}["${name}"]`, received: `${e.end - e.begin} bytes for shape [${e.shape.join(", ")}]`, expected: `${count * size} bytes (${e.dtype})` });
    }
    const view = new DataView(this.#bytes.buffer, this.#bytes.byteOffset + this.#base + e.begin, e.end - e.begin);
    const out = new Float32Array(count);
    switch (e.dtype) {
      case "F32":
        for (let k = 0; k < count; k++) out[k] = view.getFloat32(4 * k, true);
        break;
      case "F64":
        for (let k = 0; k < count; k++) out[k] = view.getFloat64(8 * k, true);
        break;
      case "F16":
        for (let k = 0; k < count; k++) out[k] = halfToFloat(view.getUint16(2 * k, true));
        break;
      case "BF16": {
        // bfloat16 is the top half of a float32.
        const word = new DataView(new ArrayBuffer(4));
        for (let k = 0; k < count; k++) {
          word.setUint32(0, view.getUint16(2 * k, true) << 16, true);
          out[k] = word.getFloat32(0, true);
        }
        break;
      }
    }
    return { shape: [...e.shape], data: out };
  }
}

/** IEEE 754 binary16 to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
