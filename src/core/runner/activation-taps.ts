import type { GraphRole, LoadedModel, WeightFamily } from '../../adapters/index.js';

/** One activation to capture: the graph value that carries a module's output, keyed like its weight. */
export interface ActivationTap {
  readonly key: string;
  readonly module: string;
  readonly family: WeightFamily;
  /** Name of the value in its graph. */
  readonly value: string;
  /** The graph the value lives in: the main graph, or a seq2seq model's encoder. */
  readonly graph: GraphRole;
}

const TAPPED_ROLES = new Set(['embed_tokens', 'q', 'k', 'v', 'o', 'qkv', 'up', 'gate', 'gate_up', 'down', 'expert_gate', 'expert_up', 'expert_down', 'norm']);
/** Ops that finish an integer matmul's output on its way back to float (dynamic int8: MatMulInteger → Cast → Mul). */
const INTEGER_EPILOGUE = new Set(['Cast', 'Mul']);
/** Matrix ops whose bias an exporter may add in a separate Add. */
const BIASED = new Set(['MatMul', 'MatMulNBits', 'FusedMatMul', 'MatMulInteger']);

/**
 * The activation taps of a model for the RMT guard: the output of each embedding, norm and attention
 * or MLP projection (ALGORITHMS.md §5), lm_head excluded (its output is the logits). The value is
 * the first output of the weight's consumer node; a `MatMulInteger` is followed through its
 * Cast/Mul epilogue, and an integer Gather through its DequantizeLinear, to the float value, so a
 * dynamic-int8 subject taps the same activation as its float baseline; a bias added after a MatMul
 * is part of the output (`throughBias`, default true; the variance guard scales the bare MatMul
 * output and asks for false). Only top-level values can become outputs; weights consumed inside
 * subgraphs (a merged decoder's branches) are skipped. A seq2seq model's encoder weights are tapped
 * in the encoder graph (`graph: 'encoder'`).
 */
export function activationTapsOf(model: LoadedModel, options: { readonly throughBias?: boolean } = {}): ActivationTap[] {
  const throughBias = options.throughBias ?? true;
  const encoder = model.encoder === null ? [] : tapsOfGraph(model, 'encoder', model.encoder.index.graph, throughBias);
  return [...tapsOfGraph(model, 'main', model.graph.index.graph, throughBias), ...encoder];
}

function tapsOfGraph(model: LoadedModel, role: GraphRole, graph: LoadedModel['graph']['index']['graph'], throughBias: boolean): ActivationTap[] {
  const consumers = new Map<string, { opType: string; inputs: readonly string[]; outputs: readonly string[] }[]>();
  const initializers = new Set(graph.initializers.map((t) => t.name));
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      const list = consumers.get(input) ?? [];
      list.push({ opType: node.opType, inputs: node.inputs, outputs: node.outputs });
      consumers.set(input, list);
    }
  }
  const taps: ActivationTap[] = [];
  const seen = new Set<string>();
  for (const weight of model.weights) {
    if (weight.graph !== role || weight.consumer.graphId !== 0 || !TAPPED_ROLES.has(weight.role)) continue;
    const node = graph.nodes[weight.consumer.position];
    let value = node?.outputs[0];
    if (value === undefined || value === '') continue;
    // A quantized embedding gathers integers and dequantizes after the Gather: tap the float value.
    const dequantized = (consumers.get(value) ?? []).find((c) => c.opType === 'DequantizeLinear');
    if (dequantized?.outputs[0] !== undefined) value = dequantized.outputs[0];
    else if (node!.opType === 'MatMulInteger') {
      for (let hops = 0; hops < 4; hops++) {
        const next = (consumers.get(value) ?? []).find((c) => INTEGER_EPILOGUE.has(c.opType));
        if (next === undefined || next.outputs[0] === undefined) break;
        value = next.outputs[0];
        if (next.opType === 'Mul') break;
      }
    }
    // A projection's output includes its bias: Gemm adds it inside, MatMul (MatMulNBits …) in an Add after.
    // Tapping after that Add lets a Gemm export pair with its MatMul + Add twin.
    const next = consumers.get(value) ?? [];
    if (throughBias && BIASED.has(node!.opType) && next.length === 1 && next[0]!.opType === 'Add' && next[0]!.inputs.some((i) => i !== value && initializers.has(i))) value = next[0]!.outputs[0] ?? value;
    // One node may consume several weights (EmbedLayerNormalization's tables and gamma): one tap per value.
    if (seen.has(weight.key) || seen.has(`value:${value}`)) continue;
    seen.add(weight.key);
    seen.add(`value:${value}`);
    taps.push({ key: weight.key, module: weight.module, family: weight.family, value, graph: role });
  }
  return taps;
}
