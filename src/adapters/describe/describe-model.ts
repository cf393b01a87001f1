import type { NodeRecord, TensorRecord } from '../../onnx/index.js';
import type { GraphRole, LoadedGraph, LoadedModel, ModelDescription, ModelQuantization, SharedTensor, WeightFormat, WeightRecord } from '../types.js';
import { findBiases } from '../weights/find-biases.js';
import { structureHash } from './structure-hash.js';

const FLOAT_FORMATS: ReadonlySet<WeightFormat> = new Set(['fp32', 'fp16', 'bf16', 'fp64']);

/**
 * Facts about a loaded model (no weight data is decoded): sizes from config.json (genai_config.json,
 * then the graph, when absent), tying from the data (see `detectTying`), the logical parameter
 * count, storage types, formats and the structure hash.
 *
 * `parameterCount` counts every weight at its dequantized shape, plus bias vectors (Gemm C, LayerNorm
 * B, vectors added to a matmul's output), each stored tensor once; the same module in the encoder
 * and decoder graphs once; an lm_head tied to the embedding once — also when config.json (or the
 * interface) declares the tie and a quantizer stored the two apart with equal shapes, so a model
 * and its quantized twins count alike. Scales, zero points, masks and rotary caches are not parameters.
 */
export function describeModel(model: LoadedModel): ModelDescription {
  const weights = model.weights;
  const config = model.config;
  const genai = model.genaiConfig?.decoder ?? null;
  const embed = weights.find((w) => w.role === 'embed_tokens' && w.graph === 'main');
  const head = weights.find((w) => w.role === 'lm_head' && w.graph === 'main');
  const past = model.graph.io.pastKeyValues;
  const nHeads = config?.numHeads ?? genai?.numHeads ?? null;
  const matrices = weights.filter((w) => w.role !== 'norm');
  const formats: Partial<Record<WeightFormat, number>> = {};
  const dtypes: Record<string, number> = {};
  for (const w of weights) dtypes[w.storedType] = (dtypes[w.storedType] ?? 0) + 1;
  for (const w of matrices) formats[w.format] = (formats[w.format] ?? 0) + 1;
  const mlp = new Set<number>();
  for (const w of weights) {
    if (w.role === 'up' || w.role === 'gate') mlp.add(w.rows);
    if (w.role === 'gate_up') mlp.add(w.rows / 2);
  }
  const isTied = head?.tiedWith !== undefined;
  return {
    adapter: model.adapter,
    modelType: model.modelType,
    nLayer: blockCount(weights),
    nHeads,
    nKvHeads: config?.numKvHeads ?? genai?.numKvHeads ?? (past.layout === 'none' ? null : past.heads) ?? nHeads,
    hiddenSize: config?.hiddenSize ?? genai?.hiddenSize ?? embed?.cols ?? null,
    mlpDims: [...mlp].sort((a, b) => a - b),
    vocabSize: embed?.rows ?? config?.vocabSize ?? model.genaiConfig?.vocabSize ?? null,
    tiedEmbeddings: isTied,
    parameterCount: parameterCount(model, isTied || declaredTie(model, embed, head)),
    dtypes,
    formats,
    quantization: summarizeQuantization(matrices.map((w) => w.format)),
    weights,
    structureHash: structureHash(weights),
    interface: { origin: model.modelInterface.origin, provenance: model.modelInterface.provenance, naming: model.naming, warnings: model.interfaceWarnings },
    sharedTensors: sharedTensors(weights),
  };
}

/** Initializers read by several weights, each with the keys of its readers. */
export function sharedTensors(weights: readonly WeightRecord[]): SharedTensor[] {
  const byTensor = new Map<string, { tensor: string; graph: GraphRole; keys: string[] }>();
  for (const w of weights) {
    const tensor = w.initializers[0] ?? '';
    const id = `${w.graph}:${tensor}`;
    const entry = byTensor.get(id) ?? { tensor, graph: w.graph, keys: [] };
    byTensor.set(id, entry);
    entry.keys.push(w.key);
  }
  return [...byTensor.values()].filter((e) => e.keys.length > 1);
}

/** Blocks per stack, the largest (T5: encoder and decoder blocks counted per stack). */
function blockCount(weights: readonly WeightRecord[]): number {
  const perStack = new Map<string, Set<number>>();
  for (const w of weights) {
    if (w.layer === null) continue;
    const stack = w.key.slice(0, w.key.indexOf(`.${w.layer}.`));
    const set = perStack.get(stack) ?? new Set<number>();
    perStack.set(stack, set);
    set.add(w.layer);
  }
  return Math.max(0, ...[...perStack.values()].map((s) => s.size));
}

function declaredTie(model: LoadedModel, embed: WeightRecord | undefined, head: WeightRecord | undefined): boolean {
  if (embed === undefined || head === undefined || embed.rows !== head.rows || embed.cols !== head.cols) return false;
  return (model.config?.tieWordEmbeddings ?? model.modelInterface.tiedEmbeddings) === true;
}

function parameterCount(model: LoadedModel, countHeadOnce: boolean): number {
  let total = 0;
  const seen = new Set<string>();
  for (const w of model.weights) {
    if (countHeadOnce && w.role === 'lm_head' && w.graph === 'main') continue;
    const logical = w.key.replace(/@encoder(?=#|$)/, '');
    const storage = `${w.graph}:${w.initializers[0] ?? ''}:${w.storedOrientation}`;
    if (seen.has(logical) || seen.has(storage)) continue;
    seen.add(logical);
    seen.add(storage);
    total += w.rows * w.cols;
  }
  const counted = new Set<string>();
  const graphs: [LoadedGraph<unknown>, GraphRole][] = [[model.graph, 'main']];
  if (model.encoder !== null) graphs.push([model.encoder, 'encoder']);
  for (const [graph, role] of graphs) {
    for (const bias of biasesOf(graph, role, model.weights)) {
      const isAnonymous = /^(onnx::|val_)/.test(bias.name);
      const id = isAnonymous ? `${graph.path}:${bias.name}` : bias.name;
      if (counted.has(id)) continue;
      counted.add(id);
      total += bias.elementCount;
    }
  }
  return total;
}

function biasesOf(graph: LoadedGraph<unknown>, role: GraphRole, weights: readonly WeightRecord[]): TensorRecord[] {
  const consumers = new Set<NodeRecord>();
  for (const w of weights) {
    if (w.graph !== role) continue;
    const node = graph.index.graphs[w.consumer.graphId]?.nodes[w.consumer.position];
    if (node !== undefined) consumers.add(node);
  }
  return findBiases(graph.index, consumers);
}

/**
 * The model's quantization: the one format all matrices share; a quantized format whose only
 * companions are float formats (int4 MatMulNBits with an fp32 embedding is `matmulnbits`); else `mixed`.
 */
export function summarizeQuantization(formats: readonly WeightFormat[]): ModelQuantization {
  const distinct = [...new Set(formats)];
  if (distinct.length === 0) return 'fp32';
  if (distinct.length === 1) return distinct[0]!;
  const quantized = distinct.filter((f) => !FLOAT_FORMATS.has(f));
  if (quantized.length === 1) return quantized[0]!;
  return 'mixed';
}
