/**
 * Graph surgery on the main graph by splicing: adds inputs, initializers, nodes, outputs and opset
 * imports (and drops outputs) without re-encoding the rest of the model. Used for the loss head
 * (`LogSoftmax → GatherElements` on the logits) and activation taps (extra graph outputs).
 */
import { ChunkWriter, concatChunks } from './chunk-writer.js';
import { getGraphLookup, type ValueType } from './graph-lookup.js';
import { externalDataLocations, opsetVersion } from './model-index.js';
import { encodeNode, encodeTensor, encodeValueInfo } from './proto-encoder.js';
import { applySplices, type Splice } from './splice-plan.js';
import { addTensorSplice, editError } from './splice-writer.js';
import type { GraphSurgery, ModelSplice, ModelWriteResult } from './edit-types.js';
import type { ValueInfoSpec } from './spec-types.js';
import type { GraphFieldName, GraphRecord, ModelIndex } from './types.js';

const FIELD_ORDER: readonly GraphFieldName[] = ['node', 'name', 'initializer', 'doc_string', 'input', 'output', 'value_info'];
const MAX_PROBLEMS = 20;

/** Where a new field of kind `field` goes: after the last field at or before it in canonical order. */
function insertionPoint(graph: GraphRecord, field: GraphFieldName): number {
  for (let i = FIELD_ORDER.indexOf(field); i >= 0; i--) {
    const end = graph.lastFieldEnd[FIELD_ORDER[i]!];
    if (end !== undefined) return end;
  }
  return graph.span.payloadStart;
}

/**
 * Applies `surgery` to the main graph and returns the model as chunks (no whole-model copy).
 * Every problem is collected first and reported in one `E_GRAPH_EDIT` error (`details.problems`,
 * up to 20): inputs without `elemType`, names that already exist or repeat, node inputs that are
 * not defined, outputs for unknown values or values that only exist inside subgraphs, outputs
 * already present, outputs to remove that do not exist, a node domain without an opset import,
 * an opset import present with a lower version.
 */
export function spliceGraphSurgery(index: ModelIndex, surgery: GraphSurgery): ModelSplice {
  const lookup = getGraphLookup(index);
  const graph = index.graph;
  const problems: string[] = [];
  const newNames = new Set<string>();
  const isKnown = (name: string): boolean => newNames.has(name) || lookup.isDefined(name, 0);
  const define = (name: string, what: string): void => {
    if (name === '') problems.push(`${what} has an empty name`);
    else if (isKnown(name)) problems.push(`${what} '${name}' already exists`);
    else newNames.add(name);
  };

  for (const input of surgery.addInputs ?? []) {
    if (input.elemType === undefined) problems.push(`input '${input.name}' needs an elemType`);
    define(input.name, 'input');
  }
  for (const tensor of surgery.addInitializers ?? []) {
    if (tensor.placement === 'external') problems.push(`initializer '${tensor.name}' cannot be external in graph surgery`);
    define(tensor.name, 'initializer');
  }
  const domains = new Set([...index.opsetImports.map((o) => o.domain), ...(surgery.addOpsetImports ?? []).map((o) => o.domain)]);
  const nodeNames = new Set<string>();
  (surgery.addNodes ?? []).forEach((node, i) => {
    const label = node.name ?? `#${i} (${node.opType})`;
    for (const input of node.inputs) if (input !== '' && !isKnown(input)) problems.push(`node ${label} reads '${input}', which is not defined`);
    for (const output of node.outputs) define(output, `output of node ${label}`);
    if (node.name !== undefined && (lookup.node(node.name) !== undefined || nodeNames.has(node.name))) problems.push(`node name '${node.name}' already exists`);
    if (node.name !== undefined) nodeNames.add(node.name);
    const domain = node.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx' && !domains.has(domain)) problems.push(`node ${label} uses domain '${domain}' without an opset import`);
  });
  const existingOutputs = new Set(graph.outputs.map((o) => o.name));
  const removed = new Set(surgery.removeOutputs ?? []);
  for (const name of removed) if (!existingOutputs.has(name)) problems.push(`output '${name}' to remove is not a graph output`);
  const outputs: ValueInfoSpec[] = [];
  for (const output of surgery.addOutputs ?? []) {
    if (!isKnown(output.name)) {
      const inSubgraph = index.graphs.some((g) => g.id !== 0 && lookup.isDefined(output.name, g.id));
      problems.push(inSubgraph ? `value '${output.name}' exists only inside a subgraph and cannot be a graph output` : `output '${output.name}' is not a value of the graph`);
    } else if ((existingOutputs.has(output.name) && !removed.has(output.name)) || outputs.some((o) => o.name === output.name)) {
      problems.push(`output '${output.name}' already exists`);
    }
    outputs.push(typedOutput(output, surgery, lookup.valueType(output.name, 0)));
  }
  for (const opset of surgery.addOpsetImports ?? []) {
    const present = opsetVersion(index, opset.domain);
    if (present !== undefined && present < opset.version) problems.push(`opset '${opset.domain}' is imported at version ${present}, lower than ${opset.version}`);
  }
  if (problems.length > 0) {
    throw editError(index, `graph surgery failed: ${problems[0]!}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
      problems: problems.slice(0, MAX_PROBLEMS),
    });
  }
  return applyPlannedSurgery(index, surgery, outputs, removed);
}

function typedOutput(output: ValueInfoSpec, surgery: GraphSurgery, known: ValueType | undefined): ValueInfoSpec {
  if (output.elemType !== undefined) return output;
  const fromInput = surgery.addInputs?.find((input) => input.name === output.name);
  const fromInitializer = surgery.addInitializers?.find((tensor) => tensor.name === output.name);
  const elemType = fromInput?.elemType ?? fromInitializer?.dataType ?? (known?.elemType === 'UNKNOWN' ? undefined : known?.elemType);
  if (elemType === undefined || elemType === 'UNDEFINED') return output;
  const shape = output.shape ?? fromInput?.shape ?? fromInitializer?.dims ?? known?.shape;
  return { name: output.name, elemType, ...(shape === undefined ? {} : { shape }) };
}

function applyPlannedSurgery(index: ModelIndex, surgery: GraphSurgery, outputs: readonly ValueInfoSpec[], removed: ReadonlySet<string>): ModelSplice {
  const graph = index.graph;
  const inGraph = [...graph.enclosing, graph.span];
  const splices: Splice[] = [];
  const insert = (field: GraphFieldName, fieldNumber: number, bodies: readonly ChunkWriter[]): void => {
    if (bodies.length === 0) return;
    const at = insertionPoint(graph, field);
    const w = new ChunkWriter();
    for (const body of bodies) w.messageField(fieldNumber, body);
    splices.push({ start: at, end: at, chunks: w.finish(), enclosing: inGraph });
  };
  insert('node', 1, (surgery.addNodes ?? []).map((node) => encodeNode(node, undefined)));
  for (const tensor of surgery.addInitializers ?? []) splices.push(addTensorSplice(index, tensor.name, 0, encodeTensor(tensor, undefined)));
  insert('input', 11, (surgery.addInputs ?? []).map(encodeValueInfo));
  for (const output of graph.outputs) if (removed.has(output.name)) splices.push({ start: output.span.start, end: output.span.end, chunks: [], enclosing: inGraph });
  insert('output', 12, outputs.map(encodeValueInfo));
  const newOpsets = (surgery.addOpsetImports ?? []).filter((o) => opsetVersion(index, o.domain) === undefined);
  if (newOpsets.length > 0) {
    const w = new ChunkWriter();
    for (const opset of newOpsets) {
      // onnx.helper writes the domain even when empty; doing the same keeps builds byte-identical to it.
      w.messageField(8, new ChunkWriter().stringField(1, opset.domain).varintField(2, opset.version));
    }
    const at = index.lastOpsetImportEnd ?? graph.span.end;
    splices.push({ start: at, end: at, chunks: w.finish(), enclosing: [] });
  }
  const result = applySplices(index.bytes, splices);
  const referencedExternalFiles = externalDataLocations(index);
  return { chunks: result.chunks, byteLength: result.byteLength, externalData: [], referencedExternalFiles, strategy: splices.length === 0 ? 'unchanged' : 'spliced' };
}

/** Like {@link spliceGraphSurgery}, joined into one new byte array. */
export function applyGraphSurgery(index: ModelIndex, surgery: GraphSurgery): ModelWriteResult {
  const splice = spliceGraphSurgery(index, surgery);
  return { modelBytes: concatChunks(splice.chunks), externalData: [], referencedExternalFiles: splice.referencedExternalFiles, strategy: splice.strategy };
}
