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

/** One tensor's place in a safetensors file: offsets relative to the data (after the header). */
export interface SafetensorsHeaderEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** In file order (ascending offsets). */
  readonly entries: ReadonlyMap<string, SafetensorsHeaderEntry>;
  readonly metadata: Record<string, string>;
  /** Byte offset of the data in the file (8 + header length). */
  readonly base: number;
}

/** Bytes per element of every dtype the format defines (checked against shape x dtype even when not decoded). */
const DTYPE_BYTES: Record<string, number> = { BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8 };

/**
 * Parse and validate the whole header, as the reference implementation does: a JSON object whose entries
 * each have a known dtype, a shape of non-negative integers and data_offsets [begin, end] with
 * end - begin = elements x dtype size; the tensors tile the data exactly (contiguous from 0, no overlap,
 * no gap, ending at the end of the file). Errors name `source` (the file) and the tensor.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, source = "safetensors data", fn = "decodeSafetensors"): SafetensorsHeader {
  const bad = (why: string, tensor?: string): never => {
    throw new ArgumentError({ fn, argument: tensor === undefined ? source : `${source}["${tensor}"]`, received: why, expected: tensor === undefined ? "a safetensors file" : "a valid safetensors header entry", hint: "The file may be truncated, damaged or not a safetensors file." });
  };
  if (bytes.length < 8) bad(`${bytes.length} bytes`);
  const big = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (big > BigInt(bytes.length - 8)) bad(`a header length of ${big} bytes beyond the end of the file (${bytes.length} bytes)`);
  const n = Number(big);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    return bad(`a header that is not JSON (${(err as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) bad(`a header that is ${header === null ? "null" : Array.isArray(header) ? "an array" : typeof header}, not a JSON object`);
  const base = 8 + n;
  const dataLength = bytes.length - base;
  let metadata: Record<string, string> = {};
  const list: [string, SafetensorsHeaderEntry][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (entry === null || typeof entry !== "object" || Array.isArray(entry) || Object.values(entry).some((v) => typeof v !== "string")) bad("a __metadata__ that is not an object of strings");
      metadata = entry as Record<string, string>;
      continue;
    }
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) bad(`${entry === null ? "null" : JSON.stringify(entry)?.slice(0, 40)} instead of { dtype, shape, data_offsets }`, name);
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e.dtype !== "string" || !(e.dtype in DTYPE_BYTES)) bad(`dtype ${JSON.stringify(e.dtype)} (known: ${Object.keys(DTYPE_BYTES).join(", ")})`, name);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`shape ${e.shape === undefined ? "missing" : JSON.stringify(e.shape).slice(0, 40)}, not an array of non-negative integers`, name);
    const o = e.data_offsets;
    if (!Array.isArray(o) || o.length !== 2 || !o.every((d) => Number.isSafeInteger(d) && d >= 0) || o[0] > o[1]) bad(`data_offsets ${o === undefined ? "missing" : JSON.stringify(o).slice(0, 40)}, not [begin, end] with 0 <= begin <= end`, name);
    const [begin, end] = o as [number, number];
    const shape = e.shape as number[];
    const want = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[e.dtype as string];
    if (end - begin !== want) bad(`data_offsets [${begin}, ${end}] (${end - begin} bytes) for ${e.dtype} shape [${shape.join(", ")}] (${want} bytes)`, name);
    if (end > dataLength) bad(`data_offsets [${begin}, ${end}] beyond the ${dataLength} data bytes the file holds`, name);
    list.push([name, { dtype: e.dtype as string, shape, begin, end }]);
  }
  list.sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  // Overlaps first (a tensor reading another's bytes), then gaps: the tensors must tile the data.
  for (let k = 1; k < list.length; k++) {
    const [name, e] = list[k];
    const [prevName, prev] = list[k - 1];
    if (e.begin < prev.end && e.end > e.begin) bad(`data_offsets [${e.begin}, ${e.end}] overlapping tensor "${prevName}" [${prev.begin}, ${prev.end}]`, name);
  }
  let at = 0;
  for (const [name, e] of list) {
    if (e.begin !== at && e.end > e.begin) bad(`data_offsets [${e.begin}, ${e.end}] ${e.begin > at ? `leaving bytes ${at}..${e.begin} unused` : `overlapping bytes up to ${at}`} (tensors must be contiguous)`, name);
    at = Math.max(at, e.end);
  }
  if (at !== dataLength) bad(`tensors covering ${at} of its ${dataLength} data bytes (trailing bytes)`);
  return { entries: new Map(list), metadata, base };
}

/** Parse safetensors bytes (F32, F64, I32 tensors); `source` names the file in errors. */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors data"): DecodedSafetensors {
  const { entries, metadata, base } = parseSafetensorsHeader(bytes, source);
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, e] of entries) {
    if (!(e.dtype in BYTES)) {
      throw new ArgumentError({ fn: "decodeSafetensors", argument: `${source}["${name}"]`, received: `dtype ${e.dtype}`, expected: "F32, F64 or I32" });
    }
    const dtype = e.dtype as SafetensorsDtype;
    const count = (e.end - e.begin) / BYTES[dtype];
    // An aligned copy (Uint8Array.prototype.slice copies even for a Node Buffer, whose own slice is a view).
    const copy = Uint8Array.prototype.slice.call(bytes, base + e.begin, base + e.end);
    tensors[name] = { dtype, shape: [...e.shape], data: new CTORS[dtype](copy.buffer, 0, count) };
  }
  return { tensors, metadata };
}
