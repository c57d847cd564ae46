/**
 * The layout of a safetensors file whose tensors are known by dtype and shape before their data:
 * the header bytes and each tensor's byte offset, in encodeSafetensors's order (widest dtype first,
 * then by name), so a writer can fill the data a chunk at a time at known offsets and produce the
 * same file encodeSafetensors would.
 */
import type { SafetensorsDtype } from "./safetensors.js";

export const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = { F32: 4, F64: 8, I32: 4 };

export interface TensorSpec {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
}

export interface SafetensorsLayout {
  /** The 8-byte length and the padded JSON header. */
  readonly header: Uint8Array;
  /** Byte offset of each tensor's data from the start of the file. */
  readonly offsets: Readonly<Record<string, number>>;
  /** The whole file's length in bytes. */
  readonly totalBytes: number;
}

export function safetensorsLayout(specs: Readonly<Record<string, TensorSpec>>, metadata: Record<string, string> = {}): SafetensorsLayout {
  const names = Object.keys(specs).sort((a, b) => DTYPE_BYTES[specs[b].dtype] - DTYPE_BYTES[specs[a].dtype] || (a < b ? -1 : a > b ? 1 : 0));
  const json: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) json.__metadata__ = metadata;
  let offset = 0;
  const begins: Record<string, number> = {};
  for (const name of names) {
    const t = specs[name];
    const bytes = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    json[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    begins[name] = offset;
    offset += bytes;
  }
  const text = new TextEncoder().encode(JSON.stringify(json));
  const pad = (8 - (text.length % 8)) % 8;
  const header = new Uint8Array(8 + text.length + pad).fill(0x20); // padded with spaces
  new DataView(header.buffer).setBigUint64(0, BigInt(text.length + pad), true);
  header.set(text, 8);
  const offsets = Object.fromEntries(names.map((n) => [n, header.length + begins[n]]));
  return { header, offsets, totalBytes: header.length + offset };
}
