/**
 * Indexes GraphProto, NodeProto, AttributeProto and ValueInfoProto messages, recursing into
 * graph-valued attributes (If/Loop/Scan bodies) so that tensors and nodes inside subgraphs are found.
 * Field numbers from onnx.proto: GraphProto {node 1, name 2, initializer 5, doc_string 10, input 11,
 * output 12, value_info 13, sparse_initializer 15}; NodeProto {input 1, output 2, name 3, op_type 4,
 * attribute 5, domain 7, metadata_props 9}; AttributeProto {name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8,
 * strings 9, tensors 10, graphs 11, type 20}.
 * @internal
 */
import { dataTypeName } from './data-types.js';
import { indexTensor, readStringEntry } from './tensor-index.js';
import type { AttributeRecord, GraphFieldName, GraphRecord, MessageSpan, NodeRecord, ShapeDim, TensorRecord, ValueInfoRecord } from './types.js';
import { WIRE, readRepeated, type WireReader } from './wire-reader.js';

/** Deepest subgraph nesting accepted; deeper files are rejected rather than risking the stack. */
const MAX_GRAPH_DEPTH = 32;

const GRAPH_FIELD_NAMES: Readonly<Record<number, GraphFieldName>> = {
  1: 'node',
  2: 'name',
  5: 'initializer',
  10: 'doc_string',
  11: 'input',
  12: 'output',
  13: 'value_info',
};

/** Shared state of one indexing pass. @internal */
export interface IndexState {
  readonly reader: WireReader;
  readonly graphs: GraphRecord[];
  nextGraphId: number;
}

/** Where a graph sits. @internal */
export interface GraphPlace {
  readonly span: MessageSpan;
  readonly enclosing: readonly MessageSpan[];
  readonly parentId: number | undefined;
  readonly path: string;
  readonly fieldPath: string;
  readonly depth: number;
}

/** Reads a length-delimited field header at the reader position (tag already read). @internal */
export function readSpan(reader: WireReader, tagStart: number, limit: number, field: string): MessageSpan {
  const lengthStart = reader.pos;
  const end = reader.readLength(limit, field);
  const span = { start: tagStart, lengthStart, payloadStart: reader.pos, end };
  reader.pos = end;
  return span;
}

/** Indexes one GraphProto and (recursively) its subgraphs; the record is also stored in `state.graphs`. @internal */
export function indexGraph(state: IndexState, place: GraphPlace): GraphRecord {
  const { reader } = state;
  if (place.depth > MAX_GRAPH_DEPTH) throw reader.malformed(place.span.start, place.fieldPath, `subgraphs nested deeper than ${MAX_GRAPH_DEPTH}`);
  const id = state.nextGraphId++;
  const inner = [...place.enclosing, place.span];
  const limit = place.span.end;
  const nodeSpans: MessageSpan[] = [];
  const initializers: TensorRecord[] = [];
  const inputs: ValueInfoRecord[] = [];
  const outputs: ValueInfoRecord[] = [];
  const valueInfo: ValueInfoRecord[] = [];
  const sparseInitializerNames: string[] = [];
  const lastFieldEnd: Partial<Record<GraphFieldName, number>> = {};
  let name = '';

  reader.pos = place.span.payloadStart;
  while (reader.pos < limit) {
    const tagStart = reader.pos;
    const tag = reader.readTag(limit, place.fieldPath);
    const field = tag >>> 3;
    const wire = tag & 7;
    const fieldPath = `${place.fieldPath}.${GRAPH_FIELD_NAMES[field] ?? `field${field}`}`;
    if (field === 1 || field === 5 || field === 11 || field === 12 || field === 13 || field === 15) {
      reader.expectWire(wire, WIRE.LEN, fieldPath);
      const span = readSpan(reader, tagStart, limit, fieldPath);
      if (field === 1) nodeSpans.push(span);
      else if (field === 5) {
        const path = `${fieldPath}[${initializers.length}]`;
        initializers.push(indexTensor(reader, { span, enclosing: inner, graphId: id, origin: { kind: 'initializer' }, path }));
      } else if (field === 15) sparseInitializerNames.push(sparseTensorName(reader, span, fieldPath));
      else {
        const list = field === 11 ? inputs : field === 12 ? outputs : valueInfo;
        list.push(indexValueInfo(reader, span, `${fieldPath}[${list.length}]`));
      }
      reader.pos = span.end;
    } else if (field === 2) {
      reader.expectWire(wire, WIRE.LEN, fieldPath);
      name = reader.readString(limit, fieldPath);
    } else reader.skip(wire, limit, fieldPath);
    const fieldName = GRAPH_FIELD_NAMES[field];
    if (fieldName !== undefined) lastFieldEnd[fieldName] = reader.pos;
  }

  // Reserve the slot so the main graph stays first although subgraphs finish before it.
  const nodes: NodeRecord[] = [];
  const record: GraphRecord = {
    id,
    parentId: place.parentId,
    path: place.path,
    name,
    nodes,
    initializers,
    sparseInitializerNames,
    inputs,
    outputs,
    valueInfo,
    span: place.span,
    enclosing: place.enclosing,
    lastFieldEnd,
  };
  state.graphs[id] = record;
  nodeSpans.forEach((span, position) => {
    nodes.push(indexNode(state, span, inner, { graph: record, position, fieldPath: `${place.fieldPath}.node[${position}]`, depth: place.depth }));
  });
  return record;
}

interface NodePlace {
  readonly graph: GraphRecord;
  readonly position: number;
  readonly fieldPath: string;
  readonly depth: number;
}

function indexNode(state: IndexState, span: MessageSpan, enclosing: readonly MessageSpan[], place: NodePlace): NodeRecord {
  const { reader } = state;
  const limit = span.end;
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributeSpans: MessageSpan[] = [];
  let name = '';
  let opType = '';
  let domain = '';
  // The dynamo exporter records module scopes here (`pkg.torch.onnx.name_scopes`) rather than in the name.
  const metadata = new Map<string, string>();
  reader.pos = span.payloadStart;
  while (reader.pos < limit) {
    const tagStart = reader.pos;
    const tag = reader.readTag(limit, place.fieldPath);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field >= 1 && field <= 5 || field === 7 || field === 9) reader.expectWire(wire, WIRE.LEN, `${place.fieldPath}.field${field}`);
    else {
      reader.skip(wire, limit, place.fieldPath);
      continue;
    }
    if (field === 5) attributeSpans.push(readSpan(reader, tagStart, limit, `${place.fieldPath}.attribute`));
    else if (field === 9) readStringEntry(reader, limit, `${place.fieldPath}.metadata_props`, metadata);
    else {
      const text = reader.readString(limit, place.fieldPath);
      if (field === 1) inputs.push(text);
      else if (field === 2) outputs.push(text);
      else if (field === 3) name = text;
      else if (field === 4) opType = text;
      else domain = text;
    }
  }
  const nodeLabel = name === '' ? `${opType}#${place.position}` : name;
  const attributeEnclosing = [...enclosing, span];
  const attributes = attributeSpans.map((attributeSpan, i) =>
    indexAttribute(state, attributeSpan, attributeEnclosing, {
      ...place,
      nodeName: name,
      nodeLabel,
      fieldPath: `${place.fieldPath}.attribute[${i}]`,
    }),
  );
  const node: NodeRecord = { name, opType, domain, inputs, outputs, attributes, graphId: place.graph.id, position: place.position, span, enclosing };
  return metadata.size === 0 ? node : { ...node, metadataProps: [...metadata].map(([key, value]) => ({ key, value })) };
}

interface AttributePlace extends NodePlace {
  readonly nodeName: string;
  readonly nodeLabel: string;
}

/** AttributeProto.AttributeType codes. */
const ATTRIBUTE_KIND_BY_TYPE: Readonly<Record<number, AttributeRecord['kind']>> = {
  1: 'float',
  2: 'int',
  3: 'string',
  4: 'tensor',
  5: 'graph',
  6: 'floats',
  7: 'ints',
  8: 'strings',
  9: 'tensors',
  10: 'graphs',
};

/** The kind implied by a value field when `type` is missing (old exporters). */
const ATTRIBUTE_KIND_BY_FIELD: Readonly<Record<number, AttributeRecord['kind']>> = {
  2: 'float',
  3: 'int',
  4: 'string',
  5: 'tensor',
  6: 'graph',
  7: 'floats',
  8: 'ints',
  9: 'strings',
  10: 'tensors',
  11: 'graphs',
};

function indexAttribute(state: IndexState, span: MessageSpan, enclosing: readonly MessageSpan[], place: AttributePlace): AttributeRecord {
  const { reader } = state;
  const limit = span.end;
  const path = place.fieldPath;
  const inner = [...enclosing, span];
  let name = '';
  let typeCode = 0;
  let implied: AttributeRecord['kind'] | undefined;
  let f = 0;
  let i = 0;
  let s = '';
  const numbers: number[] = [];
  const strings: string[] = [];
  const tensorSpans: MessageSpan[] = [];
  const graphSpans: MessageSpan[] = [];
  reader.pos = span.payloadStart;
  while (reader.pos < limit) {
    const tagStart = reader.pos;
    const tag = reader.readTag(limit, path);
    const field = tag >>> 3;
    const wire = tag & 7;
    implied ??= ATTRIBUTE_KIND_BY_FIELD[field];
    switch (field) {
      case 1:
        reader.expectWire(wire, WIRE.LEN, `${path}.name`);
        name = reader.readString(limit, `${path}.name`);
        break;
      case 20:
        reader.expectWire(wire, WIRE.VARINT, `${path}.type`);
        typeCode = reader.readInt64(limit, `${path}.type`);
        break;
      case 2:
        reader.expectWire(wire, WIRE.FIXED32, `${path}.f`);
        f = reader.readFloat(limit, `${path}.f`);
        break;
      case 3:
        reader.expectWire(wire, WIRE.VARINT, `${path}.i`);
        i = reader.readInt64(limit, `${path}.i`);
        break;
      case 4:
      case 9:
        reader.expectWire(wire, WIRE.LEN, `${path}.s`);
        if (field === 4) s = reader.readString(limit, `${path}.s`);
        else strings.push(reader.readString(limit, `${path}.strings`));
        break;
      case 5:
      case 10:
      case 6:
      case 11:
        reader.expectWire(wire, WIRE.LEN, path);
        (field === 5 || field === 10 ? tensorSpans : graphSpans).push(readSpan(reader, tagStart, limit, path));
        break;
      case 7:
        readRepeated(reader, wire, WIRE.FIXED32, limit, `${path}.floats`, (end) => reader.readFloat(end, `${path}.floats`), numbers);
        break;
      case 8:
        readRepeated(reader, wire, WIRE.VARINT, limit, `${path}.ints`, (end) => reader.readInt64(end, `${path}.ints`), numbers);
        break;
      default:
        reader.skip(wire, limit, path);
    }
  }
  const kind = typeCode !== 0 ? ATTRIBUTE_KIND_BY_TYPE[typeCode] : implied;
  const tensorAt = (tensorSpan: MessageSpan, k: number): TensorRecord =>
    indexTensor(reader, {
      span: tensorSpan,
      enclosing: inner,
      graphId: place.graph.id,
      origin: { kind: 'attribute', node: place.nodeName, nodePosition: place.position, attribute: name },
      path: `${path}.t[${k}]`,
    });
  const graphAt = (graphSpan: MessageSpan, k: number): number =>
    indexGraph(state, {
      span: graphSpan,
      enclosing: inner,
      parentId: place.graph.id,
      path: `${place.graph.path === '' ? '' : `${place.graph.path}/`}${place.nodeLabel}/${name}${graphSpans.length > 1 ? `[${k}]` : ''}`,
      fieldPath: `${path}.g[${k}]`,
      depth: place.depth + 1,
    }).id;
  switch (kind) {
    case 'float':
      return { kind, name, value: f };
    case 'int':
      return { kind, name, value: i };
    case 'string':
      return { kind, name, value: s };
    case 'floats':
    case 'ints':
      return { kind, name, values: numbers };
    case 'strings':
      return { kind, name, values: strings };
    case 'tensor':
      if (tensorSpans.length !== 1) throw reader.malformed(span.start, path, `tensor attribute '${name}' without exactly one tensor`);
      return { kind, name, tensor: tensorAt(tensorSpans[0]!, 0) };
    case 'tensors':
      return { kind, name, tensors: tensorSpans.map(tensorAt) };
    case 'graph':
      if (graphSpans.length !== 1) throw reader.malformed(span.start, path, `graph attribute '${name}' without exactly one graph`);
      return { kind, name, graphId: graphAt(graphSpans[0]!, 0) };
    case 'graphs':
      return { kind, name, graphIds: graphSpans.map(graphAt) };
    case undefined:
    case 'other':
      return { kind: 'other', name, typeCode };
  }
}

function sparseTensorName(reader: WireReader, span: MessageSpan, path: string): string {
  reader.pos = span.payloadStart;
  while (reader.pos < span.end) {
    const tagStart = reader.pos;
    const tag = reader.readTag(span.end, path);
    if (tag >>> 3 === 1 && (tag & 7) === WIRE.LEN) {
      const values = readSpan(reader, tagStart, span.end, `${path}.values`);
      return indexTensor(reader, { span: values, enclosing: [], graphId: -1, origin: { kind: 'initializer' }, path: `${path}.values` }).name;
    }
    reader.skip(tag & 7, span.end, path);
  }
  return '';
}

function indexValueInfo(reader: WireReader, span: MessageSpan, path: string): ValueInfoRecord {
  let name = '';
  let kind: ValueInfoRecord['kind'] = 'none';
  let elemType: ValueInfoRecord['elemType'];
  let shape: ShapeDim[] | undefined;
  reader.pos = span.payloadStart;
  while (reader.pos < span.end) {
    const tag = reader.readTag(span.end, path);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE.LEN) name = reader.readString(span.end, `${path}.name`);
    else if (field === 2 && wire === WIRE.LEN) {
      const typeEnd = reader.readLength(span.end, `${path}.type`);
      while (reader.pos < typeEnd) {
        const typeTag = reader.readTag(typeEnd, `${path}.type`);
        const typeField = typeTag >>> 3;
        if ((typeField === 1 || typeField === 8) && (typeTag & 7) === WIRE.LEN) {
          kind = typeField === 1 ? 'tensor' : 'sparse_tensor';
          const tensorType = readTensorType(reader, typeEnd, `${path}.type.tensor_type`);
          elemType = tensorType.elemType;
          shape = tensorType.shape;
        } else {
          if (typeField === 4) kind = 'sequence';
          else if (typeField === 5) kind = 'map';
          else if (typeField === 9) kind = 'optional';
          else if (typeField !== 6) kind = 'other';
          reader.skip(typeTag & 7, typeEnd, `${path}.type`);
        }
      }
    } else reader.skip(wire, span.end, path);
  }
  return { name, kind, elemType, shape, span };
}

function readTensorType(reader: WireReader, limit: number, path: string): { elemType: ValueInfoRecord['elemType']; shape: ShapeDim[] | undefined } {
  const end = reader.readLength(limit, path);
  let elemType: ValueInfoRecord['elemType'];
  let shape: ShapeDim[] | undefined;
  while (reader.pos < end) {
    const tag = reader.readTag(end, path);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE.VARINT) {
      const code = reader.readInt64(end, `${path}.elem_type`);
      elemType = dataTypeName(code) ?? 'UNKNOWN';
    } else if (field === 2 && wire === WIRE.LEN) {
      shape = [];
      const shapeEnd = reader.readLength(end, `${path}.shape`);
      while (reader.pos < shapeEnd) {
        const dimTag = reader.readTag(shapeEnd, `${path}.shape`);
        if (dimTag >>> 3 === 1 && (dimTag & 7) === WIRE.LEN) shape.push(readDimension(reader, shapeEnd, `${path}.shape.dim[${shape.length}]`));
        else reader.skip(dimTag & 7, shapeEnd, `${path}.shape`);
      }
    } else reader.skip(wire, end, path);
  }
  return { elemType, shape };
}

function readDimension(reader: WireReader, limit: number, path: string): ShapeDim {
  const end = reader.readLength(limit, path);
  let dim: ShapeDim = null;
  while (reader.pos < end) {
    const tag = reader.readTag(end, path);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE.VARINT) dim = reader.readInt64(end, `${path}.dim_value`);
    else if (field === 2 && wire === WIRE.LEN) dim = reader.readString(end, `${path}.dim_param`);
    else reader.skip(wire, end, path);
  }
  return dim;
}
