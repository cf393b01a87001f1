import { InvarlockError } from '../../errors/index.js';
import type { ModelIndex } from '../../onnx/index.js';
import { ModuleClassifier, type ModuleClass } from '../interfaces/classify-module.js';
import { moduleOfInitializer, moduleOfNode } from '../interfaces/module-paths.js';
import type { GraphRole, ModelInterface, WeightRecord, WeightRole } from '../types.js';
import { findWeightUses, type WeightUse } from './weight-uses.js';

/** One graph to resolve, with its role in the model. */
export interface GraphToResolve {
  readonly role: GraphRole;
  readonly index: ModelIndex;
}

/** Options of {@link resolveWeights}. */
export interface ResolveWeightsOptions {
  readonly interface: ModelInterface;
  /** config.json's layer count, checked against the blocks found (single-stack interfaces only). */
  readonly numLayers?: number | null;
}

/** At most this many problems are listed in one error. */
const MAX_PROBLEMS = 20;

/**
 * Maps every weight of the graphs to its role. The module path of a weight comes from its consumer
 * node's scope (`/model/layers.0/self_attn/q_proj/MatMul_Q4` → `model.layers.0.self_attn.q_proj`),
 * else from a PyTorch-named initializer (`transformer.h.0.attn.c_attn.weight`), quantizer suffixes
 * stripped; the first candidate the interface knows decides role, layer and `key`. The node scope
 * comes first because one initializer may serve two modules (a tied `wte` read by the embedding
 * Gather and by the lm_head MatMul). Keys are unique: the same tensor reached twice under one key
 * (the two branches of a merged decoder) is one weight; different tensors under one key get `#2`,
 * `#3` in graph order; an encoder key that repeats a decoder key gets `@encoder`.
 *
 * @throws InvarlockError `E_INTERFACE_INVALID` when the interface maps no weight, misses the token
 *   embedding or the blocks, or blocks lack projections others have; `details.problems` lists which.
 */
export function resolveWeights(graphs: readonly GraphToResolve[], options: ResolveWeightsOptions): WeightRecord[] {
  const classifier = new ModuleClassifier(options.interface);
  const encoderPrefix = encoderPrefixOf(options.interface);
  const records: WeightRecord[] = [];
  const byKey = new Map<string, WeightRecord>();
  const mapped = new Set<string>();
  for (const { role: graphRole, index } of graphs) {
    for (const use of findWeightUses(index)) {
      const placed = place(use, classifier, graphRole === 'encoder' ? encoderPrefix : null);
      if (placed === null) continue;
      let key = placed.key;
      const existing = byKey.get(key);
      if (existing !== undefined) {
        if (existing.graph === graphRole && existing.initializers[0] === use.tensor.name) continue;
        if (existing.graph !== graphRole) key = `${key}@${graphRole}`;
        for (let n = 2; byKey.has(key); n++) key = `${placed.key}${existing.graph !== graphRole ? `@${graphRole}` : ''}#${n}`;
      }
      const record: WeightRecord = {
        key,
        module: placed.module,
        role: placed.role,
        family: placed.family,
        layer: placed.layer,
        rows: use.rows,
        cols: use.cols,
        graph: graphRole,
        initializers: [use.tensor.name, ...use.companions.map((t) => t.name)],
        consumer: { node: use.node.name, opType: use.node.opType, slot: use.slot, graphId: use.node.graphId, position: use.node.position },
        format: use.format,
        storedType: use.storedType,
        storedOrientation: use.storedOrientation,
      };
      byKey.set(key, record);
      records.push(record);
      if (placed.isMapped) mapped.add(key);
    }
  }
  checkCoverage(records, mapped, options, classifier);
  return records;
}

interface Placement extends ModuleClass {
  readonly module: string;
  /** True when the interface named the module (not a fallback from the op kind). */
  readonly isMapped: boolean;
}

/**
 * The path of the encoder stack's module (`encoder.` for T5, `model.encoder.` for BART), from the
 * `model_layers` entry under an `encoder` segment; null for single-stack interfaces.
 */
function encoderPrefixOf(iface: ModelInterface): string | null {
  for (const stack of iface.layers) {
    const parts = stack.split('.');
    const at = parts.indexOf('encoder');
    if (at >= 0) return `${parts.slice(0, at + 1).join('.')}.`;
  }
  return null;
}

function place(use: WeightUse, classifier: ModuleClassifier, encoderPrefix: string | null): Placement | null {
  const found = [moduleOfNode(use.node.name), moduleOfInitializer(use.tensor.name)].filter((c): c is string => c !== null);
  // Optimum exports `model.get_encoder()` on its own: the encoder graph's scopes and parameter names
  // lack the encoder's path (`/block.0/layer.0/SelfAttention/q/MatMul`, `embed_tokens.weight`), so
  // the path inside the whole model comes first; a graph exported from the whole model has it already.
  const candidates = encoderPrefix === null ? found : found.flatMap((c) => (c.startsWith(encoderPrefix) ? [c] : [`${encoderPrefix}${c}`, c]));
  for (const module of candidates) {
    const found = classifier.classify(module);
    if (found !== null) {
      // A Mul is a weight only as a norm scale; a matrix consumer under a norm path is something else.
      if (use.kind === 'mul' && found.role !== 'norm') return null;
      if (found.role === 'norm' && use.rows !== 1) continue;
      if (found.role !== 'norm' && use.rows === 1 && (use.kind === 'norm' || use.kind === 'mul')) continue;
      return { ...found, module, isMapped: true };
    }
  }
  if (use.kind === 'mul') return null;
  const module = candidates[0] ?? use.tensor.name;
  const role: WeightRole = use.kind === 'norm' ? 'norm' : 'other';
  return { key: module, module, role, family: 'other', layer: classifier.layerOf(module), isMapped: false };
}

function checkCoverage(records: readonly WeightRecord[], mapped: ReadonlySet<string>, options: ResolveWeightsOptions, classifier: ModuleClassifier): void {
  const iface = options.interface;
  const problems: string[] = [];
  if (mapped.size === 0) {
    throw new InvarlockError('E_INTERFACE_INVALID', `The model interface (${iface.origin}) maps none of the ${records.length} weights`, {
      details: { problems: records.slice(0, MAX_PROBLEMS).map((r) => `unmapped: ${r.module} (${r.consumer.opType})`) },
      hint: 'Module paths in the interface must match the PyTorch module names (e.g. model.layers, self_attn, q_proj); see contracts/model_interfaces.json.',
    });
  }
  if (!records.some((r) => r.role === 'embed_tokens')) problems.push(`model_embeddings: no weight at ${iface.embeddings.join(' | ')}`);
  // Roles per block, per stack (T5 and BART have an encoder and a decoder stack).
  const stacks = new Map<string, Map<number, Set<WeightRole>>>();
  for (const r of records) {
    if (r.layer === null || !mapped.has(r.key)) continue;
    const stack = classifier.stackOf(r.key) ?? '';
    const layers = stacks.get(stack) ?? new Map<number, Set<WeightRole>>();
    stacks.set(stack, layers);
    const roles = layers.get(r.layer) ?? new Set<WeightRole>();
    layers.set(r.layer, roles);
    roles.add(r.role);
  }
  if (stacks.size === 0) problems.push(`model_layers: no block weights under ${iface.layers.join(' | ')}`);
  for (const [stack, layers] of stacks) {
    const indices = [...layers.keys()].sort((a, b) => a - b);
    const count = (indices[indices.length - 1] ?? -1) + 1;
    for (let i = 0; i < count; i++) if (!layers.has(i)) problems.push(`${stack}.${i}: no weights mapped in this block`);
    const union = new Set<WeightRole>();
    for (const roles of layers.values()) for (const role of roles) union.add(role);
    for (const [layer, roles] of layers) {
      for (const role of union) if (!roles.has(role)) problems.push(`${stack}.${layer}: no ${role} weight (other blocks have one)`);
    }
    const hasAttention = union.has('qkv') || union.has('q') || union.has('k') || union.has('v');
    const declaresAttention = iface.q.length + iface.k.length + iface.v.length + iface.qkv.length > 0;
    if (declaresAttention && !hasAttention) problems.push(`${stack}: no attention projection (${[...iface.q, ...iface.qkv].join(' | ')}) found in any block`);
    const declaresMlp = iface.up.length + iface.gateUp.length + iface.down.length > 0;
    if (declaresMlp && !(union.has('up') || union.has('gate_up') || union.has('down'))) problems.push(`${stack}: no MLP projection found in any block`);
    if (options.numLayers !== undefined && options.numLayers !== null && stacks.size === 1 && iface.layers.length === 1 && count !== options.numLayers) {
      problems.push(`${stack}: ${count} blocks in the graph, config.json says ${options.numLayers}`);
    }
  }
  if (problems.length > 0) {
    throw new InvarlockError('E_INTERFACE_INVALID', `The model interface (${iface.origin}) does not resolve the model's weights: ${problems[0] ?? ''}`, {
      details: { problems: problems.slice(0, MAX_PROBLEMS) },
      hint: 'Fix the module paths in model_interface (config), or check that baseline and export are the same architecture.',
    });
  }
}
