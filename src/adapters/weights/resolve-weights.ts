import { InvarlockError } from '../../errors/index.js';
import type { ModelIndex } from '../../onnx/index.js';
import { ModuleClassifier, ROLE_FAMILY, type ModuleClass } from '../interfaces/classify-module.js';
import { inferStructure, type StructuralClass } from '../interfaces/infer-structure.js';
import { moduleOfInitializer, moduleOfMetadata, moduleOfNode, moduleOfNodeNamedInitializer } from '../interfaces/module-paths.js';
import type { GraphRole, ModelInterface, NamingSource, WeightRecord, WeightRole } from '../types.js';
import { NAMING_SOURCES } from '../types.js';
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
/** A routed expert's projections. */
const EXPERT_ROLES: ReadonlySet<WeightRole> = new Set(['expert_gate', 'expert_up', 'expert_down']);
/** The roles of a block's feed-forward part, dense or mixture of experts. */
const FFN_ROLES: ReadonlySet<WeightRole> = new Set(['up', 'gate', 'gate_up', 'down', 'router', ...EXPERT_ROLES]);

/**
 * Maps every weight of the graphs to its role, from all the evidence the graph holds, in order of
 * trust (issue #11): `parameter` — the initializer is named after the PyTorch parameter
 * (`transformer.h.0.attn.c_attn.weight`); `metadata` — the dynamo exporter's node metadata
 * (`pkg.torch.onnx.name_scopes`); `scope` — the TorchScript node scope
 * (`/model/layers.0/self_attn/q_proj/MatMul_Q4`) or a quantized initializer named after that node
 * (`h.0.attn.c_attn.Gemm_quantized`); `position` — the weight's place in the structure (see
 * `inferStructure`), spelled as the interface spells that place. A name counts only when the
 * interface knows it (also without its leading root module) and it fits the consumer (a Gather
 * reads an embedding, a norm op a norm scale, a MatMul a matrix: the tied `wte` read by the
 * lm_head MatMul is the lm_head). The source that places the most weights decides each weight it
 * places; the others, in order of trust, place the rest; `naming` on each record says which did.
 * Keys are unique: the same tensor reached twice under one key (the two branches of a merged
 * decoder) is one weight; different tensors under one key get `#2`, `#3` in graph order; an
 * encoder key that repeats a decoder key gets `@encoder`.
 *
 * @throws InvarlockError `E_INTERFACE_INVALID` when the interface maps no weight, misses the token
 *   embedding or the blocks, or blocks lack projections others have; `details.problems` lists which.
 */
export function resolveWeights(graphs: readonly GraphToResolve[], options: ResolveWeightsOptions): WeightRecord[] {
  const classifier = new ModuleClassifier(options.interface);
  const encoderPrefix = encoderPrefixOf(options.interface);
  const placed = graphs.map(({ role, index }) => {
    const uses = findWeightUses(index);
    const structure = inferStructure(index, uses).classes;
    const prefix = role === 'encoder' ? encoderPrefix : null;
    return { role, uses, candidates: uses.map((use, i) => candidatesOf(use, structure[i] ?? null, classifier, options.interface, prefix)) };
  });
  const counts = Object.fromEntries(NAMING_SOURCES.map((source) => [source, 0])) as Record<NamingSource, number>;
  for (const graph of placed) for (const list of graph.candidates) for (const c of list) counts[c.naming] += 1;
  // Position fills gaps between names; an interface no name matches does not resolve the graph.
  if (counts.parameter + counts.metadata + counts.scope === 0) counts.position = 0;
  // The source that resolves the most weights first, the rest in order of trust (ties to the more trusted).
  const order = [...NAMING_SOURCES]
    .filter((source) => counts[source] > 0).sort((a, b) => counts[b] - counts[a] || NAMING_SOURCES.indexOf(a) - NAMING_SOURCES.indexOf(b));
  const records = new RecordList();
  const mapped = new Set<string>();
  for (const { role: graphRole, uses, candidates } of placed) {
    uses.forEach((use, i) => {
      const list = candidates[i]!;
      const chosen = order.map((source) => list.find((c) => c.naming === source)).find((c) => c !== undefined) ?? unmapped(use, classifier);
      if (chosen === null) return;
      const record = records.add(use, chosen, graphRole);
      if (record !== null && chosen.isMapped) mapped.add(record.key);
    });
  }
  checkCoverage(records.list, mapped, options, classifier);
  return records.list;
}

/**
 * Maps every weight by structure alone, for a model no interface resolves (issue #11 §3): keys
 * name the place (`embed_tokens`, `layers.3.q`, `layers.3.norm#2`, `final_norm`, `lm_head`),
 * `module` keeps the best name the graph gives. Never throws: a weight the structure cannot place
 * is `other`.
 */
export function inferWeights(graphs: readonly GraphToResolve[]): WeightRecord[] {
  const records = new RecordList();
  for (const { role: graphRole, index } of graphs) {
    const uses = findWeightUses(index);
    const structure = inferStructure(index, uses).classes;
    uses.forEach((use, i) => {
      const found = structure[i] ?? null;
      if (found === null) return;
      const key = inferredKey(found);
      records.add(use, { key, module: displayName(use) ?? key, role: found.role, family: ROLE_FAMILY[found.role], layer: found.layer, isMapped: true, naming: 'position' }, graphRole);
    });
  }
  return records.list;
}

/** The key of a structural place in an inferred interface. */
export function inferredKey(found: StructuralClass): string {
  // An expert's projections are keyed by their expert (the ordinal), as a named interface keys `experts.{e}.w1`.
  if (found.layer !== null && EXPERT_ROLES.has(found.role)) return `layers.${found.layer}.experts.${found.ordinal}.${found.role}`;
  const base = found.layer === null ? (found.role === 'norm' ? 'final_norm' : found.role) : `layers.${found.layer}.${found.role}`;
  return found.ordinal === 0 ? base : `${base}#${found.ordinal + 1}`;
}

interface Placement extends ModuleClass {
  readonly module: string;
  /** True when the interface (or the structure) placed the weight, not a fallback from the op kind. */
  readonly isMapped: boolean;
  readonly naming: NamingSource;
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

/** Accumulates records, keeping keys unique (see {@link resolveWeights}). */
class RecordList {
  readonly list: WeightRecord[] = [];
  private readonly byKey = new Map<string, WeightRecord>();

  add(use: WeightUse, placed: Placement, graphRole: GraphRole): WeightRecord | null {
    let key = placed.key;
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      if (existing.graph === graphRole && existing.initializers[0] === use.tensor.name) return null;
      if (existing.graph !== graphRole) key = `${key}@${graphRole}`;
      for (let n = 2; this.byKey.has(key); n++) key = `${placed.key}${existing.graph !== graphRole ? `@${graphRole}` : ''}#${n}`;
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
      naming: placed.naming,
    };
    this.byKey.set(key, record);
    this.list.push(record);
    return record;
  }
}

/** Every placement of `use` the sources offer, at most one per source. */
function candidatesOf(use: WeightUse, structure: StructuralClass | null, classifier: ModuleClassifier, iface: ModelInterface, encoderPrefix: string | null): Placement[] {
  const named: [NamingSource, string | null][] = [
    ['parameter', moduleOfInitializer(use.tensor.name)],
    ['metadata', moduleOfMetadata(use.node.metadataProps)],
    ['scope', moduleOfNode(use.node.name)],
    ['scope', moduleOfNodeNamedInitializer(use.tensor.name)],
  ];
  const out: Placement[] = [];
  for (const [naming, name] of named) {
    if (name === null || out.some((p) => p.naming === naming)) continue;
    // Optimum exports `model.get_encoder()` on its own: the encoder graph's scopes and parameter names
    // lack the encoder's path (`/block.0/layer.0/SelfAttention/q/MatMul`, `embed_tokens.weight`), so
    // the path inside the whole model is tried first; a graph exported from the whole model has it already.
    const modules = encoderPrefix === null || name.startsWith(encoderPrefix) ? [name] : [`${encoderPrefix}${name}`, name];
    for (const module of modules) {
      const found = classifier.classifyLoose(module);
      if (found !== null && fits(use, found.role)) {
        out.push({ ...found, module, isMapped: true, naming });
        break;
      }
    }
  }
  if (structure !== null) {
    const key = interfaceKey(structure, iface);
    if (key !== null && fits(use, structure.role)) {
      const module = displayName(use) ?? key;
      out.push({ key, module, role: structure.role, family: ROLE_FAMILY[structure.role], layer: structure.layer, isMapped: true, naming: 'position' });
    }
  }
  return out;
}

/** Whether a role fits the op reading the weight. */
function fits(use: WeightUse, role: WeightRole): boolean {
  const isTable = use.kind === 'gather' || use.kind === 'gather-block-quantized';
  const isNorm = use.kind === 'norm' || use.kind === 'mul';
  if (role === 'embed_tokens' || role === 'embed_positions') return isTable;
  if (role === 'norm') return isNorm && use.rows === 1;
  if (use.kind === 'mul') return false;
  if (use.kind === 'norm') return false;
  return role === 'other' || !isTable;
}

/** A weight no source places: `other` (or `norm` for a norm op) under its best name. */
function unmapped(use: WeightUse, classifier: ModuleClassifier): Placement | null {
  if (use.kind === 'mul') return null;
  const module = displayName(use) ?? use.tensor.name;
  const role: WeightRole = use.kind === 'norm' ? 'norm' : 'other';
  return { key: module, module, role, family: 'other', layer: classifier.layerOf(module), isMapped: false, naming: 'position' };
}

/** The most telling name of a weight's module: node metadata, node scope, a parameter name. */
function displayName(use: WeightUse): string | null {
  return moduleOfMetadata(use.node.metadataProps) ?? moduleOfNode(use.node.name) ?? moduleOfInitializer(use.tensor.name) ?? moduleOfNodeNamedInitializer(use.tensor.name);
}

/** The key an interface gives a structural place, or null when it has no path for it (single-stack interfaces only). */
function interfaceKey(found: StructuralClass, iface: ModelInterface): string | null {
  const at = (list: readonly string[], i = 0): string | null => list[i] ?? null;
  if (found.layer === null) {
    if (found.ordinal > 0) return null;
    const path = found.role === 'embed_tokens' ? at(iface.embeddings) : found.role === 'embed_positions' ? at(iface.positionEmbeddings) : found.role === 'lm_head' ? at(iface.lmHead) : found.role === 'norm' ? at(iface.finalNorm) : null;
    return path;
  }
  if (iface.layers.length !== 1) return null;
  const stack = `${iface.layers[0]!}.${found.layer}`;
  const attn = at(iface.selfAttn);
  const inAttn = (list: readonly string[]): string | null => (attn === null || list.length === 0 || found.ordinal > 0 ? null : `${stack}.${attn}.${list[0]!}`);
  const inBlock = (list: readonly string[], i = 0): string | null => (list[i] === undefined ? null : `${stack}.${list[i]!}`);
  const experts = at(iface.experts);
  const inExpert = (list: readonly string[]): string | null => (experts === null || list[0] === undefined ? null : `${stack}.${experts}.${found.ordinal}.${list[0]}`);
  switch (found.role) {
    case 'q':
      return inAttn(iface.q);
    case 'k':
      return inAttn(iface.k);
    case 'v':
      return inAttn(iface.v);
    case 'qkv':
      return inAttn(iface.qkv);
    case 'o':
      return inAttn(iface.o);
    case 'up':
      return found.ordinal > 0 ? null : inBlock(iface.up);
    case 'gate':
      return found.ordinal > 0 ? null : inBlock(iface.gate);
    case 'gate_up':
      return found.ordinal > 0 ? null : inBlock(iface.gateUp);
    case 'down':
      return found.ordinal > 0 ? null : inBlock(iface.down);
    case 'norm':
      return inBlock(iface.norms, found.ordinal);
    case 'router':
      return inBlock(iface.router, found.ordinal);
    case 'expert_gate':
      return inExpert(iface.expertGate);
    case 'expert_up':
      return inExpert(iface.expertUp);
    case 'expert_down':
      return inExpert(iface.expertDown);
    default:
      return null;
  }
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
    // A mixture-of-experts model may keep dense MLPs in some blocks (Qwen3-MoE `mlp_only_layers`,
    // `decoder_sparse_step`): there a block needs a feed-forward part, dense or routed, not the same roles.
    const mixesFfn = iface.experts.length > 0;
    for (const [layer, roles] of layers) {
      for (const role of union) if (!roles.has(role) && !(mixesFfn && FFN_ROLES.has(role))) problems.push(`${stack}.${layer}: no ${role} weight (other blocks have one)`);
      if (mixesFfn && [...union].some((r) => FFN_ROLES.has(r)) && ![...roles].some((r) => FFN_ROLES.has(r))) problems.push(`${stack}.${layer}: no MLP or expert weight (other blocks have one)`);
    }
    const hasAttention = union.has('qkv') || union.has('q') || union.has('k') || union.has('v');
    const declaresAttention = iface.q.length + iface.k.length + iface.v.length + iface.qkv.length > 0;
    if (declaresAttention && !hasAttention) problems.push(`${stack}: no attention projection (${[...iface.q, ...iface.qkv].join(' | ')}) found in any block`);
    const declaresMlp = iface.up.length + iface.gateUp.length + iface.down.length > 0;
    const hasExperts = [...EXPERT_ROLES].some((r) => union.has(r));
    if (declaresMlp && !(union.has('up') || union.has('gate_up') || union.has('down') || hasExperts)) problems.push(`${stack}: no MLP projection found in any block`);
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
