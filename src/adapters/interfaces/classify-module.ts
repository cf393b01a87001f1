import type { ModelInterface, ThresholdFamily, WeightFamily, WeightRole } from '../types.js';

/** What a module path is, by the model interface. */
export interface ModuleClass {
  /** The module path as the interface spells it (exporter aliases undone): the pairing key. */
  readonly key: string;
  readonly role: WeightRole;
  readonly family: WeightFamily;
  readonly layer: number | null;
}

/**
 * Family of each role (ALGORITHMS.md §5: lm_head and norms are `other`); a cross-attention
 * module's is `cross_attn` whatever its role. A MoE router is `other`
 * too: it is a small `[n_experts, hidden]` scoring matrix, not an FFN, and quantizers keep it in
 * full precision (an `experts` or `ffn` scope must not round it).
 */
export const ROLE_FAMILY = {
  embed_tokens: 'embed',
  embed_positions: 'embed',
  q: 'attn',
  k: 'attn',
  v: 'attn',
  o: 'attn',
  qkv: 'attn',
  up: 'ffn',
  gate: 'ffn',
  gate_up: 'ffn',
  down: 'ffn',
  router: 'other',
  expert_gate: 'experts',
  expert_up: 'experts',
  expert_down: 'experts',
  lm_head: 'other',
  norm: 'other',
  other: 'other',
} as const satisfies Record<WeightRole, WeightFamily>;

/**
 * The family whose tier thresholds (spectral κ, RMT ε) a family is held to. Routed experts are
 * FFNs (each one a SwiGLU/GELU MLP of its own), so they take `ffn`'s; the tiers need no new key
 * and a certificate's recorded policy stays the one `verify` accepts.
 */
export const THRESHOLD_FAMILY = {
  attn: 'attn',
  cross_attn: 'attn',
  ffn: 'ffn',
  experts: 'ffn',
  embed: 'embed',
  other: 'other',
} as const satisfies Record<WeightFamily, ThresholdFamily>;

/** Every weight family, in report order. */
export const WEIGHT_FAMILIES: readonly WeightFamily[] = ['attn', 'cross_attn', 'ffn', 'experts', 'embed', 'other'];

// Module names some exporters use in place of the PyTorch ones: onnxruntime-genai's model builder
// scopes attention as `attn` (`/model/layers.0/attn/q_proj/MatMul`) whatever the HF module is called.
const ATTN_ALIASES: Readonly<Record<string, readonly string[]>> = { self_attn: ['attn'] };
// …and puts the final norm in a pseudo-layer after the last block: `/model/layers.{N}/final_norm_layernorm/…`.
const GENAI_FINAL_NORM = 'final_norm_layernorm';

/**
 * Classifies module paths against one interface. Layer-relative interface paths are joined to each
 * `model_layers` entry and a block index; `attn_*` paths to `layer_self_attn` (and
 * `layer_cross_attn`). An exact match is required: `attention.output.dense` (BERT's attention
 * output) and `output.dense` (its MLP output) are different modules.
 */
export class ModuleClassifier {
  private readonly global = new Map<string, ModuleClass>();
  private readonly relative = new Map<string, { readonly key: string; readonly role: WeightRole; readonly family: WeightFamily }>();
  /** Expert-relative projection names (`w1`, `gate_proj`) → role; joined to `<experts container>.<e>.`. */
  private readonly expertLeaves = new Map<string, WeightRole>();
  /** Leading module paths an exporter may leave out (`transformer.` of `transformer.h`), shortest first. */
  private readonly roots: readonly string[];

  constructor(private readonly iface: ModelInterface) {
    const addGlobal = (list: readonly string[], role: WeightRole): void => {
      for (const path of list) if (!this.global.has(path)) this.global.set(path, { key: path, role, family: ROLE_FAMILY[role], layer: null });
    };
    addGlobal(iface.embeddings, 'embed_tokens');
    // An encoder–decoder's stacks read the shared token embedding as their own `embed_tokens`
    // (T5 `encoder.embed_tokens`, BART `model.encoder.embed_tokens`): the same weight, keyed as the embedding.
    const shared = iface.embeddings[0];
    if (shared !== undefined) {
      for (const stack of iface.layers) {
        const parent = stack.split('.').slice(0, -1).join('.');
        if (parent.length > 0 && /(^|\.)(encoder|decoder)$/.test(parent)) {
          const path = `${parent}.embed_tokens`;
          if (!this.global.has(path)) this.global.set(path, { key: shared, role: 'embed_tokens', family: 'embed', layer: null });
        }
      }
    }
    addGlobal(iface.positionEmbeddings, 'embed_positions');
    addGlobal(iface.lmHead, 'lm_head');
    addGlobal(iface.finalNorm, 'norm');

    const addRelative = (path: string, key: string, role: WeightRole, family: WeightFamily = ROLE_FAMILY[role]): void => {
      if (!this.relative.has(path)) this.relative.set(path, { key, role, family });
    };
    const attnRoles: readonly [readonly string[], WeightRole][] = [
      [iface.q, 'q'],
      [iface.k, 'k'],
      [iface.v, 'v'],
      [iface.qkv, 'qkv'],
      [iface.o, 'o'],
    ];
    // cross-attention keeps the q/k/v/o roles (edits and LoRA targets name them alike) in a family of its own
    const attentions = [...iface.selfAttn.map((attn) => [attn, 'attn'] as const), ...iface.crossAttn.map((attn) => [attn, 'cross_attn'] as const)];
    for (const [attn, family] of attentions) {
      const spellings = [attn, ...(ATTN_ALIASES[attn] ?? [])];
      for (const [list, role] of attnRoles) {
        for (const leaf of list) for (const spelling of spellings) addRelative(`${spelling}.${leaf}`, `${attn}.${leaf}`, role, family);
      }
    }
    const mlpRoles: readonly [readonly string[], WeightRole][] = [
      [iface.up, 'up'],
      [iface.gate, 'gate'],
      [iface.gateUp, 'gate_up'],
      [iface.down, 'down'],
    ];
    for (const [list, role] of mlpRoles) for (const path of list) addRelative(path, path, role);
    for (const path of iface.router) addRelative(path, path, 'router');
    const expertRoles: readonly [readonly string[], WeightRole][] = [
      [iface.expertGate, 'expert_gate'],
      [iface.expertUp, 'expert_up'],
      [iface.expertDown, 'expert_down'],
    ];
    for (const [list, role] of expertRoles) for (const leaf of list) this.expertLeaves.set(leaf, role);
    for (const norm of iface.norms) addRelative(norm, norm, 'norm');
    const roots = new Set<string>();
    for (const path of [...iface.layers, ...iface.embeddings, ...iface.positionEmbeddings, ...iface.finalNorm, ...iface.lmHead]) {
      const parts = path.split('.');
      for (let n = 1; n < parts.length; n++) roots.add(`${parts.slice(0, n).join('.')}.`);
    }
    this.roots = [...roots].sort((a, b) => a.length - b.length || a.localeCompare(b));
  }

  /**
   * Like {@link classify}, also for a path missing its leading modules: TorchScript leaves the root
   * scope out when a model's forward calls submodules directly (`/h.0/attn/c_attn/Gemm` for
   * `transformer.h.0.attn.c_attn`), and quantizers then name weights after those nodes.
   */
  classifyLoose(path: string): ModuleClass | null {
    const exact = this.classify(path);
    if (exact !== null) return exact;
    for (const root of this.roots) {
      if (path.startsWith(root)) continue;
      const found = this.classify(`${root}${path}`);
      if (found !== null) return found;
    }
    return null;
  }

  /** The class of `path`, or null when the interface does not map it. */
  classify(path: string): ModuleClass | null {
    const exact = this.global.get(path);
    if (exact !== undefined) return exact;
    for (const stack of this.iface.layers) {
      if (!path.startsWith(`${stack}.`)) continue;
      const rest = path.slice(stack.length + 1);
      const dot = rest.indexOf('.');
      if (dot <= 0) continue;
      const indexText = rest.slice(0, dot);
      if (!/^\d+$/.test(indexText)) continue;
      const layer = Number(indexText);
      const leaf = rest.slice(dot + 1);
      const hit = this.relative.get(leaf);
      if (hit !== undefined) return { key: `${stack}.${layer}.${hit.key}`, role: hit.role, family: hit.family, layer };
      const expert = this.expertOf(leaf);
      if (expert !== null) return { key: `${stack}.${layer}.${leaf}`, role: expert, family: ROLE_FAMILY[expert], layer };
      const finalNorm = this.iface.finalNorm[0];
      if (leaf === GENAI_FINAL_NORM && finalNorm !== undefined) return { key: finalNorm, role: 'norm', family: 'other', layer: null };
    }
    return null;
  }

  /** The role of a block-relative path `<experts container>.<e>.<projection>`, else null. */
  private expertOf(leaf: string): WeightRole | null {
    for (const container of this.iface.experts) {
      if (!leaf.startsWith(`${container}.`)) continue;
      const match = /^(\d+)\.(.+)$/.exec(leaf.slice(container.length + 1));
      const role = match === null ? undefined : this.expertLeaves.get(match[2]!);
      if (role !== undefined) return role;
    }
    return null;
  }

  /** The block index of a path under one of the `model_layers` stacks (mapped or not), else null. */
  layerOf(path: string): number | null {
    const stack = this.stackOf(path);
    if (stack === null) return null;
    const index = /^(\d+)\./.exec(path.slice(stack.length + 1));
    return index === null ? null : Number(index[1]);
  }

  /** The `model_layers` entry a path lies under (`model.layers.3.mlp` → `model.layers`), else null. */
  stackOf(path: string): string | null {
    for (const stack of this.iface.layers) if (new RegExp(`^${escapeRegex(stack)}\\.\\d+\\.`).test(path)) return stack;
    return null;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
