import type { GraphRole, LoadedModel, WeightFamily, WeightRecord } from '../../adapters/index.js';
import { scoredCacheBranch } from '../../eval/index.js';
import type { NodeRecord, ScoredBranch } from '../../onnx/index.js';

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
 * output and asks for false). Only top-level values can become outputs: a merged decoder's
 * `If(use_cache_branch)` is scored as the branch it takes (the scorer inlines it), so weights read
 * there are tapped inside that branch (a weight read by the other branch, at the node of the same
 * name or the same input); weights read in other subgraphs are skipped. A seq2seq model's encoder
 * weights are tapped in the encoder graph (`graph: 'encoder'`).
 */
export function activationTapsOf(model: LoadedModel, options: { readonly throughBias?: boolean } = {}): ActivationTap[] {
  const throughBias = options.throughBias ?? true;
  const encoder = model.encoder === null ? [] : tapsOfGraph(model, 'encoder', scopeOf(model.encoder.index, null), throughBias);
  return [...tapsOfGraph(model, 'main', scopeOf(model.graph.index, scoredCacheBranch(model.graph.index, model.graph.io)), throughBias), ...encoder];
}

/** The nodes and initializers a scoring session's main graph holds, and how a weight's consumer is found there. */
interface TapScope {
  readonly nodes: readonly NodeRecord[];
  readonly initializers: ReadonlySet<string>;
  consumerOf(weight: WeightRecord): NodeRecord | undefined;
}

function scopeOf(index: LoadedModel['graph']['index'], scored: ScoredBranch | null): TapScope {
  const main = index.graph;
  if (scored === null) {
    return { nodes: main.nodes, initializers: new Set(main.initializers.map((t) => t.name)), consumerOf: (w) => (w.consumer.graphId === 0 ? main.nodes[w.consumer.position] : undefined) };
  }
  const branch = scored.branch;
  const byName = new Map(branch.nodes.map((n) => [n.name, n]));
  return {
    nodes: [...main.nodes.filter((n) => n !== scored.node), ...branch.nodes],
    initializers: new Set([...main.initializers, ...branch.initializers].map((t) => t.name)),
    consumerOf: (w) => {
      if (w.consumer.graphId === 0) return main.nodes[w.consumer.position];
      if (w.consumer.graphId === branch.id) return branch.nodes[w.consumer.position];
      // read by the other branch: the same module's node in this one, by name, else by what it reads
      const other = index.graphs.find((g) => g.id === w.consumer.graphId);
      if (other?.parentId !== 0) return undefined;
      const original = other.nodes[w.consumer.position];
      if (original === undefined) return undefined;
      const named = original.name === '' ? undefined : byName.get(original.name);
      if (named?.opType === original.opType) return named;
      const input = original.inputs[w.consumer.slot];
      return branch.nodes.find((n) => n.opType === original.opType && input !== undefined && n.inputs[w.consumer.slot] === input);
    },
  };
}

function tapsOfGraph(model: LoadedModel, role: GraphRole, scope: TapScope, throughBias: boolean): ActivationTap[] {
  const consumers = new Map<string, { opType: string; inputs: readonly string[]; outputs: readonly string[] }[]>();
  const initializers = scope.initializers;
  for (const node of scope.nodes) {
    for (const input of node.inputs) {
      const list = consumers.get(input) ?? [];
      list.push({ opType: node.opType, inputs: node.inputs, outputs: node.outputs });
      consumers.set(input, list);
    }
  }
  const taps: ActivationTap[] = [];
  const seen = new Set<string>();
  for (const weight of model.weights) {
    if (weight.graph !== role || !TAPPED_ROLES.has(weight.role)) continue;
    const node = scope.consumerOf(weight);
    const first = node?.outputs[0];
    if (node === undefined || first === undefined || first === '') continue;
    let value: string = first;
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
