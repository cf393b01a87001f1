/**
 * Turns element values into the `raw_data` byte layout of a data type (little-endian; sub-byte types
 * packed two or four per byte, element 0 in the low bits, the last byte padded with zeros).
 */
import { InvarlockError } from '../errors/index.js';
import { roundHalfEven } from '../stats/index.js';
import { DATA_TYPES, payloadByteLength, type DataTypeName } from './data-types.js';
import { numberToBfloat16, numberToFloat16 } from './float16.js';

/** Element values accepted by the encoders; see {@link encodeTensorPayload} for how each type reads them. */
export type TensorValues =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | readonly number[];

const INTEGER_RANGES: Partial<Record<DataTypeName, readonly [number, number]>> = {
  INT8: [-128, 127],
  UINT8: [0, 255],
  BOOL: [0, 1],
  INT16: [-32768, 32767],
  UINT16: [0, 65535],
  INT32: [-2147483648, 2147483647],
  UINT32: [0, 4294967295],
  INT4: [-8, 7],
  UINT4: [0, 15],
  INT2: [-2, 1],
  UINT2: [0, 3],
};

/** Options of {@link encodeTensorPayload}. */
export interface EncodePayloadOptions {
  /** Tensor name for error details. @default '' */
  readonly name?: string;
}

function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * Encodes `values` (row-major) as the `raw_data` payload of `dataType`.
 * - FLOAT / DOUBLE: any numbers (a Float32Array for FLOAT, Float64Array for DOUBLE is used as is).
 * - FLOAT16 / BFLOAT16: a Uint16Array is taken as bit patterns; other arrays as numbers, rounded
 *   to nearest even.
 * - Integer types (INT8 … UINT32, BOOL, INT4, UINT4, INT2, UINT2): numbers are rounded half to even
 *   and must fit the type; a typed array of exactly the type's layout is used as is.
 * - INT64 / UINT64: BigInt64Array / BigUint64Array as is, or safe-integer numbers.
 *
 * The result may be a view of `values`' memory (no copy) when the layouts agree.
 * Throws `E_TENSOR_RANGE` for a value outside the type's range, `E_DTYPE_UNSUPPORTED` for STRING,
 * FLOAT8*, FLOAT4E2M1, COMPLEX* and UNDEFINED.
 */
export function encodeTensorPayload(dataType: DataTypeName, values: TensorValues, options: EncodePayloadOptions = {}): Uint8Array {
  const name = options.name ?? '';
  const count = values.length;
  switch (dataType) {
    case 'FLOAT':
      return values instanceof Float32Array ? bytesOf(values) : bytesOf(Float32Array.from(numbersOf(values, dataType, name)));
    case 'DOUBLE':
      return values instanceof Float64Array ? bytesOf(values) : bytesOf(Float64Array.from(numbersOf(values, dataType, name)));
    case 'FLOAT16':
    case 'BFLOAT16': {
      if (values instanceof Uint16Array) return bytesOf(values);
      const convert = dataType === 'FLOAT16' ? numberToFloat16 : numberToBfloat16;
      const out = new Uint16Array(count);
      const source = numbersOf(values, dataType, name);
      for (let i = 0; i < count; i++) out[i] = convert(source[i]!);
      return bytesOf(out);
    }
    case 'INT64':
    case 'UINT64': {
      if (dataType === 'INT64' && values instanceof BigInt64Array) return bytesOf(values);
      if (dataType === 'UINT64' && values instanceof BigUint64Array) return bytesOf(values);
      const out = dataType === 'INT64' ? new BigInt64Array(count) : new BigUint64Array(count);
      for (let i = 0; i < count; i++) {
        const value = values[i]!;
        const big = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : undefined;
        if (big === undefined || (dataType === 'UINT64' && big < 0n)) throw rangeError(name, dataType, i, String(value));
        out[i] = big;
      }
      return bytesOf(out);
    }
    default:
      return encodeIntegers(dataType, values, name);
  }
}

function encodeIntegers(dataType: DataTypeName, values: TensorValues, name: string): Uint8Array {
  const range = INTEGER_RANGES[dataType];
  if (range === undefined) {
    throw new InvarlockError('E_DTYPE_UNSUPPORTED', `cannot encode values of tensor '${name}' as ${dataType}`, {
      details: { tensor: name, actual: dataType, expected: 'a numeric type other than FLOAT8/FLOAT4/COMPLEX' },
    });
  }
  const exact = exactLayout(dataType, values);
  if (exact !== undefined) return exact;
  const source = numbersOf(values, dataType, name);
  const [min, max] = range;
  const bits = DATA_TYPES[dataType].bits;
  const out = new Uint8Array(payloadByteLength(dataType, source.length) ?? 0);
  const view = new DataView(out.buffer);
  for (let i = 0; i < source.length; i++) {
    const value = roundHalfEven(source[i]!);
    if (!(value >= min && value <= max)) throw rangeError(name, dataType, i, String(source[i]));
    if (bits === 8) out[i] = value & 0xff;
    else if (bits === 16) view.setUint16(i * 2, value & 0xffff, true);
    else if (bits === 32) view.setUint32(i * 4, value >>> 0, true);
    else {
      const perByte = 8 / bits;
      const shift = (i % perByte) * bits;
      out[Math.floor(i / perByte)]! |= (value & ((1 << bits) - 1)) << shift;
    }
  }
  return out;
}

/** The bytes of `values` when its typed-array layout already is the type's raw layout. */
function exactLayout(dataType: DataTypeName, values: TensorValues): Uint8Array | undefined {
  if (dataType === 'INT8' && values instanceof Int8Array) return bytesOf(values);
  if (dataType === 'UINT8' && values instanceof Uint8Array) return bytesOf(values);
  if (dataType === 'BOOL' && values instanceof Uint8Array && values.every((v) => v <= 1)) return bytesOf(values);
  if (dataType === 'INT16' && values instanceof Int16Array) return bytesOf(values);
  if (dataType === 'UINT16' && values instanceof Uint16Array) return bytesOf(values);
  if (dataType === 'INT32' && values instanceof Int32Array) return bytesOf(values);
  if (dataType === 'UINT32' && values instanceof Uint32Array) return bytesOf(values);
  return undefined;
}

function numbersOf(values: TensorValues, dataType: DataTypeName, name: string): ArrayLike<number> {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const value = Number(values[i]!);
      if (!Number.isSafeInteger(value)) throw rangeError(name, dataType, i, String(values[i]));
      out[i] = value;
    }
    return out;
  }
  return values;
}

function rangeError(name: string, dataType: DataTypeName, index: number, value: string): InvarlockError {
  return new InvarlockError('E_TENSOR_RANGE', `value ${value} at element ${index} of tensor '${name}' does not fit ${dataType}`, {
    details: { tensor: name, expected: dataType, actual: value, element: index },
  });
}
