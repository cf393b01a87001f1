/**
 * Re-encodes one TensorProto with new dims, type and data, keeping every other field (name,
 * doc_string, segment, metadata_props, unknown fields) byte for byte.
 * @internal
 */
import { ChunkWriter } from './chunk-writer.js';
import { DATA_TYPES, type DataTypeName } from './data-types.js';
import { writeExternalEntries, type ExternalDataBuffer } from './proto-encoder.js';
import type { TensorRecord } from './types.js';
import { WireReader } from './wire-reader.js';

/** Fields the new encoding writes itself: dims, data_type, every data field, external_data, data_location. */
const REPLACED_FIELDS: ReadonlySet<number> = new Set([1, 2, 4, 5, 6, 7, 9, 10, 11, 13, 14]);

/** What the re-encoded tensor holds. @internal */
export interface TensorReplacement {
  readonly dataType: DataTypeName;
  readonly dims: readonly number[];
  /** Raw-layout payload. */
  readonly payload: Uint8Array;
  /** When set, the payload goes to this external buffer instead of `raw_data`. */
  readonly external: ExternalDataBuffer | undefined;
  /** When set, no payload is written: the tensor refers to these bytes of an existing external file. */
  readonly reference?: { readonly location: string; readonly offset: number; readonly length: number };
}

/** The new TensorProto message body (without tag and length) as chunks. @internal */
export function reencodeTensor(bytes: Uint8Array, tensor: TensorRecord, replacement: TensorReplacement): Uint8Array[] {
  const reader = new WireReader(bytes, 'tensor');
  const kept: { field: number; start: number; end: number }[] = [];
  reader.pos = tensor.span.payloadStart;
  while (reader.pos < tensor.span.end) {
    const start = reader.pos;
    const tag = reader.readTag(tensor.span.end, tensor.name);
    reader.skip(tag & 7, tensor.span.end, tensor.name);
    if (!REPLACED_FIELDS.has(tag >>> 3)) kept.push({ field: tag >>> 3, start, end: reader.pos });
  }
  const w = new ChunkWriter();
  const keep = (from: number, to: number): void => {
    for (const k of kept) if (k.field >= from && k.field < to) w.raw(bytes.subarray(k.start, k.end));
  };
  for (const dim of replacement.dims) w.varintField(1, dim);
  w.varintField(2, DATA_TYPES[replacement.dataType].code);
  keep(3, 9);
  const { reference } = replacement;
  if (replacement.external === undefined && reference === undefined) w.bytesField(9, replacement.payload);
  keep(9, 13);
  if (reference !== undefined) {
    writeExternalEntries(w, reference.location, reference.offset, reference.length);
  } else if (replacement.external !== undefined) {
    const offset = replacement.external.append(replacement.payload);
    writeExternalEntries(w, replacement.external.location, offset, replacement.payload.length);
  }
  keep(15, Number.POSITIVE_INFINITY);
  return w.finish();
}
