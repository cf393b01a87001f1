/**
 * Encodes ONNX messages from specs, in the field order the official serializer uses (dims and
 * attribute ints unpacked as in proto2, typed tensor data packed).
 * @internal
 */
import { InvarlockError } from '../errors/index.js';
import { ChunkWriter } from './chunk-writer.js';
import { DATA_TYPES, payloadByteLength, type DataTypeName } from './data-types.js';
import type { AttributeSpec, GraphSpec, ModelSpec, NodeSpec, TensorSpec, ValueInfoSpec } from './spec-types.js';
import { encodeTensorPayload } from './tensor-encode.js';
import { WIRE } from './wire-reader.js';

/** Collects external tensor payloads for one external file. @internal */
export class ExternalDataBuffer {
  readonly chunks: Uint8Array[] = [];
  length = 0;

  constructor(
    readonly location: string,
    readonly alignmentBytes: number,
  ) {}

  /** Appends a payload at the next aligned offset and returns that offset. */
  append(payload: Uint8Array): number {
    const padding = (this.alignmentBytes - (this.length % this.alignmentBytes)) % this.alignmentBytes;
    if (padding > 0) this.chunks.push(new Uint8Array(padding));
    const offset = this.length + padding;
    this.chunks.push(payload);
    this.length = offset + payload.length;
    return offset;
  }
}

/** The raw payload of a tensor spec, checked against its dims. @internal */
export function tensorSpecPayload(spec: TensorSpec): Uint8Array {
  const payload = spec.payload ?? encodeTensorPayload(spec.dataType, spec.values ?? [], { name: spec.name });
  let count = 1;
  for (const dim of spec.dims) count *= dim;
  const expected = payloadByteLength(spec.dataType, count);
  if (expected !== undefined && payload.length !== expected) {
    throw new InvarlockError('E_TENSOR_RANGE', `tensor '${spec.name}' has ${payload.length} data bytes; dims [${spec.dims.join(', ')}] of ${spec.dataType} need ${expected}`, {
      details: { tensor: spec.name, expected: String(expected), actual: String(payload.length) },
    });
  }
  return payload;
}

/** Encodes a TensorProto payload (the message body). @internal */
export function encodeTensor(spec: TensorSpec, external: ExternalDataBuffer | undefined): ChunkWriter {
  const payload = tensorSpecPayload(spec);
  const w = new ChunkWriter();
  for (const dim of spec.dims) w.varintField(1, dim);
  w.varintField(2, DATA_TYPES[spec.dataType].code);
  const typed = spec.storage === 'typed_data' && spec.placement !== 'external';
  const typedField = DATA_TYPES[spec.dataType].typedField;
  const typedNumber = { float_data: 4, int32_data: 5, int64_data: 7, double_data: 10, uint64_data: 11 } as const;
  if (typed && (typedField === 'none' || typedField === 'string_data')) {
    throw new InvarlockError('E_DTYPE_UNSUPPORTED', `tensor '${spec.name}' of ${spec.dataType} has no typed data field`, { details: { tensor: spec.name, actual: spec.dataType } });
  }
  const earlyTyped = typed && typedField !== 'none' && typedField !== 'string_data' && typedNumber[typedField] < 8;
  if (earlyTyped) writeTypedField(w, spec.dataType, payload, spec.packing ?? 'packed');
  w.stringField(8, spec.name);
  if (spec.placement === 'external') {
    if (external === undefined) throw new InvarlockError('E_GRAPH_EDIT', `tensor '${spec.name}' asks for external placement but no external data file is set`, { details: { tensor: spec.name } });
  } else if (!typed) w.bytesField(9, payload);
  if (typed && !earlyTyped) writeTypedField(w, spec.dataType, payload, spec.packing ?? 'packed');
  if (spec.docString !== undefined) w.stringField(12, spec.docString);
  if (spec.placement === 'external' && external !== undefined) {
    const offset = external.append(payload);
    writeExternalEntries(w, external.location, offset, payload.length);
  }
  return w;
}

/** Writes `external_data` entries and `data_location = EXTERNAL`. @internal */
export function writeExternalEntries(w: ChunkWriter, location: string, offset: number, length: number): void {
  const entries: [string, string][] = [
    ['location', location],
    ['offset', String(offset)],
    ['length', String(length)],
  ];
  for (const [key, value] of entries) w.messageField(13, new ChunkWriter().stringField(1, key).stringField(2, value));
  w.varintField(14, 1);
}

/** Writes a raw payload as the type's repeated field (float_data, int32_data …). @internal */
export function writeTypedField(w: ChunkWriter, dataType: DataTypeName, payload: Uint8Array, packing: 'packed' | 'unpacked'): void {
  const { typedField, unitBytes } = DATA_TYPES[dataType];
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const units = unitBytes === 0 ? 0 : payload.length / unitBytes;
  if (typedField === 'float_data' || typedField === 'double_data') {
    const field = typedField === 'float_data' ? 4 : 10;
    if (packing === 'packed') w.bytesField(field, payload);
    else for (let i = 0; i < units; i++) w.tag(field, unitBytes === 4 ? WIRE.FIXED32 : WIRE.FIXED64).raw(payload.subarray(i * unitBytes, (i + 1) * unitBytes));
    return;
  }
  const field = typedField === 'int32_data' ? 5 : typedField === 'int64_data' ? 7 : 11;
  const isSigned = dataType === 'INT8' || dataType === 'INT16' || dataType === 'INT32' || dataType === 'INT64';
  const values = new ChunkWriter();
  for (let i = 0; i < units; i++) {
    const at = i * unitBytes;
    const value: number | bigint =
      unitBytes === 1
        ? isSigned ? view.getInt8(at) : view.getUint8(at)
        : unitBytes === 2
          ? isSigned ? view.getInt16(at, true) : view.getUint16(at, true)
          : unitBytes === 4
            ? isSigned ? view.getInt32(at, true) : view.getUint32(at, true)
            : isSigned ? view.getBigInt64(at, true) : view.getBigUint64(at, true);
    if (packing === 'packed') values.varint(value);
    else w.varintField(field, value);
  }
  if (packing === 'packed') w.messageField(field, values);
}

/** Encodes a ValueInfoProto payload. @internal */
export function encodeValueInfo(spec: ValueInfoSpec): ChunkWriter {
  const w = new ChunkWriter().stringField(1, spec.name);
  if (spec.elemType === undefined && spec.shape === undefined) return w;
  const tensorType = new ChunkWriter();
  if (spec.elemType !== undefined) tensorType.varintField(1, DATA_TYPES[spec.elemType].code);
  if (spec.shape !== undefined) {
    const shape = new ChunkWriter();
    for (const dim of spec.shape) {
      const d = new ChunkWriter();
      if (typeof dim === 'number') d.varintField(1, dim);
      else if (typeof dim === 'string') d.stringField(2, dim);
      shape.messageField(1, d);
    }
    tensorType.messageField(2, shape);
  }
  return w.messageField(2, new ChunkWriter().messageField(1, tensorType));
}

const ATTRIBUTE_TYPE_CODES = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7, strings: 8 } as const;

/** Encodes an AttributeProto payload. @internal */
export function encodeAttribute(spec: AttributeSpec, external: ExternalDataBuffer | undefined): ChunkWriter {
  const w = new ChunkWriter().stringField(1, spec.name);
  switch (spec.kind) {
    case 'float':
      w.floatField(2, spec.value);
      break;
    case 'int':
      w.varintField(3, spec.value);
      break;
    case 'string':
      w.stringField(4, spec.value);
      break;
    case 'tensor':
      w.messageField(5, encodeTensor(spec.tensor, external));
      break;
    case 'graph':
      w.messageField(6, encodeGraph(spec.graph, external));
      break;
    case 'floats':
      for (const value of spec.values) w.floatField(7, value);
      break;
    case 'ints':
      for (const value of spec.values) w.varintField(8, value);
      break;
    case 'strings':
      for (const value of spec.values) w.stringField(9, value);
      break;
  }
  return w.varintField(20, ATTRIBUTE_TYPE_CODES[spec.kind]);
}

/** Encodes a NodeProto payload. @internal */
export function encodeNode(spec: NodeSpec, external: ExternalDataBuffer | undefined): ChunkWriter {
  const w = new ChunkWriter();
  for (const input of spec.inputs) w.stringField(1, input);
  for (const output of spec.outputs) w.stringField(2, output);
  if (spec.name !== undefined) w.stringField(3, spec.name);
  w.stringField(4, spec.opType);
  for (const attribute of spec.attributes ?? []) w.messageField(5, encodeAttribute(attribute, external));
  if (spec.domain !== undefined && spec.domain !== '') w.stringField(7, spec.domain);
  for (const { key, value } of spec.metadataProps ?? []) w.messageField(9, new ChunkWriter().stringField(1, key).stringField(2, value));
  return w;
}

/** Encodes a GraphProto payload. @internal */
export function encodeGraph(spec: GraphSpec, external: ExternalDataBuffer | undefined): ChunkWriter {
  const w = new ChunkWriter();
  for (const node of spec.nodes) w.messageField(1, encodeNode(node, external));
  w.stringField(2, spec.name ?? 'graph');
  for (const tensor of spec.initializers ?? []) w.messageField(5, encodeTensor(tensor, external));
  for (const input of spec.inputs ?? []) w.messageField(11, encodeValueInfo(input));
  for (const output of spec.outputs) w.messageField(12, encodeValueInfo(output));
  for (const info of spec.valueInfo ?? []) w.messageField(13, encodeValueInfo(info));
  return w;
}

/** Encodes a ModelProto (the whole file). @internal */
export function encodeModel(spec: ModelSpec, external: ExternalDataBuffer | undefined): ChunkWriter {
  const w = new ChunkWriter().varintField(1, spec.irVersion ?? 10);
  w.stringField(2, spec.producerName ?? 'invarlock');
  if (spec.producerVersion !== undefined) w.stringField(3, spec.producerVersion);
  if (spec.docString !== undefined) w.stringField(6, spec.docString);
  w.messageField(7, encodeGraph(spec.graph, external));
  for (const opset of spec.opsetImports ?? [{ domain: '', version: 17 }]) {
    // onnx.helper writes the domain even when empty; doing the same keeps builds byte-identical to it.
    w.messageField(8, new ChunkWriter().stringField(1, opset.domain).varintField(2, opset.version));
  }
  for (const { key, value } of spec.metadataProps ?? []) w.messageField(14, new ChunkWriter().stringField(1, key).stringField(2, value));
  return w;
}
