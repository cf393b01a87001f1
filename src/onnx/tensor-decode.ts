/**
 * Reads tensor data: the `raw_data`-layout payload whatever the storage form (raw, packed or
 * unpacked typed fields, external files), typed element arrays, and float32 conversions.
 * Results never alias the model bytes (except {@link readTensorPayload}, documented below) and
 * never use unaligned typed-array views. Assumes a little-endian host (x64, arm64).
 */
import { InvarlockError } from '../errors/index.js';
import { copyBytes } from './chunk-writer.js';
import { DATA_TYPES, payloadByteLength, type DataTypeName } from './data-types.js';
import { bfloat16BitsToFloat32, float16BitsToFloat32 } from './float16.js';
import { getGraphLookup } from './graph-lookup.js';
import type { DataSource, ModelIndex, TensorRecord, TypedStorage } from './types.js';
import { WIRE, WireReader } from './wire-reader.js';

/** A tensor named by initializer (or Constant output) name, or a record from the index. */
export type TensorRef = string | TensorRecord;

/**
 * Element values of a tensor in the natural JS array for its type. FLOAT16/BFLOAT16 are bit
 * patterns; sub-byte types are unpacked one element per entry (INT4/INT2 sign-extended).
 */
export type TypedTensor =
  | { readonly dataType: 'FLOAT'; readonly values: Float32Array }
  | { readonly dataType: 'DOUBLE'; readonly values: Float64Array }
  | { readonly dataType: 'FLOAT16' | 'BFLOAT16' | 'UINT16'; readonly values: Uint16Array }
  | { readonly dataType: 'INT8' | 'INT4' | 'INT2'; readonly values: Int8Array }
  | { readonly dataType: 'UINT8' | 'UINT4' | 'UINT2' | 'BOOL'; readonly values: Uint8Array }
  | { readonly dataType: 'INT16'; readonly values: Int16Array }
  | { readonly dataType: 'INT32'; readonly values: Int32Array }
  | { readonly dataType: 'UINT32'; readonly values: Uint32Array }
  | { readonly dataType: 'INT64'; readonly values: BigInt64Array }
  | { readonly dataType: 'UINT64'; readonly values: BigUint64Array };

/**
 * Finds a tensor by name: an initializer of the main graph, else a Constant node output of the main
 * graph, else the first initializer of that name in a subgraph. Throws `E_TENSOR_NOT_FOUND`.
 */
export function findTensor(index: ModelIndex, ref: TensorRef): TensorRecord {
  if (typeof ref !== 'string') return ref;
  const found = getGraphLookup(index).tensor(ref) ?? index.graphs.flatMap((g) => g.initializers).find((t) => t.name === ref);
  if (found === undefined) {
    throw new InvarlockError('E_TENSOR_NOT_FOUND', `${index.source} has no initializer or constant named '${ref}'`, { details: { file: index.source, tensor: ref } });
  }
  return found;
}

interface Payload {
  readonly bytes: Uint8Array;
  /** True when `bytes` is a fresh array starting at offset 0 of its own buffer. */
  readonly owned: boolean;
}

/**
 * The tensor's data in `raw_data` layout (little-endian, sub-byte types packed), whatever its
 * storage. For inline `raw_data` this is a **view into the model bytes** (no copy): do not mutate it.
 * Throws `E_TENSOR_NOT_FOUND`, `E_DTYPE_UNSUPPORTED` (STRING, UNDEFINED, unknown codes),
 * `E_TENSOR_RANGE` (byte count does not match the shape, external range outside its file),
 * `E_EXTERNAL_DATA_MISSING`, `E_MODEL_PARSE` (data in a field that does not fit its type).
 */
export function readTensorPayload(index: ModelIndex, ref: TensorRef, source: DataSource): Uint8Array {
  return payloadOf(index, findTensor(index, ref), source).bytes;
}

function payloadOf(index: ModelIndex, tensor: TensorRecord, source: DataSource): Payload {
  const expected = tensor.dataType === 'UNKNOWN' ? undefined : payloadByteLength(tensor.dataType, tensor.elementCount);
  if (expected === undefined || tensor.dataType === 'UNKNOWN') throw unsupported(index, tensor, 'a numeric type');
  const data = tensor.data;
  switch (data.storage) {
    case 'raw':
      if (data.end - data.start !== expected) throw sizeMismatch(index, tensor, expected, data.end - data.start);
      return { bytes: index.bytes.subarray(data.start, data.end), owned: false };
    case 'external':
      if (data.length !== undefined && data.length !== expected) throw sizeMismatch(index, tensor, expected, data.length);
      return { bytes: source.readRange({ location: data.location, offset: data.offset, length: expected, tensor: tensor.name }), owned: true };
    case 'none':
      if (expected !== 0) throw sizeMismatch(index, tensor, expected, 0);
      return { bytes: new Uint8Array(0), owned: true };
    default:
      return { bytes: typedToRaw(index, tensor, tensor.dataType, data, expected), owned: true };
  }
}

const FIELD_NUMBERS: Readonly<Record<TypedStorage, number>> = {
  float_data: 4,
  int32_data: 5,
  string_data: 6,
  int64_data: 7,
  double_data: 10,
  uint64_data: 11,
};

function typedToRaw(
  index: ModelIndex,
  tensor: TensorRecord,
  dataType: DataTypeName,
  data: { readonly storage: TypedStorage; readonly encoding: 'packed' | 'scattered'; readonly start: number; readonly end: number },
  expected: number,
): Uint8Array {
  const { typedField, unitBytes } = DATA_TYPES[dataType];
  if (typedField !== data.storage) {
    throw new InvarlockError('E_MODEL_PARSE', `tensor '${tensor.name}' of ${dataType} stores its data in ${data.storage}, expected ${typedField}`, {
      details: { file: index.source, tensor: tensor.name, offset: data.start, expected: typedField, actual: data.storage },
    });
  }
  const isFixed = typedField === 'float_data' || typedField === 'double_data';
  if (isFixed && data.encoding === 'packed') {
    if (data.end - data.start !== expected) throw sizeMismatch(index, tensor, expected, data.end - data.start);
    return copyBytes(index.bytes, data.start, data.end);
  }
  const units = expected / unitBytes;
  // Every value takes at least one byte of the field: refuse impossible shapes before allocating.
  if (units > data.end - data.start) throw sizeMismatch(index, tensor, expected, data.end - data.start);
  const out = new Uint8Array(expected);
  const view = new DataView(out.buffer);
  const reader = new WireReader(index.bytes, index.source);
  const field = `${tensor.name}.${typedField}`;
  const fieldNumber = FIELD_NUMBERS[data.storage];
  let n = 0;
  const readOne = (limit: number, wire: number): void => {
    if (n >= units) throw sizeMismatch(index, tensor, expected, (n + 1) * unitBytes);
    const at = n * unitBytes;
    if (wire === WIRE.FIXED32 || wire === WIRE.FIXED64) {
      reader.need(unitBytes, limit, field);
      out.set(index.bytes.subarray(reader.pos, reader.pos + unitBytes), at);
      reader.pos += unitBytes;
    } else if (unitBytes === 8) view.setBigUint64(at, BigInt.asUintN(64, reader.readBigVarint(limit, field, false)), true);
    else {
      // Negative int32 values are 10-byte sign-extended varints: read them signed, then wrap.
      const value = reader.readInt64(limit, field);
      if (unitBytes === 4) view.setUint32(at, value >>> 0, true);
      else if (unitBytes === 2) view.setUint16(at, value & 0xffff, true);
      else out[at] = value & 0xff;
    }
    n++;
  };
  const scalarWire = typedField === 'float_data' ? WIRE.FIXED32 : typedField === 'double_data' ? WIRE.FIXED64 : WIRE.VARINT;
  const readPacked = (end: number): void => {
    while (reader.pos < end) readOne(end, scalarWire);
  };
  reader.pos = data.start;
  if (data.encoding === 'packed') readPacked(data.end);
  else {
    while (reader.pos < data.end) {
      const tag = reader.readTag(data.end, field);
      const wire = tag & 7;
      if (tag >>> 3 !== fieldNumber) reader.skip(wire, data.end, field);
      else if (wire === WIRE.LEN) readPacked(reader.readLength(data.end, field));
      else {
        reader.expectWire(wire, scalarWire, field);
        readOne(data.end, wire);
      }
    }
  }
  if (n !== units) throw sizeMismatch(index, tensor, expected, n * unitBytes);
  return out;
}

/**
 * The tensor's elements as a typed array (see {@link TypedTensor}); always a fresh copy.
 * Throws like {@link readTensorPayload}, plus `E_DTYPE_UNSUPPORTED` for FLOAT8*, FLOAT4E2M1, COMPLEX*.
 */
export function readTensorTyped(index: ModelIndex, ref: TensorRef, source: DataSource): TypedTensor {
  const tensor = findTensor(index, ref);
  const dataType = tensor.dataType;
  if (dataType === 'UNKNOWN' || !DECODABLE.has(dataType)) throw unsupported(index, tensor, [...DECODABLE].join(', '));
  const payload = payloadOf(index, tensor, source);
  const bytes = payload.owned && payload.bytes.byteOffset === 0 ? payload.bytes : copyBytes(payload.bytes);
  const buffer = bytes.buffer;
  const count = tensor.elementCount;
  switch (dataType) {
    case 'FLOAT':
      return { dataType, values: new Float32Array(buffer, 0, count) };
    case 'DOUBLE':
      return { dataType, values: new Float64Array(buffer, 0, count) };
    case 'FLOAT16':
    case 'BFLOAT16':
    case 'UINT16':
      return { dataType, values: new Uint16Array(buffer, 0, count) };
    case 'INT8':
      return { dataType, values: new Int8Array(buffer, 0, count) };
    case 'UINT8':
    case 'BOOL':
      return { dataType, values: new Uint8Array(buffer, 0, count) };
    case 'INT16':
      return { dataType, values: new Int16Array(buffer, 0, count) };
    case 'INT32':
      return { dataType, values: new Int32Array(buffer, 0, count) };
    case 'UINT32':
      return { dataType, values: new Uint32Array(buffer, 0, count) };
    case 'INT64':
      return { dataType, values: new BigInt64Array(buffer, 0, count) };
    case 'UINT64':
      return { dataType, values: new BigUint64Array(buffer, 0, count) };
    case 'INT4':
    case 'INT2':
      return { dataType, values: unpackSigned(bytes, count, DATA_TYPES[dataType].bits) };
    case 'UINT4':
    case 'UINT2':
      return { dataType, values: unpackUnsigned(bytes, count, DATA_TYPES[dataType].bits) };
    default:
      throw unsupported(index, tensor, [...DECODABLE].join(', '));
  }
}

const DECODABLE: ReadonlySet<DataTypeName> = new Set<DataTypeName>([
  'FLOAT', 'DOUBLE', 'FLOAT16', 'BFLOAT16', 'INT8', 'UINT8', 'BOOL', 'INT16', 'UINT16', 'INT32', 'UINT32', 'INT64', 'UINT64', 'INT4', 'UINT4', 'INT2', 'UINT2',
]);

/** Unpacks unsigned 4- or 2-bit elements (element 0 in the low bits of byte 0). @internal */
export function unpackUnsigned(bytes: Uint8Array, count: number, bits: number): Uint8Array {
  const out = new Uint8Array(count);
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  for (let i = 0; i < count; i++) out[i] = (bytes[Math.floor(i / perByte)]! >>> ((i % perByte) * bits)) & mask;
  return out;
}

/** Unpacks signed (two's complement) 4- or 2-bit elements, sign-extended. @internal */
export function unpackSigned(bytes: Uint8Array, count: number, bits: number): Int8Array {
  const unsigned = unpackUnsigned(bytes, count, bits);
  const out = new Int8Array(count);
  const shift = 32 - bits;
  for (let i = 0; i < count; i++) out[i] = (unsigned[i]! << shift) >> shift;
  return out;
}

/**
 * The tensor's elements converted to float32: FLOAT, FLOAT16 (lookup table), BFLOAT16, DOUBLE
 * (rounded), all integer types including INT4/UINT4/INT2/UINT2 and INT64/UINT64 (as numbers,
 * rounded beyond 2^24). Always a fresh array. Throws like {@link readTensorTyped}.
 */
export function readTensorFloat32(index: ModelIndex, ref: TensorRef, source: DataSource): Float32Array {
  const typed = readTensorTyped(index, ref, source);
  switch (typed.dataType) {
    case 'FLOAT':
      return typed.values;
    case 'FLOAT16':
      return float16BitsToFloat32(typed.values);
    case 'BFLOAT16':
      return bfloat16BitsToFloat32(typed.values);
    case 'INT64':
    case 'UINT64':
      return Float32Array.from(typed.values, Number);
    default:
      return Float32Array.from(typed.values);
  }
}

function unsupported(index: ModelIndex, tensor: TensorRecord, expected: string): InvarlockError {
  return new InvarlockError('E_DTYPE_UNSUPPORTED', `tensor '${tensor.name}' has data type ${tensor.dataType} (${tensor.dataTypeCode}), which cannot be read as numbers`, {
    details: { file: index.source, tensor: tensor.name, actual: tensor.dataType, expected },
  });
}

function sizeMismatch(index: ModelIndex, tensor: TensorRecord, expected: number, actual: number): InvarlockError {
  return new InvarlockError('E_TENSOR_RANGE', `tensor '${tensor.name}' has ${actual} data bytes; dims [${tensor.dims.join(', ')}] of ${tensor.dataType} need ${expected}`, {
    details: { file: index.source, tensor: tensor.name, expected: String(expected), actual: String(actual) },
  });
}
