/**
 * Follows a node input back to the tensors it is computed from at load time: an initializer or
 * Constant, possibly through Identity, Cast, a 2-D Transpose and one DequantizeLinear; and finds
 * the weight scale of dynamically quantized MatMulInteger nodes.
 * @internal
 */
import { InvarlockError } from '../errors/index.js';
import type { GraphLookup } from './graph-lookup.js';
import type { NodeRecord, TensorRecord } from './types.js';

/** Where a weight input comes from. @internal */
export type WeightSource =
  | { readonly kind: 'dense'; readonly tensor: TensorRecord; readonly transposed: boolean; readonly path: readonly NodeRecord[] }
  | {
      readonly kind: 'qdq';
      readonly tensor: TensorRecord;
      readonly scale: TensorRecord;
      readonly zeroPoint: TensorRecord | undefined;
      readonly axis: number;
      readonly blockSize: number;
      readonly transposed: boolean;
      readonly path: readonly NodeRecord[];
    };

const MAX_STEPS = 16;

/** Reads an int attribute, or `fallback` when absent. @internal */
export function intAttribute(node: NodeRecord, name: string, fallback: number): number {
  const found = node.attributes.find((a) => a.name === name);
  return found?.kind === 'int' ? found.value : fallback;
}

/** An `E_OP_UNSUPPORTED` error about a node. @internal */
export function unsupportedNode(lookup: GraphLookup, node: NodeRecord, problem: string): InvarlockError {
  return new InvarlockError('E_OP_UNSUPPORTED', `${lookup.index.source}: node '${node.name}' (${node.opType}): ${problem}`, {
    details: { file: lookup.index.source, node: node.name, actual: node.opType },
  });
}

/** The tensor named by an input, which must be an initializer or Constant. @internal */
export function constantInput(lookup: GraphLookup, node: NodeRecord, slot: number, what: string): TensorRecord | undefined {
  const name = node.inputs[slot];
  if (name === undefined || name === '') return undefined;
  const tensor = lookup.tensor(name, node.graphId);
  if (tensor === undefined) throw unsupportedNode(lookup, node, `${what} '${name}' is computed at run time, not stored in the model`);
  return tensor;
}

/** Traces input `slot` of `node` to its stored tensor(s). Throws `E_OP_UNSUPPORTED` for run-time values. @internal */
export function traceWeightSource(lookup: GraphLookup, node: NodeRecord, slot: number): WeightSource {
  let name = node.inputs[slot] ?? '';
  if (name === '') throw unsupportedNode(lookup, node, `input ${slot} is empty`);
  let transposed = false;
  const path: NodeRecord[] = [];
  for (let step = 0; step < MAX_STEPS; step++) {
    const tensor = lookup.tensor(name, node.graphId);
    if (tensor !== undefined) return { kind: 'dense', tensor, transposed, path };
    const producer = lookup.producer(name, node.graphId)?.node;
    if (producer === undefined) throw unsupportedNode(lookup, node, `input '${name}' is a graph input, not a stored weight`);
    path.push(producer);
    const op = producer.domain === '' || producer.domain === 'ai.onnx' ? producer.opType : `${producer.domain}.${producer.opType}`;
    switch (op) {
      case 'Identity':
      case 'Cast':
        name = producer.inputs[0] ?? '';
        break;
      case 'Transpose': {
        const perm = producer.attributes.find((a) => a.name === 'perm');
        const isSwap = perm === undefined || (perm.kind === 'ints' && perm.values.length === 2 && perm.values[0] === 1 && perm.values[1] === 0);
        if (!isSwap) throw unsupportedNode(lookup, producer, 'only 2-D transposes of weights are supported');
        transposed = !transposed;
        name = producer.inputs[0] ?? '';
        break;
      }
      case 'DequantizeLinear':
      case 'com.microsoft.DequantizeLinear': {
        const x = constantInput(lookup, producer, 0, 'quantized weight');
        const scale = constantInput(lookup, producer, 1, 'scale');
        if (x === undefined || scale === undefined) throw unsupportedNode(lookup, producer, 'DequantizeLinear without x or scale');
        return {
          kind: 'qdq',
          tensor: x,
          scale,
          zeroPoint: constantInput(lookup, producer, 2, 'zero point'),
          axis: intAttribute(producer, 'axis', 1),
          blockSize: intAttribute(producer, 'block_size', 0),
          transposed,
          path,
        };
      }
      default:
        throw unsupportedNode(lookup, node, `input '${name}' is computed at run time by ${producer.opType} '${producer.name}'`);
    }
  }
  throw unsupportedNode(lookup, node, `input chain longer than ${MAX_STEPS} nodes`);
}

/**
 * The weight scale (and zero point, when not an input) of a `MatMulInteger` whose weight is `weight`:
 * the integer output is cast to float and multiplied by `a_scale * w_scale` (onnxruntime's dynamic
 * quantizer writes `Mul(Cast(MatMulInteger(...)), Mul(a_scale, <w>_scale))`). Falls back to the
 * quantizer's naming, `<w>_quantized` → `<w>_scale`. @internal
 */
export function findDynamicScale(lookup: GraphLookup, node: NodeRecord, weight: TensorRecord): TensorRecord {
  const gid = node.graphId;
  const frontier = [node.outputs[0] ?? ''];
  for (let step = 0; step < 4 && frontier.length > 0; step++) {
    const value = frontier.shift()!;
    for (const { node: consumer, slot } of lookup.consumers(value, gid)) {
      if (consumer.opType === 'Cast') frontier.push(consumer.outputs[0] ?? '');
      if (consumer.opType !== 'Mul') continue;
      const other = consumer.inputs[1 - slot] ?? '';
      const otherProducer = lookup.producer(other, gid)?.node;
      if (otherProducer?.opType === 'Mul') {
        const scale = otherProducer.inputs.map((input) => lookup.tensor(input, gid)).find((t) => t !== undefined);
        if (scale !== undefined) return scale;
      }
    }
  }
  const byName = lookup.tensor(`${weight.name.replace(/_quantized$/, '')}_scale`, gid);
  if (byName !== undefined) return byName;
  throw unsupportedNode(lookup, node, `cannot find the weight scale of '${weight.name}' (no Mul(a_scale, w_scale) after the node, no '<w>_scale' initializer)`);
}
