/**
 * Synthetic GPT-2-shaped causal language models with seeded random weights, built with the
 * project's own ModelProto builder. The graph is real and runnable in onnxruntime: token + position
 * embeddings (Gather), per layer LayerNormalization → fused qkv MatMul (`Conv1D` naming,
 * `transformer.h.N.attn.c_attn.weight` [in, out]) → heads → causal + padding masked softmax
 * attention → c_proj → residual → LayerNormalization → c_fc → GELU (erf) → c_proj → residual;
 * final LayerNormalization; tied lm_head as `Gemm(hidden, wte, transB = 1)`.
 * Inputs `input_ids`, `attention_mask` int64 [batch_size, sequence_length]; output `logits`
 * float [batch_size, sequence_length, vocab]. GPT-2 small: 12 layers, d 768, 12 heads, vocab 50257
 * (124,439,808 parameters, ~498 MB fp32).
 *
 * `--fp16` writes what an fp16 export (`optimum … --dtype fp16`) holds: every weight and constant,
 * every activation and the logits in float16; only the int64 inputs and the index arithmetic stay
 * integer. The mask value is −65,504 (float16's lowest), where float32 graphs use −1e9.
 *
 * CLI: `npx tsx bench/generate-model.ts --out DIR [--layers 12] [--d-model 768] [--heads 12]
 * [--vocab 50257] [--positions 1024] [--seed 0] [--external] [--fp16]`. The directory also gets a
 * GPT-2 config.json and the gpt2-tiny fixture's tokenizer, so `invarlock certify` can open it.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModelChunks, numberToFloat16, writeModelFiles, type BuiltModelChunks, type ModelSpec, type NodeSpec, type TensorSpec } from '../src/onnx/index.js';

const TINY_FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'fixtures', 'models', 'gpt2-tiny');

/** Size and storage of a generated model. */
export interface Gpt2Options {
  readonly nLayer: number;
  readonly dModel: number;
  readonly nHead: number;
  readonly vocabSize: number;
  /** @default 1024 */
  readonly nPositions?: number;
  /** @default 0 */
  readonly seed?: number;
  /** `external` puts every weight of at least 1 KiB in `model.onnx_data`. @default 'inline' */
  readonly placement?: 'inline' | 'external';
  /** Storage and compute type of the weights, activations and logits. @default 'float32' */
  readonly dtype?: 'float32' | 'float16';
}

/** GPT-2 small. */
export const GPT2_SMALL: Gpt2Options = { nLayer: 12, dModel: 768, nHead: 12, vocabSize: 50257, nPositions: 1024 };

/** Parameter count of the generated model (tied lm_head counted once). */
export function gpt2ParameterCount(options: Gpt2Options): number {
  const d = options.dModel;
  const perLayer = 2 * 2 * d + d * 3 * d + 3 * d + d * d + d + d * 4 * d + 4 * d + 4 * d * d + d;
  return options.vocabSize * d + (options.nPositions ?? 1024) * d + options.nLayer * perLayer + 2 * d;
}

/** mulberry32: a small, fast, seeded 32-bit PRNG (uniform in [0, 1)). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ModelSpec of a synthetic GPT-2 (weights allocated here, referenced by the spec). */
export function buildGpt2Spec(options: Gpt2Options): ModelSpec {
  const { nLayer, dModel: d, nHead: H, vocabSize: V } = options;
  if (d % H !== 0) throw new Error(`d_model ${d} is not a multiple of n_head ${H}`);
  const P = options.nPositions ?? 1024;
  const random = mulberry32(options.seed ?? 0);
  const placement = options.placement ?? 'inline';
  const half16 = options.dtype === 'float16';
  const floatType = half16 ? 'FLOAT16' : 'FLOAT';
  const initializers: TensorSpec[] = [];
  const nodes: NodeSpec[] = [];
  const weight = (name: string, dims: number[], fill: 'random' | 'ones' | 'zeros'): string => {
    const count = dims.reduce((a, b) => a * b, 1);
    // float16 bit patterns are written directly: no float32 copy of a large model is ever held
    const values = half16 ? new Uint16Array(count) : new Float32Array(count);
    const store = half16 ? (v: number) => numberToFloat16(v) : (v: number) => v;
    // Uniform with standard deviation 0.02, GPT-2's init scale.
    if (fill === 'random') for (let i = 0; i < count; i++) values[i] = store((random() * 2 - 1) * 0.0346410161513775);
    else if (fill === 'ones') values.fill(store(1));
    initializers.push({ name, dataType: floatType, dims, values, placement: placement === 'external' && values.byteLength >= 1024 ? 'external' : 'inline' });
    return name;
  };
  const constant = (name: string, dataType: 'INT64' | 'FLOAT', dims: number[], values: number[]): string => {
    initializers.push({ name, dataType: dataType === 'FLOAT' ? floatType : dataType, dims, values });
    return name;
  };
  const op = (name: string, opType: string, inputs: string[], attributes: NodeSpec['attributes'] = [], outputs = 1): string[] => {
    const names = Array.from({ length: outputs }, (_, i) => `${name}_output_${i}`);
    nodes.push({ name, opType, inputs, outputs: names, attributes });
    return names;
  };
  const one = (name: string, opType: string, inputs: string[], attributes: NodeSpec['attributes'] = []): string => op(name, opType, inputs, attributes)[0]!;
  const ints = (name: string, values: number[]) => ({ name, kind: 'ints' as const, values });
  const int = (name: string, value: number) => ({ name, kind: 'int' as const, value });

  const wte = weight('transformer.wte.weight', [V, d], 'random');
  const wpe = weight('transformer.wpe.weight', [P, d], 'random');
  const oneI = constant('const.one_i64', 'INT64', [], [1]);
  const zeroI = constant('const.zero_i64', 'INT64', [], [0]);
  const axis0 = constant('const.axes_0', 'INT64', [1], [0]);
  const axes12 = constant('const.axes_1_2', 'INT64', [2], [1, 2]);
  const oneF = constant('const.one_f32', 'FLOAT', [], [1]);
  const negBig = constant('const.mask_value', 'FLOAT', [], [half16 ? -65504 : -1e9]);
  const scale = constant('const.attn_scale', 'FLOAT', [], [1 / Math.sqrt(d / H)]);
  const sqrt2 = constant('const.sqrt2', 'FLOAT', [], [Math.SQRT2]);
  const half = constant('const.half', 'FLOAT', [], [0.5]);
  const split = constant('const.qkv_split', 'INT64', [3], [d, d, d]);
  const headShape = constant('const.head_shape', 'INT64', [4], [0, 0, H, d / H]);
  const mergeShape = constant('const.merge_shape', 'INT64', [3], [0, 0, d]);
  const flatShape = constant('const.flat_shape', 'INT64', [2], [-1, d]);
  const vocabDim = constant('const.vocab_dim', 'INT64', [1], [V]);

  const idsShape = one('/transformer/Shape', 'Shape', ['input_ids']);
  const T = one('/transformer/Gather', 'Gather', [idsShape, oneI], [int('axis', 0)]);
  const positions = one('/transformer/Range', 'Range', [zeroI, T, oneI]);
  const tokens = one('/transformer/wte/Gather', 'Gather', [wte, 'input_ids']);
  const pos = one('/transformer/wpe/Gather', 'Gather', [wpe, positions]);
  let h = one('/transformer/Add', 'Add', [tokens, pos]);
  const T1 = one('/transformer/Unsqueeze', 'Unsqueeze', [T, axis0]);
  const TT = one('/transformer/Concat', 'Concat', [T1, T1], [int('axis', 0)]);
  const ones = one('/transformer/ConstantOfShape', 'ConstantOfShape', [TT], [{ name: 'value', kind: 'tensor', tensor: { name: 'value', dataType: floatType, dims: [1], values: [1] } }]);
  const tril = one('/transformer/Trilu', 'Trilu', [ones], [int('upper', 0)]);
  const causal = one('/transformer/Mul', 'Mul', [one('/transformer/Sub', 'Sub', [oneF, tril]), negBig]);
  const maskF = one('/transformer/Cast', 'Cast', ['attention_mask'], [int('to', half16 ? 10 : 1)]);
  const pad = one('/transformer/Mul_1', 'Mul', [one('/transformer/Sub_1', 'Sub', [oneF, maskF]), negBig]);
  const bias = one('/transformer/Add_1', 'Add', [one('/transformer/Unsqueeze_1', 'Unsqueeze', [pad, axes12]), causal]);

  const layerNorm = (scope: string, prefix: string, x: string): string =>
    one(`${scope}/LayerNormalization`, 'LayerNormalization', [x, weight(`${prefix}.weight`, [d], 'ones'), weight(`${prefix}.bias`, [d], 'zeros')], [
      int('axis', -1),
      { name: 'epsilon', kind: 'float', value: 1e-5 },
    ]);
  const conv1d = (scope: string, prefix: string, x: string, inDim: number, outDim: number): string =>
    one(`${scope}/Add`, 'Add', [one(`${scope}/MatMul`, 'MatMul', [x, weight(`${prefix}.weight`, [inDim, outDim], 'random')]), weight(`${prefix}.bias`, [outDim], 'zeros')]);

  for (let i = 0; i < nLayer; i++) {
    const s = `/transformer/h.${i}`;
    const p = `transformer.h.${i}`;
    const a = layerNorm(`${s}/ln_1`, `${p}.ln_1`, h);
    const qkv = conv1d(`${s}/attn/c_attn`, `${p}.attn.c_attn`, a, d, 3 * d);
    const [q, k, v] = op(`${s}/attn/Split`, 'Split', [qkv, split], [int('axis', 2)], 3) as [string, string, string];
    const heads = (x: string, name: string, perm: number[]): string =>
      one(`${s}/attn/Transpose_${name}`, 'Transpose', [one(`${s}/attn/Reshape_${name}`, 'Reshape', [x, headShape])], [ints('perm', perm)]);
    const scores = one(`${s}/attn/Mul`, 'Mul', [one(`${s}/attn/MatMul`, 'MatMul', [heads(q, 'q', [0, 2, 1, 3]), heads(k, 'k', [0, 2, 3, 1])]), scale]);
    const probs = one(`${s}/attn/Softmax`, 'Softmax', [one(`${s}/attn/Add`, 'Add', [scores, bias])], [int('axis', -1)]);
    const context = one(`${s}/attn/MatMul_1`, 'MatMul', [probs, heads(v, 'v', [0, 2, 1, 3])]);
    const merged = one(`${s}/attn/Reshape`, 'Reshape', [one(`${s}/attn/Transpose`, 'Transpose', [context], [ints('perm', [0, 2, 1, 3])]), mergeShape]);
    h = one(`${s}/Add`, 'Add', [h, conv1d(`${s}/attn/c_proj`, `${p}.attn.c_proj`, merged, d, d)]);
    const b = layerNorm(`${s}/ln_2`, `${p}.ln_2`, h);
    const fc = conv1d(`${s}/mlp/c_fc`, `${p}.mlp.c_fc`, b, d, 4 * d);
    const erf = one(`${s}/mlp/act/Erf`, 'Erf', [one(`${s}/mlp/act/Div`, 'Div', [fc, sqrt2])]);
    const gelu = one(`${s}/mlp/act/Mul_1`, 'Mul', [one(`${s}/mlp/act/Mul`, 'Mul', [fc, one(`${s}/mlp/act/Add`, 'Add', [erf, oneF])]), half]);
    h = one(`${s}/Add_1`, 'Add', [h, conv1d(`${s}/mlp/c_proj`, `${p}.mlp.c_proj`, gelu, 4 * d, d)]);
  }
  const final = layerNorm('/transformer/ln_f', 'transformer.ln_f', h);
  const flat = one('/lm_head/Reshape', 'Reshape', [final, flatShape]);
  const logits2d = one('/lm_head/Gemm', 'Gemm', [flat, wte], [int('transB', 1)]);
  const outShape = one('/lm_head/Concat', 'Concat', [idsShape, vocabDim], [int('axis', 0)]);
  nodes.push({ name: '/lm_head/Reshape_1', opType: 'Reshape', inputs: [logits2d, outShape], outputs: ['logits'] });

  return {
    irVersion: 8,
    producerName: 'invarlock-bench',
    opsetImports: [{ domain: '', version: 17 }],
    graph: {
      name: 'gpt2-synthetic',
      nodes,
      initializers,
      inputs: [
        { name: 'input_ids', elemType: 'INT64', shape: ['batch_size', 'sequence_length'] },
        { name: 'attention_mask', elemType: 'INT64', shape: ['batch_size', 'sequence_length'] },
      ],
      outputs: [{ name: 'logits', elemType: floatType, shape: ['batch_size', 'sequence_length', V] }],
    },
  };
}

/** Builds a synthetic GPT-2 as chunk lists (no joined copy; write it with `writeModelFiles`). */
export function generateGpt2Model(options: Gpt2Options): BuiltModelChunks {
  return buildModelChunks(buildGpt2Spec(options));
}

/**
 * Writes what `loadModel` needs beside a generated model: a GPT-2 config.json for its shape and the
 * gpt2-tiny fixture's tokenizer (1,024 ids, all inside the 50,257-row embedding; scoring time and
 * memory do not depend on which ids are fed).
 */
export function writeCompanionFiles(dir: string, options: Gpt2Options, name: string): void {
  const base = JSON.parse(readFileSync(path.join(TINY_FIXTURE, 'config.json'), 'utf8')) as Record<string, unknown>;
  const positions = options.nPositions ?? 1024;
  const config = {
    ...base,
    _name_or_path: `invarlock-bench/${name}`,
    n_ctx: positions,
    n_embd: options.dModel,
    n_head: options.nHead,
    n_inner: 4 * options.dModel,
    n_layer: options.nLayer,
    n_positions: positions,
    vocab_size: options.vocabSize,
    hidden_size: options.dModel,
    num_hidden_layers: options.nLayer,
    num_attention_heads: options.nHead,
    num_key_value_heads: options.nHead,
    intermediate_size: 4 * options.dModel,
    max_position_embeddings: positions,
    head_dim: options.dModel / options.nHead,
    ...(options.dtype === 'float16' ? { torch_dtype: 'float16' } : {}),
  };
  writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(path.join(TINY_FIXTURE, file), path.join(dir, file));
}

function parseCli(argv: readonly string[]): { out: string; options: Gpt2Options } {
  const value = (flag: string, fallback: number): number => {
    const at = argv.indexOf(flag);
    return at < 0 ? fallback : Number(argv[at + 1]);
  };
  const outAt = argv.indexOf('--out');
  if (outAt < 0 || argv[outAt + 1] === undefined) throw new Error('usage: generate-model.ts --out DIR [--layers N] [--d-model D] [--heads H] [--vocab V] [--positions P] [--seed S] [--external] [--fp16]');
  return {
    out: argv[outAt + 1]!,
    options: {
      nLayer: value('--layers', GPT2_SMALL.nLayer),
      dModel: value('--d-model', GPT2_SMALL.dModel),
      nHead: value('--heads', GPT2_SMALL.nHead),
      vocabSize: value('--vocab', GPT2_SMALL.vocabSize),
      nPositions: value('--positions', 1024),
      seed: value('--seed', 0),
      placement: argv.includes('--external') ? 'external' : 'inline',
      dtype: argv.includes('--fp16') ? 'float16' : 'float32',
    },
  };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { out, options } = parseCli(process.argv.slice(2));
  const started = performance.now();
  const file = writeModelFiles(generateGpt2Model(options), { directory: out });
  writeCompanionFiles(out, options, path.basename(out));
  console.log(`wrote ${file}: ${gpt2ParameterCount(options).toLocaleString('en-US')} parameters in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
