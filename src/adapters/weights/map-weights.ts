import { InvarlockError } from '../../errors/index.js';
import { hasBundledInterface, inferredInterface, resolveModelInterface } from '../interfaces/interface-table.js';
import { NAMING_SOURCES, type InterfaceWarning, type ModelInterface, type NamingSource, type WeightNaming, type WeightRecord } from '../types.js';
import { inferWeights, resolveWeights, type GraphToResolve } from './resolve-weights.js';

/** Options of {@link mapModelWeights}. */
export interface MapWeightsOptions {
  /** `model_type` of the model (config.json, else genai_config.json `model.type`). */
  readonly modelType: string;
  /** A user interface (config `model_interface`). */
  readonly custom?: Readonly<Record<string, unknown>> | null;
  /** config.json's layer count, checked against the blocks found. */
  readonly numLayers?: number | null;
}

/** The weights of a model, the interface that mapped them, and why it had to be inferred. */
export interface MappedWeights {
  readonly modelInterface: ModelInterface;
  readonly weights: readonly WeightRecord[];
  readonly naming: WeightNaming;
  /** `interface_inferred` (why) first when the interface was inferred, then `interface_incomplete` for what inference could not place. */
  readonly warnings: readonly InterfaceWarning[];
}

/**
 * Maps a model's weights without refusing (issue #11 §3): a user's interface decides when given
 * (and its errors stand: the user asked for it); else the bundled interface of the model type;
 * when there is none, or it does not resolve the graph, the graph's structure stands in for it
 * (`provenance: 'inferred'`, warning `interface_inferred`) so that the primary metric, the
 * invariants and the guards still run. An edit that needs a role the inference did not find stops
 * later, naming the role.
 *
 * @throws InvarlockError `E_INTERFACE_INVALID` for a user interface that fails its schema or does
 *   not resolve the weights (see `resolveModelInterface`, `resolveWeights`).
 */
export function mapModelWeights(graphs: readonly GraphToResolve[], options: MapWeightsOptions): MappedWeights {
  const custom = options.custom ?? null;
  let reason: string;
  if (custom !== null || hasBundledInterface(options.modelType)) {
    const modelInterface = resolveModelInterface({ modelType: options.modelType, custom });
    try {
      const weights = resolveWeights(graphs, { interface: modelInterface, numLayers: options.numLayers ?? null });
      return { modelInterface, weights, naming: namingOf(weights), warnings: unreadExperts(graphs) };
    } catch (error) {
      if (custom !== null || !(error instanceof InvarlockError) || error.code !== 'E_INTERFACE_INVALID') throw error;
      reason = `the bundled interface for model_type "${options.modelType}" does not resolve this graph (${error.message})`;
    }
  } else reason = `no bundled interface for model_type "${options.modelType === '' ? '(none)' : options.modelType}"`;
  const weights = inferWeights(graphs);
  return {
    modelInterface: inferredInterface(options.modelType),
    weights,
    naming: namingOf(weights),
    warnings: [
      { code: 'interface_inferred', message: `${reason}; roles inferred from the graph's structure` },
      ...gaps(weights, options.numLayers ?? null).map((message) => ({ code: 'interface_incomplete' as const, message })),
      ...unreadExperts(graphs),
    ],
  };
}

/** onnxruntime's mixture-of-experts contrib ops, which hold every expert in 3-D `[n_experts, out, in]` inputs. */
const MOE_OPS: ReadonlySet<string> = new Set(['MoE', 'QMoE']);

/**
 * An `interface_incomplete` warning per `com.microsoft` MoE/QMoE node: its experts' weights are not
 * read (the weight records are 2-D matrices), so no guard measures them and no edit reaches them.
 * Said rather than left silent: the certificate would otherwise read as if the model had no experts.
 */
function unreadExperts(graphs: readonly GraphToResolve[]): InterfaceWarning[] {
  const out: InterfaceWarning[] = [];
  for (const { index } of graphs) {
    for (const graph of index.graphs) {
      for (const node of graph.nodes) {
        if (node.domain !== 'com.microsoft' || !MOE_OPS.has(node.opType)) continue;
        out.push({
          code: 'interface_incomplete',
          message: `${node.opType} node '${node.name}': its experts (${node.inputs.slice(2).filter((i) => i !== '').join(', ')}) are 3-D tensors invarlock does not read; no guard measures them and no edit reaches them`,
        });
      }
    }
  }
  return out;
}

/** The source that named the most weights, and each source's count. */
export function namingOf(weights: readonly WeightRecord[]): WeightNaming {
  const counts = Object.fromEntries(NAMING_SOURCES.map((s) => [s, 0])) as Record<NamingSource, number>;
  for (const w of weights) counts[w.naming ?? 'position'] += 1;
  const source = [...NAMING_SOURCES].sort((a, b) => counts[b] - counts[a] || NAMING_SOURCES.indexOf(a) - NAMING_SOURCES.indexOf(b))[0]!;
  return { source, counts };
}

/** What an inferred mapping lacks: no token embedding, no blocks, blocks without attention or MLP, a block count config.json contradicts. */
function gaps(weights: readonly WeightRecord[], numLayers: number | null): string[] {
  const out: string[] = [];
  if (!weights.some((w) => w.role === 'embed_tokens')) out.push('no token embedding found');
  const layers = new Set(weights.filter((w) => w.layer !== null).map((w) => w.layer));
  if (layers.size === 0) out.push('no transformer blocks found (no attention core in the graph): weights are guarded as family other');
  else {
    if (!weights.some((w) => w.family === 'attn')) out.push('no attention projection found');
    if (!weights.some((w) => w.family === 'ffn' || w.family === 'experts')) out.push('no MLP projection found');
    if (numLayers !== null && layers.size !== numLayers) out.push(`${layers.size} blocks found in the graph, config.json says ${numLayers}`);
  }
  return out;
}
