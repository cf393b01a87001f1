import type { WeightFamily, WeightMatrix, WeightRole } from '../../src/edits/index.js';

/** Seeded uniform [0, 1) generator (mulberry32) for reproducible test matrices. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded standard normal generator (Box–Muller over mulberry32). */
export function gaussian(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** A rows×cols matrix of N(0, std²) values. */
export function randomData(rows: number, cols: number, seed: number, std = 0.02): Float32Array {
  const next = gaussian(seed);
  return Float32Array.from({ length: rows * cols }, () => std * next());
}

const FAMILY: Record<WeightRole, WeightFamily> = {
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
};

/** A weight record with a conventional key/module. */
export function weight(options: { role: WeightRole; layer: number | null; rows: number; cols: number; seed: number; module?: string; tiedWith?: string; data?: Float32Array }): WeightMatrix {
  const module = options.module ?? (options.layer === null ? options.role : `h.${options.layer}.${options.role}`);
  return {
    key: `${module}.weight`,
    module,
    role: options.role,
    family: FAMILY[options.role],
    layer: options.layer,
    rows: options.rows,
    cols: options.cols,
    data: options.data ?? (options.role === 'norm' ? Float32Array.from({ length: options.rows * options.cols }, () => 1) : randomData(options.rows, options.cols, options.seed)),
    ...(options.tiedWith === undefined ? {} : { tiedWith: options.tiedWith }),
  };
}

/**
 * A small GPT-2-like model: tied wte/lm_head, wpe, and per layer ln, qkv, o, up, down.
 * Sizes are tiny so guards run in milliseconds.
 */
export function tinyModel(options: { layers?: number; hidden?: number; vocab?: number; seed?: number } = {}): WeightMatrix[] {
  const layers = options.layers ?? 2;
  const hidden = options.hidden ?? 16;
  const vocab = options.vocab ?? 40;
  const seed = options.seed ?? 1;
  const wte = weight({ role: 'embed_tokens', layer: null, rows: vocab, cols: hidden, seed: seed * 1000, module: 'wte', tiedWith: 'lm_head.weight' });
  const out: WeightMatrix[] = [wte, weight({ role: 'embed_positions', layer: null, rows: 32, cols: hidden, seed: seed * 1000 + 1, module: 'wpe' })];
  for (let l = 0; l < layers; l++) {
    const s = seed * 1000 + 10 * (l + 1);
    out.push(weight({ role: 'norm', layer: l, rows: 1, cols: hidden, seed: s, module: `h.${l}.ln_1` }));
    out.push(weight({ role: 'qkv', layer: l, rows: 3 * hidden, cols: hidden, seed: s + 1, module: `h.${l}.attn.c_attn` }));
    out.push(weight({ role: 'o', layer: l, rows: hidden, cols: hidden, seed: s + 2, module: `h.${l}.attn.c_proj` }));
    out.push(weight({ role: 'up', layer: l, rows: 4 * hidden, cols: hidden, seed: s + 3, module: `h.${l}.mlp.c_fc` }));
    out.push(weight({ role: 'down', layer: l, rows: hidden, cols: 4 * hidden, seed: s + 4, module: `h.${l}.mlp.c_proj` }));
  }
  out.push(weight({ role: 'norm', layer: null, rows: 1, cols: hidden, seed: seed * 1000 + 999, module: 'ln_f' }));
  out.push({ ...weight({ role: 'lm_head', layer: null, rows: vocab, cols: hidden, seed: 0, module: 'lm_head', data: wte.data }), tiedWith: 'wte.weight' });
  return out;
}
