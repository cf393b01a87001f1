/**
 * Indexes one TensorProto: name, dims, type and where its data is, without touching the data.
 * Field numbers from onnx.proto: dims 1, data_type 2, segment 3, float_data 4, int32_data 5,
 * string_data 6, int64_data 7, name 8, raw_data 9, double_data 10, uint64_data 11, doc_string 12,
 * external_data 13, data_location 14.
 * @internal
 */
import { dataTypeName } from './data-types.js';
import type { MessageSpan, TensorDataRef, TensorOrigin, TensorRecord, TypedStorage } from './types.js';
import { WIRE, readRepeated, type WireReader } from './wire-reader.js';

const TYPED_FIELDS: Readonly<Record<number, { readonly storage: TypedStorage; readonly wire: number }>> = {
  4: { storage: 'float_data', wire: WIRE.FIXED32 },
  5: { storage: 'int32_data', wire: WIRE.VARINT },
  6: { storage: 'string_data', wire: WIRE.LEN },
  7: { storage: 'int64_data', wire: WIRE.VARINT },
  10: { storage: 'double_data', wire: WIRE.FIXED64 },
  11: { storage: 'uint64_data', wire: WIRE.VARINT },
};

/** Where one tensor sits and who holds it. @internal */
export interface TensorContext {
  readonly span: MessageSpan;
  readonly enclosing: readonly MessageSpan[];
  readonly graphId: number;
  readonly origin: TensorOrigin;
  /** Field path for error details, e.g. `ModelProto.graph.initializer[4]`. */
  readonly path: string;
}

interface TypedOccurrence {
  storage: TypedStorage;
  count: number;
  firstTagStart: number;
  lastEnd: number;
  packedStart: number;
  packedEnd: number;
}

/** Parses the TensorProto whose payload is `[ctx.span.payloadStart, ctx.span.end)`. @internal */
export function indexTensor(reader: WireReader, ctx: TensorContext): TensorRecord {
  const { path } = ctx;
  const limit = ctx.span.end;
  reader.pos = ctx.span.payloadStart;
  const dims: number[] = [];
  let dataTypeCode = 0;
  let name = '';
  let raw: { start: number; end: number } | undefined;
  let typed: TypedOccurrence | undefined;
  let dataLocation: 'default' | 'external' = 'default';
  const external = new Map<string, string>();

  while (reader.pos < limit) {
    const tagStart = reader.pos;
    const tag = reader.readTag(limit, path);
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
        readRepeated(reader, wire, WIRE.VARINT, limit, `${path}.dims`, (end) => reader.readInt64(end, `${path}.dims`), dims);
        break;
      case 2:
        reader.expectWire(wire, WIRE.VARINT, `${path}.data_type`);
        dataTypeCode = reader.readInt64(limit, `${path}.data_type`);
        break;
      case 8:
        reader.expectWire(wire, WIRE.LEN, `${path}.name`);
        name = reader.readString(limit, `${path}.name`);
        break;
      case 9: {
        reader.expectWire(wire, WIRE.LEN, `${path}.raw_data`);
        const end = reader.readLength(limit, `${path}.raw_data`);
        raw = { start: reader.pos, end };
        reader.pos = end;
        break;
      }
      case 13:
        reader.expectWire(wire, WIRE.LEN, `${path}.external_data`);
        readStringEntry(reader, limit, `${path}.external_data`, external);
        break;
      case 14:
        reader.expectWire(wire, WIRE.VARINT, `${path}.data_location`);
        dataLocation = reader.readInt64(limit, `${path}.data_location`) === 1 ? 'external' : 'default';
        break;
      default: {
        const typedField = TYPED_FIELDS[field];
        if (typedField === undefined) {
          reader.skip(wire, limit, `${path}.field${field}`);
          break;
        }
        const fieldPath = `${path}.${typedField.storage}`;
        if (wire !== WIRE.LEN && wire !== typedField.wire) reader.expectWire(wire, typedField.wire, fieldPath);
        let packedStart = -1;
        let packedEnd = -1;
        if (wire === WIRE.LEN) {
          packedEnd = reader.readLength(limit, fieldPath);
          packedStart = reader.pos;
          reader.pos = packedEnd;
        } else reader.skip(wire, limit, fieldPath);
        typed = recordOccurrence(typed, typedField.storage, tagStart, reader.pos, wire === WIRE.LEN && typedField.storage !== 'string_data', packedStart, packedEnd);
      }
    }
  }

  const elementCount = countElements(reader, dims, ctx);
  const typeName = dataTypeName(dataTypeCode);
  return {
    name,
    dims,
    dataType: typeName ?? 'UNKNOWN',
    dataTypeCode,
    elementCount,
    data: dataRef(reader, ctx, dataLocation, external, raw, typed),
    dataLocation,
    span: ctx.span,
    enclosing: ctx.enclosing,
    graphId: ctx.graphId,
    origin: ctx.origin,
  };
}

function recordOccurrence(
  previous: TypedOccurrence | undefined,
  storage: TypedStorage,
  tagStart: number,
  end: number,
  isPacked: boolean,
  packedStart: number,
  packedEnd: number,
): TypedOccurrence {
  if (previous === undefined || previous.storage !== storage) {
    // A second, different typed field is malformed data; the later one wins like protobuf's last-one-wins.
    return { storage, count: isPacked ? 1 : 2, firstTagStart: tagStart, lastEnd: end, packedStart, packedEnd };
  }
  previous.count += 2;
  previous.lastEnd = end;
  return previous;
}

function countElements(reader: WireReader, dims: readonly number[], ctx: TensorContext): number {
  let count = 1;
  for (const dim of dims) {
    if (!Number.isSafeInteger(dim) || dim < 0) throw reader.malformed(ctx.span.start, `${ctx.path}.dims`, `invalid dimension ${dim}`);
    count *= dim;
  }
  if (!Number.isSafeInteger(count)) throw reader.malformed(ctx.span.start, `${ctx.path}.dims`, `element count ${count} is too large`);
  return count;
}

function dataRef(
  reader: WireReader,
  ctx: TensorContext,
  dataLocation: 'default' | 'external',
  external: ReadonlyMap<string, string>,
  raw: { start: number; end: number } | undefined,
  typed: TypedOccurrence | undefined,
): TensorDataRef {
  if (dataLocation === 'external') {
    const location = external.get('location');
    if (location === undefined || location === '') throw reader.malformed(ctx.span.start, `${ctx.path}.external_data`, 'an external tensor without a location');
    return {
      storage: 'external',
      location,
      offset: parseExternalInteger(reader, ctx, external.get('offset'), 'offset') ?? 0,
      length: parseExternalInteger(reader, ctx, external.get('length'), 'length'),
      checksum: external.get('checksum'),
    };
  }
  if (raw !== undefined) return { storage: 'raw', start: raw.start, end: raw.end };
  if (typed !== undefined) {
    return typed.count === 1
      ? { storage: typed.storage, encoding: 'packed', start: typed.packedStart, end: typed.packedEnd }
      : { storage: typed.storage, encoding: 'scattered', start: typed.firstTagStart, end: typed.lastEnd };
  }
  return { storage: 'none' };
}

function parseExternalInteger(reader: WireReader, ctx: TensorContext, text: string | undefined, key: string): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d{1,16}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw reader.malformed(ctx.span.start, `${ctx.path}.external_data.${key}`, `external ${key} '${text}' is not an integer`);
  return value;
}

/** Reads a StringStringEntryProto {key 1, value 2} into `into`. @internal */
export function readStringEntry(reader: WireReader, limit: number, path: string, into: Map<string, string>): void {
  const end = reader.readLength(limit, path);
  let key = '';
  let value = '';
  while (reader.pos < end) {
    const tag = reader.readTag(end, path);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE.LEN) key = reader.readString(end, `${path}.key`);
    else if (field === 2 && wire === WIRE.LEN) value = reader.readString(end, `${path}.value`);
    else reader.skip(wire, end, path);
  }
  into.set(key, value);
}
