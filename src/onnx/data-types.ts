/**
 * The ONNX `TensorProto.DataType` table: one row per element type, driving both the types and the
 * decoders. Codes and storage fields follow onnx.proto (onnx 1.20): `bits` is the element width,
 * `typedField` the repeated field that holds the values when `raw_data` is not used, and
 * `unitBytes` the number of payload bytes one entry of that field stands for (sub-byte types pack
 * a whole byte per `int32_data` entry, element 0 in the low bits).
 * @see https://github.com/onnx/onnx/blob/main/onnx/onnx.proto
 */
export const DATA_TYPES = {
  UNDEFINED: { code: 0, bits: 0, typedField: 'none', unitBytes: 0 },
  FLOAT: { code: 1, bits: 32, typedField: 'float_data', unitBytes: 4 },
  UINT8: { code: 2, bits: 8, typedField: 'int32_data', unitBytes: 1 },
  INT8: { code: 3, bits: 8, typedField: 'int32_data', unitBytes: 1 },
  UINT16: { code: 4, bits: 16, typedField: 'int32_data', unitBytes: 2 },
  INT16: { code: 5, bits: 16, typedField: 'int32_data', unitBytes: 2 },
  INT32: { code: 6, bits: 32, typedField: 'int32_data', unitBytes: 4 },
  INT64: { code: 7, bits: 64, typedField: 'int64_data', unitBytes: 8 },
  STRING: { code: 8, bits: 0, typedField: 'string_data', unitBytes: 0 },
  BOOL: { code: 9, bits: 8, typedField: 'int32_data', unitBytes: 1 },
  FLOAT16: { code: 10, bits: 16, typedField: 'int32_data', unitBytes: 2 },
  DOUBLE: { code: 11, bits: 64, typedField: 'double_data', unitBytes: 8 },
  UINT32: { code: 12, bits: 32, typedField: 'uint64_data', unitBytes: 4 },
  UINT64: { code: 13, bits: 64, typedField: 'uint64_data', unitBytes: 8 },
  COMPLEX64: { code: 14, bits: 64, typedField: 'float_data', unitBytes: 4 },
  COMPLEX128: { code: 15, bits: 128, typedField: 'double_data', unitBytes: 8 },
  BFLOAT16: { code: 16, bits: 16, typedField: 'int32_data', unitBytes: 2 },
  FLOAT8E4M3FN: { code: 17, bits: 8, typedField: 'int32_data', unitBytes: 1 },
  FLOAT8E4M3FNUZ: { code: 18, bits: 8, typedField: 'int32_data', unitBytes: 1 },
  FLOAT8E5M2: { code: 19, bits: 8, typedField: 'int32_data', unitBytes: 1 },
  FLOAT8E5M2FNUZ: { code: 20, bits: 8, typedField: 'int32_data', unitBytes: 1 },
  UINT4: { code: 21, bits: 4, typedField: 'int32_data', unitBytes: 1 },
  INT4: { code: 22, bits: 4, typedField: 'int32_data', unitBytes: 1 },
  FLOAT4E2M1: { code: 23, bits: 4, typedField: 'int32_data', unitBytes: 1 },
  FLOAT8E8M0: { code: 24, bits: 8, typedField: 'int32_data', unitBytes: 1 },
  UINT2: { code: 25, bits: 2, typedField: 'int32_data', unitBytes: 1 },
  INT2: { code: 26, bits: 2, typedField: 'int32_data', unitBytes: 1 },
} as const satisfies Record<
  string,
  {
    readonly code: number;
    readonly bits: number;
    readonly typedField: 'none' | 'float_data' | 'int32_data' | 'int64_data' | 'double_data' | 'uint64_data' | 'string_data';
    readonly unitBytes: number;
  }
>;

/** An ONNX element type by its onnx.proto name, e.g. `FLOAT16`. */
export type DataTypeName = keyof typeof DATA_TYPES;

/** The repeated `TensorProto` field that stores values of a type when `raw_data` is not used. */
export type TypedDataField = (typeof DATA_TYPES)[DataTypeName]['typedField'];


const NAMES_BY_CODE: ReadonlyMap<number, DataTypeName> = new Map(
  Object.entries(DATA_TYPES).flatMap(([name, row]): [number, DataTypeName][] => (isDataTypeName(name) ? [[row.code, name]] : [])),
);

/** The name of a `TensorProto.DataType` code, or `undefined` for a code onnx.proto does not define. */
export function dataTypeName(code: number): DataTypeName | undefined {
  return NAMES_BY_CODE.get(code);
}

/** True when `value` is a known data type name. */
export function isDataTypeName(value: unknown): value is DataTypeName {
  return typeof value === 'string' && Object.hasOwn(DATA_TYPES, value);
}

/**
 * Bytes of a `raw_data` payload holding `elementCount` elements of `dataType`: sub-byte types
 * (INT4, UINT4, FLOAT4E2M1, INT2, UINT2) are packed and padded to a whole byte.
 * Returns `undefined` for types without a fixed width (STRING, UNDEFINED).
 */
export function payloadByteLength(dataType: DataTypeName, elementCount: number): number | undefined {
  const { bits } = DATA_TYPES[dataType];
  if (bits === 0) return undefined;
  return bits >= 8 ? elementCount * (bits / 8) : Math.ceil((elementCount * bits) / 8);
}
