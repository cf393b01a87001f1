/**
 * Roles of weights from the graph's structure alone, whatever the names say (issue #11 §3): blocks
 * are the attention cores in graph order (a `Softmax` over a weightless `MatMul`, or an attention
 * contrib op: Attention, MultiHeadAttention, GroupQueryAttention, PackedAttention …); q/k/v (or a
 * fused qkv) are the weight matrices that feed a core's query/key/value inputs, `o` the first one
 * reading its output; the other matrices of a block are its MLP (up/gate/gate_up/down by data
 * flow, activation and shape); norms belong to the block of the first matrix they feed; the
 * embedding is the largest gathered table, the lm_head the matrix that reaches the logits.
 * Used as the last naming source (graph position) and to infer an interface when none resolves.
 */
import type { GraphLookup, ModelIndex, NodeRecord } from '../../onnx/index.js';
import { getGraphLookup } from '../../onnx/index.js';
import type { WeightRole } from '../types.js';
import { opKey, type ConsumerKind, type WeightUse } from '../weights/weight-uses.js';

/** Where a weight sits in the structure: its role, block (null outside blocks) and rank among same-role weights there. */
export interface StructuralClass {
  readonly role: WeightRole;
  readonly layer: number | null;
  /** 0 for the first weight of this role in this block (or outside blocks), 1 for the second … */
  readonly ordinal: number;
}

/** What the structure says about one graph's weights. */
export interface GraphStructure {
  /** Per use, in the order given; null for a use that is no weight of the model (a Mul operand that is not a norm scale). */
  readonly classes: readonly (StructuralClass | null)[];
  /** Attention cores found (= blocks). */
  readonly blocks: number;
}

const MATRIX_KINDS: ReadonlySet<ConsumerKind> = new Set(['matmul', 'gemm', 'attention', 'matmulnbits', 'matmulinteger']);
const GATHER_KINDS: ReadonlySet<ConsumerKind> = new Set(['gather', 'gather-block-quantized']);
/** Attention contrib ops taking projected q, k, v at inputs 0, 1, 2. */
const QKV_CORES: ReadonlySet<string> = new Set([
  'com.microsoft.MultiHeadAttention',
  'com.microsoft.GroupQueryAttention',
  'com.microsoft.PackedMultiHeadAttention',
  'com.microsoft.DecoderMaskedMultiHeadAttention',
  'com.microsoft.SparseAttention',
  'com.microsoft.PagedAttention',
  'Attention',
]);
/** Attention contrib ops that hold the fused QKV weight themselves (input 1). */
const WEIGHTED_CORES: ReadonlySet<string> = new Set(['com.microsoft.Attention', 'com.microsoft.PackedAttention']);
const ACTIVATIONS: ReadonlySet<string> = new Set([
  'Sigmoid',
  'Relu',
  'Gelu',
  'Tanh',
  'Erf',
  'HardSigmoid',
  'HardSwish',
  'Mish',
  'Softplus',
  'com.microsoft.FastGelu',
  'com.microsoft.BiasGelu',
  'com.microsoft.Gelu',
  'com.microsoft.QuickGelu',
]);
/** Ops whose output is shape metadata, never data: walks stop there. */
const SHAPE_OPS: ReadonlySet<string> = new Set(['Shape', 'Size', 'ConstantOfShape', 'Range', 'NonZero', 'EyeLike']);
/** Inputs of an op that carry shapes, indices or conditions, not the data that flows on. */
const NON_DATA_SLOTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  Slice: [1, 2, 3, 4],
  Squeeze: [1],
  Unsqueeze: [1],
  Pad: [1, 2, 3],
  Split: [1],
  TopK: [1],
  Gather: [1],
  Where: [0],
  'com.microsoft.RotaryEmbedding': [1, 2, 3],
};
const MAX_HOPS = 24;

/** Classifies `uses` (all from `index`) by structure, graph by graph (the branches of a merged decoder separately). */
export function inferStructure(index: ModelIndex, uses: readonly WeightUse[]): GraphStructure {
  const lookup = getGraphLookup(index);
  const classes: (StructuralClass | null)[] = uses.map(() => null);
  let blocks = 0;
  const byGraph = new Map<number, number[]>();
  uses.forEach((use, i) => {
    const list = byGraph.get(use.node.graphId) ?? [];
    byGraph.set(use.node.graphId, list);
    list.push(i);
  });
  for (const [graphId, positions] of byGraph) {
    const found = classifyGraph(lookup, graphId, positions.map((i) => uses[i]!));
    positions.forEach((p, j) => (classes[p] = found.classes[j] ?? null));
    blocks = Math.max(blocks, found.blocks);
  }
  return { classes, blocks };
}

interface Core {
  /** Entry points: a node input that receives q, k or v. */
  readonly entries: readonly { readonly node: NodeRecord; readonly slot: number; readonly part: 'q' | 'k' | 'v' }[];
  /** The node whose output is the attention's (pre-projection) result. */
  readonly output: NodeRecord;
  /** The core node itself, for weighted cores. */
  readonly node: NodeRecord;
}

function classifyGraph(lookup: GraphLookup, graphId: number, uses: readonly WeightUse[]): GraphStructure {
  const graph = lookup.graph(graphId);
  const matrixNodes = new Set<NodeRecord>(uses.filter((u) => MATRIX_KINDS.has(u.kind)).map((u) => u.node));
  const cores = findCores(lookup, graph.nodes, matrixNodes);
  const nodeRole = new Map<NodeRecord, { role: WeightRole; layer: number | null }>();

  // Attention projections, block by block.
  cores.forEach((core, layer) => {
    const parts = new Map<NodeRecord, Set<'q' | 'k' | 'v'>>();
    if (WEIGHTED_CORES.has(opKey(core.node))) parts.set(core.node, new Set(['q', 'k', 'v']));
    for (const entry of core.entries) {
      for (const hit of walkBack(lookup, entry.node, entry.slot, matrixNodes)) {
        const set = parts.get(hit) ?? new Set();
        parts.set(hit, set);
        set.add(entry.part);
      }
    }
    for (const [node, set] of parts) {
      if (nodeRole.has(node)) continue;
      nodeRole.set(node, { role: set.size > 1 ? 'qkv' : [...set][0]!, layer });
    }
    for (const hit of walkForward(lookup, core.output, matrixNodes, new Set(cores.map((c) => c.node)))) {
      if (!nodeRole.has(hit)) nodeRole.set(hit, { role: 'o', layer });
    }
  });

  // lm_head: matrices after the last block whose output reaches a graph output without another matrix.
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const ordered = [...matrixNodes].sort((a, b) => a.position - b.position);
  const lastAttention = Math.max(-1, ...[...nodeRole.keys()].map((n) => n.position));
  for (const node of ordered) {
    if (nodeRole.has(node) || node.position < lastAttention) continue;
    if (reachesOutput(lookup, node, matrixNodes, outputs)) nodeRole.set(node, { role: 'lm_head', layer: null });
  }

  // The MLP of each block: the other matrices between its attention and the next block's.
  const firstOfBlock = cores.map((_, layer) => Math.min(...[...nodeRole].filter(([, r]) => r.layer === layer).map(([n]) => n.position)));
  const mlpOf = new Map<number, NodeRecord[]>();
  for (const node of ordered) {
    if (nodeRole.has(node)) continue;
    let layer = -1;
    for (let i = 0; i < cores.length; i++) if (node.position > firstOfBlock[i]!) layer = i;
    if (layer < 0) {
      nodeRole.set(node, { role: 'other', layer: null });
      continue;
    }
    const list = mlpOf.get(layer) ?? [];
    mlpOf.set(layer, list);
    list.push(node);
  }
  const rowsOf = new Map<NodeRecord, number>(uses.filter((u) => MATRIX_KINDS.has(u.kind)).map((u) => [u.node, u.rows]));
  const colsOf = new Map<NodeRecord, number>(uses.filter((u) => MATRIX_KINDS.has(u.kind)).map((u) => [u.node, u.cols]));
  for (const [layer, nodes] of mlpOf) {
    for (const [node, role] of mlpRoles(lookup, nodes, rowsOf, colsOf)) nodeRole.set(node, { role, layer });
  }

  // Norms and embeddings.
  const tables = uses.filter((u) => GATHER_KINDS.has(u.kind) && u.node.graphId === graphId);
  const tokenTable = tables.reduce<WeightUse | undefined>((best, u) => (best === undefined || u.rows > best.rows ? u : best), undefined);
  const hidden = tokenTable?.cols;
  const counters = new Map<string, number>();
  const classes = uses.map((use): StructuralClass | null => {
    let role: WeightRole;
    let layer: number | null = null;
    if (MATRIX_KINDS.has(use.kind)) ({ role, layer } = nodeRole.get(use.node) ?? { role: 'other', layer: null });
    else if (GATHER_KINDS.has(use.kind)) role = tableRole(lookup, use, tokenTable, hidden);
    else {
      if (use.kind === 'mul' && !isRmsScale(lookup, use)) return null;
      role = 'norm';
      const fed = firstMatrixFed(lookup, use.node, matrixNodes);
      const fedRole = fed === undefined ? undefined : nodeRole.get(fed);
      layer = fedRole === undefined || fedRole.role === 'lm_head' ? null : fedRole.layer;
    }
    const counter = `${role}:${layer ?? ''}`;
    const ordinal = counters.get(counter) ?? 0;
    counters.set(counter, ordinal + 1);
    return { role, layer, ordinal };
  });
  return { classes, blocks: cores.length };
}

function findCores(lookup: GraphLookup, nodes: readonly NodeRecord[], matrixNodes: ReadonlySet<NodeRecord>): Core[] {
  const cores: Core[] = [];
  for (const node of nodes) {
    const key = opKey(node);
    if (WEIGHTED_CORES.has(key)) cores.push({ entries: [], output: node, node });
    else if (QKV_CORES.has(key)) {
      const present = (slot: number) => (node.inputs[slot] ?? '') !== '';
      // GroupQueryAttention / MultiHeadAttention with packed QKV in input 0 and no key/value inputs.
      const entries =
        present(1) || present(2)
          ? (['q', 'k', 'v'] as const).map((part, slot) => ({ node, slot, part })).filter((e) => present(e.slot))
          : (['q', 'k', 'v'] as const).map((part) => ({ node, slot: 0, part }));
      cores.push({ entries, output: node, node });
    } else if (key === 'Softmax') {
      const scores = weightlessMatMulBefore(lookup, node, matrixNodes);
      const apply = lookup.consumers(node.outputs[0] ?? '', node.graphId).map((c) => followTo(lookup, c.node, isPlainMatMul, 3));
      const pv = apply.find((n): n is NodeRecord => n !== undefined && !matrixNodes.has(n));
      if (scores === undefined || pv === undefined) continue;
      cores.push({
        entries: [
          { node: scores, slot: 0, part: 'q' },
          { node: scores, slot: 1, part: 'k' },
          { node: pv, slot: 1, part: 'v' },
        ],
        output: pv,
        node,
      });
    }
  }
  return cores;
}

/** The weightless MatMul (q·kᵀ) a Softmax's input comes from, through scaling, masking and casts. */
function weightlessMatMulBefore(lookup: GraphLookup, softmax: NodeRecord, matrixNodes: ReadonlySet<NodeRecord>): NodeRecord | undefined {
  let frontier = [softmax];
  for (let hop = 0; hop < 6 && frontier.length > 0; hop++) {
    const next: NodeRecord[] = [];
    for (const node of frontier) {
      for (const slot of dataSlots(node)) {
        const producer = lookup.producer(node.inputs[slot] ?? '', node.graphId)?.node;
        if (producer === undefined || SHAPE_OPS.has(producer.opType)) continue;
        if (isPlainMatMul(producer) && !matrixNodes.has(producer)) return producer;
        if (!matrixNodes.has(producer)) next.push(producer);
      }
    }
    frontier = next;
  }
  return undefined;
}

function isPlainMatMul(node: NodeRecord): boolean {
  const key = opKey(node);
  return key === 'MatMul' || key === 'com.microsoft.FusedMatMul';
}

function followTo(lookup: GraphLookup, start: NodeRecord, test: (n: NodeRecord) => boolean, hops: number): NodeRecord | undefined {
  let frontier = [start];
  for (let hop = 0; hop <= hops && frontier.length > 0; hop++) {
    const hit = frontier.find(test);
    if (hit !== undefined) return hit;
    frontier = frontier.flatMap((n) => n.outputs.flatMap((o) => lookup.consumers(o, n.graphId).map((c) => c.node)));
  }
  return undefined;
}

function dataSlots(node: NodeRecord): number[] {
  const skip = NON_DATA_SLOTS[opKey(node)] ?? [];
  return node.inputs.map((_, i) => i).filter((i) => !skip.includes(i) && (node.inputs[i] ?? '') !== '');
}

/** The weight matrices whose output flows (through weightless ops) into `node.inputs[slot]`. */
function walkBack(lookup: GraphLookup, node: NodeRecord, slot: number, matrixNodes: ReadonlySet<NodeRecord>): NodeRecord[] {
  const hits = new Set<NodeRecord>();
  const seen = new Set<NodeRecord>();
  let frontier: string[] = [node.inputs[slot] ?? ''];
  for (let hop = 0; hop < MAX_HOPS && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const value of frontier) {
      const producer = lookup.producer(value, node.graphId)?.node;
      if (producer === undefined || seen.has(producer) || SHAPE_OPS.has(producer.opType)) continue;
      seen.add(producer);
      if (matrixNodes.has(producer)) hits.add(producer);
      else if (producer.opType !== 'Softmax' && !QKV_CORES.has(opKey(producer))) for (const s of dataSlots(producer)) next.push(producer.inputs[s] ?? '');
    }
    frontier = next;
  }
  return [...hits];
}

/** The first weight matrices reading `node`'s output (through weightless ops, not past another core). */
function walkForward(lookup: GraphLookup, node: NodeRecord, matrixNodes: ReadonlySet<NodeRecord>, cores: ReadonlySet<NodeRecord>): NodeRecord[] {
  const hits = new Set<NodeRecord>();
  const seen = new Set<NodeRecord>([node]);
  let frontier = [node];
  for (let hop = 0; hop < 8 && frontier.length > 0 && hits.size === 0; hop++) {
    const next: NodeRecord[] = [];
    for (const current of frontier) {
      const outputs = current === node ? current.outputs.slice(0, 1) : current.outputs;
      for (const value of outputs) {
        for (const { node: consumer, slot } of lookup.consumers(value, current.graphId)) {
          if (seen.has(consumer)) continue;
          seen.add(consumer);
          if (matrixNodes.has(consumer) && slot === 0) hits.add(consumer);
          else if (!cores.has(consumer) && !SHAPE_OPS.has(consumer.opType)) next.push(consumer);
        }
      }
    }
    frontier = next;
  }
  return [...hits];
}

/** The nearest weight matrix `node` feeds (breadth first), for norms. */
function firstMatrixFed(lookup: GraphLookup, node: NodeRecord, matrixNodes: ReadonlySet<NodeRecord>): NodeRecord | undefined {
  const seen = new Set<NodeRecord>([node]);
  let frontier = [node];
  for (let hop = 0; hop < MAX_HOPS && frontier.length > 0; hop++) {
    const next: NodeRecord[] = [];
    const hits: NodeRecord[] = [];
    for (const current of frontier) {
      for (const value of current.outputs) {
        for (const { node: consumer } of lookup.consumers(value, current.graphId)) {
          if (seen.has(consumer) || SHAPE_OPS.has(consumer.opType)) continue;
          seen.add(consumer);
          if (matrixNodes.has(consumer)) hits.push(consumer);
          else next.push(consumer);
        }
      }
    }
    if (hits.length > 0) return hits.sort((a, b) => a.position - b.position)[0];
    frontier = next;
  }
  return undefined;
}

function reachesOutput(lookup: GraphLookup, node: NodeRecord, matrixNodes: ReadonlySet<NodeRecord>, outputs: ReadonlySet<string>): boolean {
  const seen = new Set<NodeRecord>([node]);
  let frontier = [node];
  for (let hop = 0; hop < 8 && frontier.length > 0; hop++) {
    const next: NodeRecord[] = [];
    for (const current of frontier) {
      for (const value of current.outputs) {
        if (outputs.has(value)) return true;
        for (const { node: consumer } of lookup.consumers(value, current.graphId)) {
          if (seen.has(consumer) || matrixNodes.has(consumer)) continue;
          seen.add(consumer);
          next.push(consumer);
        }
      }
    }
    frontier = next;
  }
  return false;
}

/**
 * MLP roles within one block: `down` reads another MLP matrix's result; the entries (reading the
 * block's input) are `gate` (its output goes through an activation) and `up`, or one `up` (GPT-2,
 * BERT), or a fused `gate_up` (twice the down's input width). A block with a router (an entry
 * whose output goes to a Softmax/TopK: the small `[n_experts, hidden]` matrix scoring the experts)
 * is a mixture of experts: its other matrices are the experts' `expert_gate`/`expert_up`/
 * `expert_down`, one of each per expert in the exporter's (expert-major) order, so a role's
 * ordinal is the expert index. A shared expert that every token runs (Qwen2-MoE) cannot be told
 * from a routed one by structure and is counted among them.
 */
function mlpRoles(lookup: GraphLookup, nodes: readonly NodeRecord[], rowsOf: ReadonlyMap<NodeRecord, number>, colsOf: ReadonlyMap<NodeRecord, number>): Map<NodeRecord, WeightRole> {
  const set = new Set(nodes);
  const roles = new Map<NodeRecord, WeightRole>();
  const downs = nodes.filter((n) => walkBack(lookup, n, 0, set).length > 0);
  const entries = nodes.filter((n) => !downs.includes(n));
  const routers = entries.filter((entry) => feedsWithin(lookup, entry, 4, (n) => n.opType === 'TopK' || n.opType === 'Softmax'));
  if (routers.length > 0) return expertRoles(lookup, nodes, routers, downs);
  for (const down of downs) roles.set(down, 'down');
  const downWidth = downs.length > 0 ? colsOf.get(downs[0]!) : undefined;
  for (const entry of entries) {
    if (downWidth !== undefined && rowsOf.get(entry) === 2 * downWidth && entries.length === 1) roles.set(entry, 'gate_up');
    else if (entries.length > 1 && feedsWithin(lookup, entry, 2, (n) => ACTIVATIONS.has(opKey(n)))) roles.set(entry, 'gate');
    else roles.set(entry, 'up');
  }
  // Two entries and neither (or both) through an activation: exporters emit gate before up.
  const gates = entries.filter((e) => roles.get(e) === 'gate');
  const ups = entries.filter((e) => roles.get(e) === 'up');
  if (gates.length === 0 && ups.length === 2) roles.set(ups[0]!, 'gate');
  if (gates.length === 2 && ups.length === 0) roles.set(gates[1]!, 'up');
  return roles;
}

/** Roles in a mixture-of-experts block: the router(s), then each expert's gate (through an activation), up and down. */
function expertRoles(lookup: GraphLookup, nodes: readonly NodeRecord[], routers: readonly NodeRecord[], downs: readonly NodeRecord[]): Map<NodeRecord, WeightRole> {
  const roles = new Map<NodeRecord, WeightRole>();
  for (const router of routers) roles.set(router, 'router');
  for (const node of nodes) {
    if (roles.has(node)) continue;
    if (downs.includes(node)) roles.set(node, 'expert_down');
    else roles.set(node, feedsWithin(lookup, node, 2, (n) => ACTIVATIONS.has(opKey(n))) ? 'expert_gate' : 'expert_up');
  }
  return roles;
}

function feedsWithin(lookup: GraphLookup, node: NodeRecord, hops: number, test: (n: NodeRecord) => boolean): boolean {
  let frontier = [node];
  for (let hop = 0; hop < hops && frontier.length > 0; hop++) {
    frontier = frontier.flatMap((n) => n.outputs.flatMap((o) => lookup.consumers(o, n.graphId).map((c) => c.node)));
    if (frontier.some(test)) return true;
  }
  return false;
}

/** Token embedding (the largest table), position embedding (a second table as wide), else other (token types, rotary caches). */
function tableRole(lookup: GraphLookup, use: WeightUse, token: WeightUse | undefined, hidden: number | undefined): WeightRole {
  if (opKey(use.node) === 'com.microsoft.EmbedLayerNormalization') return use.slot === 2 ? 'embed_tokens' : use.slot === 3 ? 'embed_positions' : 'other';
  if (use === token || (token !== undefined && use.tensor === token.tensor)) return 'embed_tokens';
  if (use.cols !== hidden) return 'other';
  const indices = use.node.inputs[1] ?? '';
  const source = lookup.producer(indices, use.node.graphId)?.node;
  const inputName = source === undefined ? indices : '';
  if (/token_type|segment/i.test(inputName)) return 'other';
  return use.rows <= 2 ? 'other' : 'embed_positions';
}

/** A 1-D Mul operand is an RMSNorm scale when the other operand was normalized (ReduceMean nearby upstream). */
function isRmsScale(lookup: GraphLookup, use: WeightUse): boolean {
  const other = use.node.inputs[1 - use.slot] ?? '';
  let frontier = [other];
  for (let hop = 0; hop < 6 && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const value of frontier) {
      const producer = lookup.producer(value, use.node.graphId)?.node;
      if (producer === undefined) continue;
      if (producer.opType === 'ReduceMean' || producer.opType === 'LpNormalization') return true;
      next.push(...producer.inputs.filter((i) => i !== ''));
    }
    frontier = next;
  }
  return false;
}
