/**
 * Name lookups over a {@link ModelIndex}: initializers, Constant tensors, producers, consumers and
 * value types, with ONNX scoping (a subgraph sees the names of the graphs that enclose it).
 */
import { InvarlockError } from '../errors/index.js';
import type { GraphRecord, ModelIndex, NodeRecord, ShapeDim, TensorRecord, ValueInfoRecord } from './types.js';
import type { DataTypeName } from './data-types.js';

/** A node input that reads a value: `node.inputs[slot]`. */
export interface ValueConsumer {
  readonly node: NodeRecord;
  readonly slot: number;
}

/** A node output that defines a value: `node.outputs[slot]`. */
export interface ValueProducer {
  readonly node: NodeRecord;
  readonly slot: number;
}

/** The type of a value as far as the model states it. */
export interface ValueType {
  readonly elemType: DataTypeName | 'UNKNOWN' | undefined;
  readonly shape: readonly ShapeDim[] | undefined;
}

/** Lookups over one model. `fromGraphId` (default 0, the main graph) is where the name is used. */
export interface GraphLookup {
  readonly index: ModelIndex;
  /** The graph with this id; throws `E_INTERNAL` for an unknown id. */
  graph(id: number): GraphRecord;
  /** The initializer `name` visible from the graph (that graph first, then enclosing graphs). */
  initializer(name: string, fromGraphId?: number): TensorRecord | undefined;
  /** The tensor of the `Constant` node (attribute `value`) that outputs `name`, if any. */
  constantTensor(name: string, fromGraphId?: number): TensorRecord | undefined;
  /** An initializer, else a Constant node's tensor. */
  tensor(name: string, fromGraphId?: number): TensorRecord | undefined;
  /** The node output that defines `name`. */
  producer(name: string, fromGraphId?: number): ValueProducer | undefined;
  /** Every node input reading `name`: in the graph and in its subgraphs that do not redefine it. */
  consumers(name: string, fromGraphId?: number): readonly ValueConsumer[];
  /** The first node called `name` (file order, all graphs). */
  node(name: string): NodeRecord | undefined;
  /** The graph input, output or value_info entry for `name`. */
  valueInfo(name: string, fromGraphId?: number): ValueInfoRecord | undefined;
  /** The declared type of a value: from value info, else from an initializer or Constant. */
  valueType(name: string, fromGraphId?: number): ValueType | undefined;
  /** True when `name` is defined (input, initializer, node output) in or above the graph. */
  isDefined(name: string, fromGraphId?: number): boolean;
}

interface GraphMaps {
  readonly initializers: Map<string, TensorRecord>;
  readonly producers: Map<string, ValueProducer>;
  readonly consumers: Map<string, ValueConsumer[]>;
  readonly valueInfo: Map<string, ValueInfoRecord>;
  readonly inputs: Set<string>;
  readonly children: number[];
}

const cache = new WeakMap<ModelIndex, GraphLookup>();

/** The (memoised) lookup for an index. Building it is linear in the node count. */
export function getGraphLookup(index: ModelIndex): GraphLookup {
  const cached = cache.get(index);
  if (cached !== undefined) return cached;
  const lookup = buildLookup(index);
  cache.set(index, lookup);
  return lookup;
}

function buildLookup(index: ModelIndex): GraphLookup {
  const maps: GraphMaps[] = index.graphs.map((graph) => mapsOf(graph));
  for (const graph of index.graphs) if (graph.parentId !== undefined) maps[graph.parentId]!.children.push(graph.id);
  const nodesByName = new Map<string, NodeRecord>();
  for (const graph of index.graphs) for (const node of graph.nodes) if (node.name !== '' && !nodesByName.has(node.name)) nodesByName.set(node.name, node);

  const graph = (id: number): GraphRecord => {
    const found = index.graphs[id];
    if (found === undefined) throw new InvarlockError('E_INTERNAL', `no graph with id ${id} in ${index.source}`, { details: { file: index.source, graphId: id } });
    return found;
  };
  const scoped = <T>(fromGraphId: number, pick: (m: GraphMaps) => T | undefined): T | undefined => {
    for (let id: number | undefined = fromGraphId; id !== undefined; id = graph(id).parentId) {
      const found = pick(maps[id]!);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const definedLocally = (m: GraphMaps, name: string): boolean => m.initializers.has(name) || m.producers.has(name) || m.inputs.has(name);
  const collectConsumers = (id: number, name: string, out: ValueConsumer[]): void => {
    const m = maps[id]!;
    out.push(...(m.consumers.get(name) ?? []));
    for (const child of m.children) if (!definedLocally(maps[child]!, name)) collectConsumers(child, name, out);
  };
  const constantTensor = (name: string, fromGraphId = 0): TensorRecord | undefined => {
    const producer = scoped(fromGraphId, (m) => m.producers.get(name));
    if (producer === undefined || producer.node.opType !== 'Constant' || producer.node.domain !== '') return undefined;
    const value = producer.node.attributes.find((a) => a.name === 'value');
    return value?.kind === 'tensor' ? value.tensor : undefined;
  };
  const initializer = (name: string, fromGraphId = 0): TensorRecord | undefined => scoped(fromGraphId, (m) => m.initializers.get(name));
  const valueInfo = (name: string, fromGraphId = 0): ValueInfoRecord | undefined => scoped(fromGraphId, (m) => m.valueInfo.get(name));

  return {
    index,
    graph,
    initializer,
    constantTensor,
    tensor: (name, fromGraphId = 0) => initializer(name, fromGraphId) ?? constantTensor(name, fromGraphId),
    producer: (name, fromGraphId = 0) => scoped(fromGraphId, (m) => m.producers.get(name)),
    consumers: (name, fromGraphId = 0) => {
      const out: ValueConsumer[] = [];
      collectConsumers(fromGraphId, name, out);
      return out;
    },
    node: (name) => nodesByName.get(name),
    valueInfo,
    valueType: (name, fromGraphId = 0) => {
      const info = valueInfo(name, fromGraphId);
      if (info !== undefined && info.kind !== 'none') return { elemType: info.elemType, shape: info.shape };
      const tensor = initializer(name, fromGraphId) ?? constantTensor(name, fromGraphId);
      return tensor === undefined ? undefined : { elemType: tensor.dataType, shape: tensor.dims };
    },
    isDefined: (name, fromGraphId = 0) => scoped(fromGraphId, (m) => (definedLocally(m, name) ? true : undefined)) === true,
  };
}

function mapsOf(graph: GraphRecord): GraphMaps {
  const maps: GraphMaps = {
    initializers: new Map(),
    producers: new Map(),
    consumers: new Map(),
    valueInfo: new Map(),
    inputs: new Set(graph.inputs.map((input) => input.name)),
    children: [],
  };
  for (const tensor of graph.initializers) if (!maps.initializers.has(tensor.name)) maps.initializers.set(tensor.name, tensor);
  for (const info of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) if (!maps.valueInfo.has(info.name)) maps.valueInfo.set(info.name, info);
  for (const node of graph.nodes) {
    node.outputs.forEach((output, slot) => {
      if (output !== '' && !maps.producers.has(output)) maps.producers.set(output, { node, slot });
    });
    node.inputs.forEach((input, slot) => {
      if (input === '') return;
      const list = maps.consumers.get(input);
      if (list === undefined) maps.consumers.set(input, [{ node, slot }]);
      else list.push({ node, slot });
    });
  }
  return maps;
}
