/**
 * `indexModel`: one pass over a ModelProto that records every message the model layer needs as
 * byte ranges. No tensor data is copied or decoded. ModelProto fields (onnx.proto): ir_version 1,
 * producer_name 2, producer_version 3, domain 4, model_version 5, doc_string 6, graph 7,
 * opset_import 8, metadata_props 14, functions 25.
 */
import { InvarlockError } from '../errors/index.js';
import { indexGraph, readSpan, type IndexState } from './graph-index.js';
import { readStringEntry } from './tensor-index.js';
import type { GraphRecord, IndexModelOptions, MetadataEntry, ModelIndex, OpsetImport, TensorRecord } from './types.js';
import { WIRE, WireReader } from './wire-reader.js';

/**
 * Indexes an ONNX model held in memory. The returned index keeps a reference to `bytes` (no copy);
 * do not mutate `bytes` afterwards except through same-size patches (`writeModel` in `in-place` mode),
 * which keep every recorded range valid.
 *
 * Throws `E_MODEL_TRUNCATED` when the file ends inside a field, `E_MODEL_PARSE` for anything else
 * that is not a ModelProto (empty file, JSON, images, missing graph or ir_version, bad wire types,
 * negative dims, subgraphs nested deeper than 32); both with `details.file` and `details.offset`.
 * Time is linear in the number of messages, independent of the weight bytes (about 3 ms for a
 * 500 MB GPT-2-sized model).
 */
export function indexModel(bytes: Uint8Array, options: IndexModelOptions = {}): ModelIndex {
  const source = options.source ?? '<memory>';
  const reader = new WireReader(bytes, source);
  if (bytes.length === 0) throw reader.malformed(0, 'ModelProto', 'an empty file');
  const state: IndexState = { reader, graphs: [], nextGraphId: 0 };
  const limit = bytes.length;
  const opsetImports: OpsetImport[] = [];
  const metadataProps: MetadataEntry[] = [];
  let irVersion = 0;
  let producerName = '';
  let producerVersion = '';
  let domain = '';
  let modelVersion = 0;
  let docString = '';
  let functionCount = 0;
  let lastOpsetImportEnd: number | undefined;
  let graph: GraphRecord | undefined;

  while (reader.pos < limit) {
    const tagStart = reader.pos;
    const tag = reader.readTag(limit, 'ModelProto');
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
      case 5:
        reader.expectWire(wire, WIRE.VARINT, field === 1 ? 'ModelProto.ir_version' : 'ModelProto.model_version');
        if (field === 1) irVersion = reader.readInt64(limit, 'ModelProto.ir_version');
        else modelVersion = reader.readInt64(limit, 'ModelProto.model_version');
        break;
      case 2:
      case 3:
      case 4:
      case 6: {
        reader.expectWire(wire, WIRE.LEN, `ModelProto.field${field}`);
        const text = reader.readString(limit, `ModelProto.field${field}`);
        if (field === 2) producerName = text;
        else if (field === 3) producerVersion = text;
        else if (field === 4) domain = text;
        else docString = text;
        break;
      }
      case 7: {
        reader.expectWire(wire, WIRE.LEN, 'ModelProto.graph');
        if (graph !== undefined) throw reader.malformed(tagStart, 'ModelProto.graph', 'a second graph');
        const span = readSpan(reader, tagStart, limit, 'ModelProto.graph');
        graph = indexGraph(state, { span, enclosing: [], parentId: undefined, path: '', fieldPath: 'ModelProto.graph', depth: 0 });
        reader.pos = span.end;
        break;
      }
      case 8:
        reader.expectWire(wire, WIRE.LEN, 'ModelProto.opset_import');
        opsetImports.push(readOpsetImport(reader, limit));
        lastOpsetImportEnd = reader.pos;
        break;
      case 14: {
        reader.expectWire(wire, WIRE.LEN, 'ModelProto.metadata_props');
        const entry = new Map<string, string>();
        readStringEntry(reader, limit, 'ModelProto.metadata_props', entry);
        for (const [key, value] of entry) metadataProps.push({ key, value });
        break;
      }
      case 25:
        functionCount++;
        reader.skip(wire, limit, 'ModelProto.functions');
        break;
      default:
        reader.skip(wire, limit, `ModelProto.field${field}`);
    }
  }
  if (graph === undefined) throw reader.malformed(limit, 'ModelProto.graph', 'no graph (field 7)');
  if (irVersion <= 0) {
    throw new InvarlockError('E_MODEL_PARSE', `${source}: not an ONNX model: ir_version is missing`, {
      hint: 'Every ONNX exporter writes ir_version; the file is probably another protobuf format.',
      details: { file: source, offset: 0, field: 'ModelProto.ir_version' },
    });
  }
  return {
    source,
    bytes,
    irVersion,
    producerName,
    producerVersion,
    domain,
    modelVersion,
    docString,
    opsetImports,
    metadataProps,
    functionCount,
    graph,
    graphs: state.graphs,
    lastOpsetImportEnd,
  };
}

function readOpsetImport(reader: WireReader, limit: number): OpsetImport {
  const end = reader.readLength(limit, 'ModelProto.opset_import');
  let domain = '';
  let version = 0;
  while (reader.pos < end) {
    const tag = reader.readTag(end, 'ModelProto.opset_import');
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE.LEN) domain = reader.readString(end, 'ModelProto.opset_import.domain');
    else if (field === 2 && wire === WIRE.VARINT) version = reader.readInt64(end, 'ModelProto.opset_import.version');
    else reader.skip(wire, end, 'ModelProto.opset_import');
  }
  return { domain, version };
}

/**
 * The opset version imported for `domain` (`''` and `ai.onnx` are the same domain), or `undefined`.
 */
export function opsetVersion(index: ModelIndex, domain: string): number | undefined {
  const wanted = domain === 'ai.onnx' ? '' : domain;
  return index.opsetImports.find((entry) => (entry.domain === 'ai.onnx' ? '' : entry.domain) === wanted)?.version;
}

/**
 * Every tensor of the model: initializers and tensor-valued node attributes (Constant values …) of
 * all graphs, graph by graph (main graph first), initializers before attribute tensors.
 */
export function listTensors(index: ModelIndex): TensorRecord[] {
  return index.graphs.flatMap((graph) => [
    ...graph.initializers,
    ...graph.nodes.flatMap((node) => node.attributes.flatMap((a) => (a.kind === 'tensor' ? [a.tensor] : a.kind === 'tensors' ? a.tensors : []))),
  ]);
}

/** Locations of the external data files the model refers to, sorted, each once. */
export function externalDataLocations(index: ModelIndex): string[] {
  return [...new Set(listTensors(index).flatMap((t) => (t.data.storage === 'external' ? [t.data.location] : [])))].sort();
}
