import interfacesJson from '../../../contracts/model_interfaces.json' with { type: 'json' };
import interfacesSchema from '../../../contracts/model_interfaces.schema.json' with { type: 'json' };
import { compileSchema } from '../../contracts/index.js';
import { InvarlockError } from '../../errors/index.js';
import type { ModelInterface } from '../types.js';

/** One interface as written in JSON (contracts/model_interfaces.schema.json `#/$defs/interface`). */
interface InterfaceJson {
  readonly model_type?: string;
  readonly weight_layout?: 'linear' | 'conv1d';
  readonly model_embeddings: PathJson;
  readonly model_position_embeddings?: PathJson;
  readonly model_layers: PathJson;
  readonly layer_self_attn: PathJson;
  readonly layer_cross_attn?: PathJson;
  readonly attn_q_proj?: PathJson;
  readonly attn_k_proj?: PathJson;
  readonly attn_v_proj?: PathJson;
  readonly attn_qkv_proj?: PathJson;
  readonly attn_o_proj?: PathJson;
  readonly layer_intermediate_proj?: PathJson;
  readonly layer_gate_proj?: PathJson;
  readonly layer_gate_up_proj?: PathJson;
  readonly layer_output_proj?: PathJson;
  readonly layer_router?: PathJson;
  readonly layer_experts?: PathJson;
  readonly expert_gate_proj?: PathJson;
  readonly expert_intermediate_proj?: PathJson;
  readonly expert_output_proj?: PathJson;
  readonly norms?: readonly string[];
  readonly final_norm?: PathJson;
  readonly lm_head?: PathJson;
  readonly tied_embeddings?: boolean;
}
type PathJson = string | readonly string[];

interface InterfacesFile {
  readonly schema_version: 1;
  readonly interfaces: Readonly<Record<string, InterfaceJson>>;
}

const validateFile = compileSchema<InterfacesFile>(interfacesSchema);
const validateInterface = compileSchema<InterfaceJson>(
  { $ref: 'https://invarlock.dev/schemas/model_interfaces.schema.json#/$defs/interface' },
  { references: [interfacesSchema] },
);

let bundled: ReadonlyMap<string, InterfaceJson> | undefined;

/** The bundled table by `model_type` (validated once). @throws `E_CONTRACT_INVALID` when the contract fails its schema. */
function bundledTable(): ReadonlyMap<string, InterfaceJson> {
  if (bundled === undefined) {
    const file = validateFile(interfacesJson, { source: 'contracts/model_interfaces.json', code: 'E_CONTRACT_INVALID' });
    bundled = new Map(Object.entries(file.interfaces).map(([name, entry]) => [entry.model_type ?? name, entry]));
  }
  return bundled;
}

/** The `model_type`s with a bundled model interface, sorted. */
export function listBundledInterfaces(): string[] {
  return [...bundledTable().keys()].sort();
}

/** Options of {@link resolveModelInterface}. */
export interface ResolveInterfaceOptions {
  /** `model_type` of the model (config.json, else genai_config.json `model.type`). */
  readonly modelType: string;
  /** A user interface (config `model_interface`); its keys override the bundled interface's. */
  readonly custom?: Readonly<Record<string, unknown>> | null;
}

/**
 * The model interface for a model type: the bundled one, a user's, or the bundled one with the
 * user's keys laid over it. Path values become lists of alternatives.
 *
 * @throws InvarlockError `E_INTERFACE_UNKNOWN` when no bundled interface serves `modelType` and
 *   none is supplied (the hint shows the config block to add); `E_INTERFACE_INVALID` when the user's
 *   interface fails the schema or names another model_type (`details.problems`).
 */
export function resolveModelInterface(options: ResolveInterfaceOptions): ModelInterface {
  const base = bundledTable().get(options.modelType);
  const custom = options.custom ?? null;
  if (custom === null) {
    if (base === undefined) throw unknownInterface(options.modelType);
    return normalizeInterface(base, `bundled:${options.modelType}`, options.modelType);
  }
  const user = validateInterface(custom, { source: 'model_interface (config)', code: 'E_INTERFACE_INVALID' });
  if (user.model_type !== undefined && user.model_type !== options.modelType) {
    throw new InvarlockError('E_INTERFACE_INVALID', `The configured model_interface is for model_type "${user.model_type}", but the model is "${options.modelType}"`, {
      details: { field: 'model_interface.model_type', expected: options.modelType, actual: user.model_type },
    });
  }
  if (base === undefined) return normalizeInterface(user, 'config', options.modelType);
  return normalizeInterface({ ...base, ...user }, `bundled:${options.modelType}+config`, options.modelType);
}

function normalizeInterface(entry: InterfaceJson, origin: string, modelType: string): ModelInterface {
  return {
    origin,
    provenance: origin.startsWith('bundled:') && !origin.endsWith('+config') ? 'bundled' : 'user',
    modelType: entry.model_type ?? modelType,
    weightLayout: entry.weight_layout ?? 'linear',
    embeddings: paths(entry.model_embeddings),
    positionEmbeddings: paths(entry.model_position_embeddings),
    layers: paths(entry.model_layers),
    selfAttn: paths(entry.layer_self_attn),
    crossAttn: paths(entry.layer_cross_attn),
    q: paths(entry.attn_q_proj),
    k: paths(entry.attn_k_proj),
    v: paths(entry.attn_v_proj),
    qkv: paths(entry.attn_qkv_proj),
    o: paths(entry.attn_o_proj),
    up: paths(entry.layer_intermediate_proj),
    gate: paths(entry.layer_gate_proj),
    gateUp: paths(entry.layer_gate_up_proj),
    down: paths(entry.layer_output_proj),
    router: paths(entry.layer_router),
    experts: paths(entry.layer_experts),
    expertGate: paths(entry.expert_gate_proj),
    expertUp: paths(entry.expert_intermediate_proj),
    expertDown: paths(entry.expert_output_proj),
    norms: [...(entry.norms ?? [])],
    finalNorm: paths(entry.final_norm),
    lmHead: paths(entry.lm_head),
    tiedEmbeddings: entry.tied_embeddings ?? null,
  };
}

/**
 * The interface of a model whose weights were placed by the graph's structure alone (keys
 * `embed_tokens`, `layers.{i}.q` …, see `inferWeights`): every path empty, nothing to match names
 * against.
 */
export function inferredInterface(modelType: string): ModelInterface {
  return {
    ...normalizeInterface({ model_embeddings: [], model_layers: [], layer_self_attn: [] }, 'inferred', modelType),
    provenance: 'inferred',
  };
}

/** True when a bundled interface serves `modelType`. */
export function hasBundledInterface(modelType: string): boolean {
  return bundledTable().has(modelType);
}

function paths(value: PathJson | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

function unknownInterface(modelType: string): InvarlockError {
  const example = JSON.stringify(
    {
      model_interface: {
        model_type: modelType,
        model_embeddings: 'model.embed_tokens',
        model_layers: 'model.layers',
        layer_self_attn: 'self_attn',
        attn_q_proj: 'q_proj',
        attn_k_proj: 'k_proj',
        attn_v_proj: 'v_proj',
        attn_o_proj: 'o_proj',
        layer_intermediate_proj: 'mlp.up_proj',
        layer_gate_proj: 'mlp.gate_proj',
        layer_output_proj: 'mlp.down_proj',
        lm_head: 'lm_head',
      },
    },
    null,
    2,
  );
  return new InvarlockError('E_INTERFACE_UNKNOWN', `No model interface for model_type "${modelType}"`, {
    details: { field: 'model_type', actual: modelType, expected: listBundledInterfaces().join(', ') },
    hint: `Add a model_interface to the config naming the PyTorch module paths of this architecture (keys as in contracts/model_interfaces.json), e.g.\n${example}`,
  });
}
