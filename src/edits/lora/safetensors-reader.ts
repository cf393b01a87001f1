import { InvarlockError } from '../../errors/index.js';
import type { DenseTensor, SafetensorsDtype, SafetensorsEntry, SafetensorsFile } from '../types.js';
import { bfloat16ToFloat, halfToFloat } from './half-float.js';

/** Bytes per element of every dtype the safetensors format defines. */
const DTYPE_BYTES: Readonly<Record<string, number>> = Object.freeze({
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
});

/** The format's own cap on header size (safetensors `MAX_HEADER_SIZE`). */
const MAX_HEADER_BYTES = 100_000_000;
/** How many problems one error lists. */
const MAX_PROBLEMS = 20;

/** Options of {@link parseSafetensors}. */
export interface ParseSafetensorsOptions {
  /** File name for error details. */
  readonly source: string;
}

/**
 * Parses a safetensors file (https://github.com/huggingface/safetensors#format): 8-byte
 * little-endian header length, a UTF-8 JSON header, then the tensor bytes. Every entry is checked:
 * known dtype, non-negative integer shape, offsets inside the data and of the size the shape needs,
 * no two tensors overlapping. Decoding is lazy (`decode`).
 * @throws InvarlockError `E_SAFETENSORS` with `details.file` and `details.problems` (up to 20) when the file is malformed.
 */
export function parseSafetensors(bytes: Uint8Array, options: ParseSafetensorsOptions): SafetensorsFile {
  function fail(message: string, problems: readonly string[] = []): never {
    throw new InvarlockError('E_SAFETENSORS', `${options.source}: ${message}`, {
      details: { file: options.source, ...(problems.length > 0 ? { problems: problems.slice(0, MAX_PROBLEMS) } : {}) },
    });
  }
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8) || headerLength > BigInt(MAX_HEADER_BYTES)) {
    fail(`header length ${headerLength} exceeds the file (${bytes.length - 8} bytes after the length)`);
  }
  const headerEnd = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd)));
  } catch (error) {
    fail(`header is not UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return fail('header is not a JSON object');
  const dataLength = bytes.length - headerEnd;
  const problems: string[] = [];
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      const parsed = parseMetadata(raw);
      if (parsed === undefined) problems.push('__metadata__ must map strings to strings');
      else metadata = parsed;
      continue;
    }
    const entry = parseEntry(name, raw, dataLength, problems);
    if (entry !== undefined) entries.set(name, entry);
  }
  const ordered = [...entries.values()].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0]);
  for (let i = 1; i < ordered.length; i++) {
    const previous = ordered[i - 1];
    const current = ordered[i];
    if (current.dataOffsets[0] < previous.dataOffsets[1]) problems.push(`${current.name}: data overlaps ${previous.name}`);
  }
  if (problems.length > 0) fail(`${problems.length} malformed header entr${problems.length === 1 ? 'y' : 'ies'}`, problems);
  const data = bytes.subarray(headerEnd);
  return {
    metadata,
    entries,
    decode: (name) => {
      const entry = entries.get(name);
      if (entry === undefined) {
        throw new InvarlockError('E_SAFETENSORS', `${options.source}: no tensor named ${name}`, { details: { file: options.source, tensor: name } });
      }
      return decodeEntry(entry, data, options.source);
    },
  };
}

function parseMetadata(raw: unknown): Record<string, string> | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') return undefined;
    out[key] = value;
  }
  return out;
}

function parseEntry(name: string, raw: unknown, dataLength: number, problems: string[]): SafetensorsEntry | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${name}: entry is not an object`);
    return undefined;
  }
  const fields: Record<string, unknown> = Object.fromEntries(Object.entries(raw));
  const { dtype, shape, data_offsets: offsets } = fields;
  const before = problems.length;
  const width = typeof dtype === 'string' ? DTYPE_BYTES[dtype] : undefined;
  if (width === undefined) problems.push(`${name}: unknown dtype ${JSON.stringify(dtype)}`);
  const isShape = Array.isArray(shape) && shape.every(isCount);
  if (!isShape) problems.push(`${name}: shape must be a list of non-negative integers`);
  const isOffsets =
    Array.isArray(offsets) && offsets.length === 2 && offsets.every(isCount);
  if (!isOffsets) problems.push(`${name}: data_offsets must be two non-negative integers`);
  if (problems.length > before || typeof dtype !== 'string' || width === undefined || !isShape || !isOffsets) return undefined;
  const dims = shape.map(Number);
  const [begin, end] = [Number(offsets[0]), Number(offsets[1])];
  if (begin > end || end > dataLength) {
    problems.push(`${name}: data_offsets [${begin}, ${end}] lie outside the ${dataLength} data bytes`);
    return undefined;
  }
  const expected = dims.reduce((a, b) => a * b, 1) * width;
  if (end - begin !== expected) {
    problems.push(`${name}: ${end - begin} data bytes, but ${dtype} ${JSON.stringify(dims)} needs ${expected}`);
    return undefined;
  }
  return { name, dtype, shape: dims, dataOffsets: [begin, end] };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function decodeEntry(entry: SafetensorsEntry, data: Uint8Array, source: string): DenseTensor {
  const [begin, end] = entry.dataOffsets;
  const view = new DataView(data.buffer, data.byteOffset + begin, end - begin);
  const dtype = entry.dtype;
  if (!isDecodable(dtype)) {
    throw new InvarlockError('E_DTYPE_UNSUPPORTED', `${source}: tensor ${entry.name} has dtype ${dtype}; only F64, F32, F16 and BF16 are read`, {
      details: { file: source, tensor: entry.name, actual: dtype, expected: 'F64 | F32 | F16 | BF16' },
    });
  }
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count);
  const scratch = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'F64':
        out[i] = view.getFloat64(i * 8, true);
        break;
      case 'F32':
        out[i] = view.getFloat32(i * 4, true);
        break;
      case 'F16':
        out[i] = halfToFloat(view.getUint16(i * 2, true));
        break;
      case 'BF16':
        out[i] = bfloat16ToFloat(view.getUint16(i * 2, true), scratch);
        break;
      default: {
        const unreachable: never = dtype;
        return unreachable;
      }
    }
  }
  return { name: entry.name, dtype, shape: entry.shape, data: out };
}

function isDecodable(dtype: string): dtype is SafetensorsDtype {
  return dtype === 'F64' || dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}
