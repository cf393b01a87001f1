import { getGraphLookup, type GraphLookup, type ModelIndex, type NodeRecord, type TensorRecord } from '../../onnx/index.js';
import { opKey, traceStored } from './weight-uses.js';

// Bias inputs of ops that carry their own: Gemm C, MatMulNBits bias, LayerNorm B, SkipLayerNorm beta and bias.
const BIAS_SLOTS: Readonly<Record<string, readonly number[]>> = {
  Gemm: [2],
  'com.microsoft.MatMulNBits': [5],
  LayerNormalization: [2],
  'com.microsoft.SkipLayerNormalization': [3, 4],
  'com.microsoft.SkipSimplifiedLayerNormalization': [3],
};
const MATRIX_OPS = new Set(['MatMul', 'Gemm', 'MatMulInteger', 'com.microsoft.MatMulNBits', 'com.microsoft.MatMulIntegerToFloat', 'com.microsoft.DynamicQuantizeMatMul']);

/**
 * The stored bias vectors of a graph: inputs of ops that take a bias, and 1-D stored tensors added
 * (`Add`) to the output of a weight matmul, reached back through at most three Cast/Mul steps
 * (dynamic q8 rescales before the bias). Quantized (int32 QDQ) biases count too. Each tensor once.
 */
export function findBiases(index: ModelIndex, weightConsumers: ReadonlySet<NodeRecord>): TensorRecord[] {
  const lookup = getGraphLookup(index);
  const found = new Map<TensorRecord, true>();
  const take = (node: NodeRecord, slot: number): void => {
    const traced = traceStored(lookup, node, slot);
    if (traced !== null && traced.tensor.dims.length === 1 && traced.tensor.elementCount > 1) found.set(traced.tensor, true);
  };
  for (const graph of index.graphs) {
    for (const node of graph.nodes) {
      const key = opKey(node);
      for (const slot of BIAS_SLOTS[key] ?? []) take(node, slot);
      if (key !== 'Add' || node.inputs.length !== 2) continue;
      for (const slot of [0, 1]) {
        if (traceStored(lookup, node, slot) === null) continue;
        if (followsWeightMatmul(lookup, node, node.inputs[1 - slot] ?? '', weightConsumers)) take(node, slot);
      }
    }
  }
  return [...found.keys()];
}

function followsWeightMatmul(lookup: GraphLookup, at: NodeRecord, value: string, consumers: ReadonlySet<NodeRecord>): boolean {
  let name = value;
  for (let step = 0; step < 4 && name !== ''; step++) {
    const producer = lookup.producer(name, at.graphId)?.node;
    if (producer === undefined) return false;
    const key = opKey(producer);
    if (MATRIX_OPS.has(key)) return consumers.has(producer);
    if (key !== 'Cast' && key !== 'Mul') return false;
    // Follow the operand that is not a stored constant (the rescaled activations).
    name = producer.inputs.find((input) => lookup.tensor(input, producer.graphId) === undefined && lookup.producer(input, producer.graphId)?.node.opType !== 'Mul') ?? producer.inputs[0] ?? '';
  }
  return false;
}
