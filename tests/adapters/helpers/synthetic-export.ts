/**
 * Synthetic ONNX exports of an architecture, named as real exporters name them (ONNX.md §3.5):
 * TorchScript `onnx::MatMul_*` weights under module-scoped nodes, PyTorch-named (FQN) weights read by
 * `Gemm(transB=1)` (or by MatMul for Conv1D layouts), onnxruntime-genai builder names
 * (`model.layers.0.attn.q_proj.MatMul.weight`), MatMulNBits `_Q4` weights and QDQ int8 weights.
 * Graphs are structurally complete (every weight has its consumer) but not meant to run.
 */
import { buildModel, encodeTensorPayload, type NodeSpec, type TensorSpec, type ValueInfoSpec } from '../../../src/onnx/index.js';
import type { ModelInterface, WeightRole } from '../../../src/adapters/index.js';

export type SyntheticNaming = 'onnx-matmul' | 'fqn' | 'genai' | 'matmulnbits' | 'qdq-int8';

export interface SyntheticDims {
  readonly hidden: number;
  readonly ffn: number;
  readonly vocab: number;
  readonly positions: number;
  readonly layers: number;
}

export const SMALL_DIMS: SyntheticDims = { hidden: 32, ffn: 64, vocab: 48, positions: 16, layers: 2 };

/** What the resolver should report for one weight. */
export interface ExpectedWeight {
  readonly key: string;
  readonly role: WeightRole;
  readonly layer: number | null;
  readonly rows: number;
  readonly cols: number;
}

export interface SyntheticExport {
  readonly modelBytes: Uint8Array;
  readonly expected: readonly ExpectedWeight[];
}

export interface SyntheticOptions {
  readonly naming: SyntheticNaming;
  readonly dims?: SyntheticDims;
  /** Which stacks of `model_layers` to include (default all: T5/BART get encoder and decoder). */
  readonly stacks?: readonly string[];
  /** Extra graph inputs (e.g. seq2seq decoders take encoder_hidden_states). */
  readonly extraInputs?: readonly ValueInfoSpec[];
  /** The graph output's name and rank. @default logits, rank 3 */
  readonly output?: { readonly name: string; readonly rank: 2 | 3 };
  /** Leave these roles out of block 1 (to provoke coverage errors). */
  readonly dropInLayer1?: readonly WeightRole[];
  /** Include the lm_head (a seq2seq encoder graph has none). @default true */
  readonly withLmHead?: boolean;
}

/** A deterministic pseudo-random float in [-0.5, 0.5) (xorshift32), so weights are not all equal. */
export function seededValues(count: number, seed: number): Float32Array {
  let state = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state / 4294967296 - 0.5;
  }
  return out;
}

/** `model.layers.0.self_attn.q_proj` → `/model/layers.0/self_attn/q_proj` (TorchScript scope: list indices stay on their list). */
export function scopeOf(module: string): string {
  const parts: string[] = [];
  for (const part of module.split('.')) {
    if (/^\d+$/.test(part) && parts.length > 0) parts[parts.length - 1] = `${parts[parts.length - 1]}.${part}`;
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

interface Planned {
  readonly module: string;
  readonly key: string;
  readonly role: WeightRole;
  readonly layer: number | null;
  readonly rows: number;
  readonly cols: number;
  readonly kind: 'linear' | 'embedding' | 'norm';
}

/** Picks an alternative whose `layer.N` prefix is not taken by an attention container (T5: MLP under layer.1 in the encoder, layer.2 in the decoder). */
function pick(list: readonly string[], taken: readonly string[]): string | undefined {
  const prefix = (path: string): string => /^(layer\.\d+)\./.exec(path)?.[1] ?? '';
  return list.find((p) => prefix(p) === '' || !taken.some((t) => prefix(t) === prefix(p))) ?? list[0];
}

/** Experts per mixture-of-experts block in a synthetic export. */
export const SYNTHETIC_EXPERTS = 3;

/** The weights an export of `iface` has, with the keys the resolver must give them. */
export function planWeights(iface: ModelInterface, dims: SyntheticDims, stacks: readonly string[], withLmHead = true): Planned[] {
  const { hidden: h, ffn: f, vocab: v, positions: p } = dims;
  const out: Planned[] = [];
  const add = (module: string, role: WeightRole, layer: number | null, rows: number, cols: number, kind: Planned['kind'], key = module): void => {
    out.push({ module, key, role, layer, rows, cols, kind });
  };
  add(iface.embeddings[0]!, 'embed_tokens', null, v, h, 'embedding');
  // Encoder/decoder-specific globals (T5, BART) go with the stacks of the same side.
  const side = (path: string): boolean => stacks.some((s) => path.includes('encoder') === s.includes('encoder') || !/encoder|decoder/.test(path));
  for (const pos of iface.positionEmbeddings) if (side(pos)) add(pos, 'embed_positions', null, p, h, 'embedding');
  for (const stack of stacks) {
    const hasCross = iface.crossAttn.length > 0 && stack.includes('decoder');
    const containers = [iface.selfAttn[0]!, ...(hasCross ? [iface.crossAttn[0]!] : [])];
    for (let layer = 0; layer < dims.layers; layer++) {
      const base = `${stack}.${layer}`;
      for (const container of containers) {
        if (iface.qkv.length > 0 && iface.q.length === 0) add(`${base}.${container}.${iface.qkv[0]!}`, 'qkv', layer, 3 * h, h, 'linear');
        else {
          add(`${base}.${container}.${iface.q[0]!}`, 'q', layer, h, h, 'linear');
          add(`${base}.${container}.${iface.k[0]!}`, 'k', layer, h, h, 'linear');
          add(`${base}.${container}.${iface.v[0]!}`, 'v', layer, h, h, 'linear');
        }
        if (iface.o.length > 0) add(`${base}.${container}.${iface.o[0]!}`, 'o', layer, h, h, 'linear');
      }
      if (iface.gateUp.length > 0) add(`${base}.${iface.gateUp[0]!}`, 'gate_up', layer, 2 * f, h, 'linear');
      else {
        const up = pick(iface.up, containers);
        if (up !== undefined) add(`${base}.${up}`, 'up', layer, f, h, 'linear');
        const gate = pick(iface.gate, containers);
        if (gate !== undefined) add(`${base}.${gate}`, 'gate', layer, f, h, 'linear');
      }
      const down = pick(iface.down, containers);
      if (down !== undefined) add(`${base}.${down}`, 'down', layer, h, f, 'linear');
      // A mixture of experts: the router [n_experts, hidden] (and Qwen2-MoE's [1, hidden] shared-expert gate), then each expert's projections.
      iface.router.forEach((router, i) => add(`${base}.${router}`, 'router', layer, i === 0 ? SYNTHETIC_EXPERTS : 1, h, 'linear'));
      const experts = iface.experts[0];
      for (let e = 0; experts !== undefined && e < SYNTHETIC_EXPERTS; e++) {
        add(`${base}.${experts}.${e}.${iface.expertGate[0]!}`, 'expert_gate', layer, f, h, 'linear');
        add(`${base}.${experts}.${e}.${iface.expertUp[0]!}`, 'expert_up', layer, f, h, 'linear');
        add(`${base}.${experts}.${e}.${iface.expertDown[0]!}`, 'expert_down', layer, h, f, 'linear');
      }
      for (const norm of iface.norms) add(`${base}.${norm}`, 'norm', layer, 1, h, 'norm');
    }
  }
  for (const norm of iface.finalNorm) if (side(norm)) add(norm, 'norm', null, 1, h, 'norm');
  if (iface.lmHead.length > 0 && withLmHead) add(iface.lmHead[0]!, 'lm_head', null, v, h, 'linear');
  return out;
}

/**
 * Builds the export. The genai naming scopes `self_attn` as `attn` (the builder's spelling) while
 * the expected keys keep the interface's spelling.
 */
export function buildSyntheticExport(iface: ModelInterface, options: SyntheticOptions): SyntheticExport {
  const dims = options.dims ?? SMALL_DIMS;
  const stacks = options.stacks ?? iface.layers;
  const planned = planWeights(iface, dims, stacks, options.withLmHead ?? true).filter((w) => !(w.layer === 1 && options.dropInLayer1?.includes(w.role)));
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  let counter = 100;
  let seed = 1;
  const naming = options.naming;
  const spell = (module: string): string => (naming === 'genai' ? module.replace(/(^|\.)self_attn\./, '$1attn.') : module);

  for (const w of planned) {
    const scope = scopeOf(spell(w.module));
    const out = `${scope}/out_${counter}`;
    const values = seededValues(w.rows * w.cols, seed++);
    if (w.kind === 'embedding') {
      initializers.push({ name: `${w.module}.weight`, dataType: 'FLOAT', dims: [w.rows, w.cols], values });
      nodes.push({ opType: 'Gather', name: `${scope}/Gather`, inputs: [`${w.module}.weight`, 'input_ids'], outputs: [out] });
    } else if (w.kind === 'norm') {
      initializers.push({ name: `${w.module}.weight`, dataType: 'FLOAT', dims: [w.cols], values });
      initializers.push({ name: `${w.module}.bias`, dataType: 'FLOAT', dims: [w.cols], values: new Float32Array(w.cols) });
      nodes.push({ opType: 'LayerNormalization', name: `${scope}/LayerNormalization`, inputs: ['hidden', `${w.module}.weight`, `${w.module}.bias`], outputs: [out], attributes: [{ name: 'axis', kind: 'int', value: -1 }] });
    } else {
      addLinear(w, scope, out, values);
    }
    counter++;
  }

  function addLinear(w: Planned, scope: string, out: string, outIn: Float32Array): void {
    const inOut = transpose(outIn, w.rows, w.cols);
    switch (naming) {
      case 'onnx-matmul': {
        const name = `onnx::MatMul_${counter}`;
        initializers.push({ name, dataType: 'FLOAT', dims: [w.cols, w.rows], values: inOut });
        nodes.push({ opType: 'MatMul', name: `${scope}/MatMul`, inputs: ['hidden', name], outputs: [out] });
        return;
      }
      case 'fqn': {
        const name = `${w.module}.weight`;
        if (iface.weightLayout === 'conv1d') {
          initializers.push({ name, dataType: 'FLOAT', dims: [w.cols, w.rows], values: inOut });
          nodes.push({ opType: 'MatMul', name: `${scope}/MatMul`, inputs: ['hidden', name], outputs: [out] });
        } else {
          initializers.push({ name, dataType: 'FLOAT', dims: [w.rows, w.cols], values: outIn });
          nodes.push({ opType: 'Gemm', name: `${scope}/Gemm`, inputs: ['hidden', name], outputs: [out], attributes: [{ name: 'transB', kind: 'int', value: 1 }] });
        }
        return;
      }
      case 'genai': {
        const name = `${spell(w.module)}.MatMul.weight`;
        initializers.push({ name, dataType: 'FLOAT', dims: [w.cols, w.rows], values: inOut });
        nodes.push({ opType: 'MatMul', name: `${scope}/MatMul`, inputs: ['hidden', name], outputs: [out] });
        return;
      }
      case 'matmulnbits': {
        const base = `onnx::MatMul_${counter}`;
        const block = 16;
        const blocks = Math.ceil(w.cols / block);
        const packed = new Uint8Array(w.rows * blocks * (block / 2));
        for (let i = 0; i < packed.length; i++) packed[i] = (i * 37 + counter) & 0xff;
        initializers.push({ name: `${base}_Q4`, dataType: 'UINT8', dims: [w.rows, blocks, block / 2], values: packed });
        initializers.push({ name: `${base}_scales`, dataType: 'FLOAT', dims: [w.rows * blocks], values: new Float32Array(w.rows * blocks).fill(0.01) });
        nodes.push({
          opType: 'MatMulNBits',
          domain: 'com.microsoft',
          name: `${scope}/MatMul_Q4`,
          inputs: ['hidden', `${base}_Q4`, `${base}_scales`],
          outputs: [out],
          attributes: [
            { name: 'K', kind: 'int', value: w.cols },
            { name: 'N', kind: 'int', value: w.rows },
            { name: 'bits', kind: 'int', value: 4 },
            { name: 'block_size', kind: 'int', value: block },
          ],
        });
        return;
      }
      case 'qdq-int8': {
        const base = `onnx::MatMul_${counter}`;
        const quantized = Int8Array.from(inOut, (x) => Math.max(-127, Math.min(127, Math.round(x * 254))));
        initializers.push({ name: `${base}_quantized`, dataType: 'INT8', dims: [w.cols, w.rows], payload: encodeTensorPayload('INT8', quantized) });
        initializers.push({ name: `${base}_scale`, dataType: 'FLOAT', dims: [], values: new Float32Array([1 / 254]) });
        initializers.push({ name: `${base}_zero_point`, dataType: 'INT8', dims: [], values: new Int8Array([0]) });
        nodes.push({ opType: 'DequantizeLinear', name: `${base}_DequantizeLinear`, inputs: [`${base}_quantized`, `${base}_scale`, `${base}_zero_point`], outputs: [`${base}_dq`] });
        nodes.push({ opType: 'MatMul', name: `${scope}/MatMul`, inputs: ['hidden', `${base}_dq`], outputs: [out] });
        return;
      }
    }
  }

  const last = nodes[nodes.length - 1]!;
  const outputName = options.output?.name ?? 'logits';
  nodes.push({ opType: 'Identity', name: '/output/Identity', inputs: [last.outputs[0]!], outputs: [outputName] });
  nodes.unshift({ opType: 'Identity', name: '/hidden/Identity', inputs: ['input_embeds_stub'], outputs: ['hidden'] });
  initializers.push({ name: 'input_embeds_stub', dataType: 'FLOAT', dims: [1, 1, dims.hidden], values: new Float32Array(dims.hidden) });
  const built = buildModel({
    opsetImports: [
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: {
      name: 'synthetic',
      nodes,
      initializers,
      inputs: [{ name: 'input_ids', elemType: 'INT64', shape: ['batch_size', 'sequence_length'] }, ...(options.extraInputs ?? [])],
      outputs: [{ name: outputName, elemType: 'FLOAT', shape: (options.output?.rank ?? 3) === 3 ? ['batch_size', 'sequence_length', dims.vocab] : ['batch_size', 2] }],
    },
  });
  return {
    modelBytes: built.modelBytes,
    expected: planned.map(({ key, role, layer, rows, cols }) => ({ key, role, layer, rows, cols })),
  };
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}
