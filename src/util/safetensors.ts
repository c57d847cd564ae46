/**
 * The safetensors format (https://github.com/huggingface/safetensors):
 *   8 bytes   u64 little-endian N, the header length
 *   N bytes   JSON: { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {str: str} }
 *             padded with spaces to a multiple of 8
 *   rest      the tensors' bytes, little-endian, offsets relative to here
 * Written as the reference implementation does: tensors ordered by element
 * size (largest first) then name, packed without gaps, so every tensor starts
 * aligned to its element size and readers can view the bytes without copying.
 */
import { ArgumentError } from "./errors.js";

export type SafetensorsDtype = "F32" | "F64" | "I32";

export interface NamedTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | Int32Array;
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, I32: 4 };
const CTORS = { F32: Float32Array, F64: Float64Array, I32: Int32Array } as const;

export function encodeSafetensors(tensors: Record<string, NamedTensor>, metadata: Record<string, string> = {}): Uint8Array<ArrayBuffer> {
  const names = Object.keys(tensors).sort((a, b) => BYTES[tensors[b].dtype] - BYTES[tensors[a].dtype] || (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) {
      throw new ArgumentError({ fn: "encodeSafetensors", argument: `tensors["${name}"]`, received: `${t.data.length} values for shape [${t.shape.join(", ")}]`, expected: `${n} values` });
    }
    const bytes = n * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  const headerBytes = new Uint8Array(json.length + pad).fill(0x20); // padded with spaces
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  const base = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name];
    const [begin] = (header[name] as { data_offsets: [number, number] }).data_offsets;
    // Typed arrays are little-endian on every platform Node and browsers run on.
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), base + begin);
  }
  return out;
}

export interface DecodedSafetensors {
  readonly tensors: Record<string, NamedTensor>;
  readonly metadata: Record<string, string>;
}

/** Parse safetensors bytes; `source` names the file in errors. */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors data"): DecodedSafetensors {
  const fn = "decodeSafetensors";
  const bad = (why: string): never => {
    throw new ArgumentError({ fn, argument: source, received: why, expected: "a safetensors file", hint: "The file may be truncated or not a checkpoint." });
  };
  if (bytes.length < 8) bad(`${bytes.length} bytes`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > bytes.length - 8) bad(`a header length of ${n} bytes beyond the end of the file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    return bad(`a header that is not JSON (${(err as Error).message})`);
  }
  const base = 8 + n;
  const dataLength = bytes.length - base;
  const tensors: Record<string, NamedTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (!(e.dtype in BYTES)) bad(`tensor "${name}" of dtype ${e.dtype} (supported: F32, F64, I32)`);
    const dtype = e.dtype as SafetensorsDtype;
    const count = e.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = e.data_offsets;
    if (!(begin >= 0 && end <= dataLength && end - begin === count * BYTES[dtype])) {
      bad(`tensor "${name}" with offsets [${begin}, ${end}] for shape [${e.shape.join(", ")}] in ${dataLength} data bytes`);
    }
    // An aligned copy (Uint8Array.prototype.slice copies even for a Node Buffer, whose own slice is a view).
    const copy = Uint8Array.prototype.slice.call(bytes, base + begin, base + end);
    tensors[name] = { dtype, shape: e.shape, data: new CTORS[dtype](copy.buffer, 0, count) };
  }
  return { tensors, metadata };
}
