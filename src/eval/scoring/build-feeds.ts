import type { Tensor } from 'onnxruntime-node';
import type { IdsElemType, IoTensor, ModelIo } from '../../adapters/index.js';
import { InvarlockError } from '../../errors/index.js';
import { scoredBranchOf, type ModelIndex, type ScoredBranch } from '../../onnx/index.js';
import type { Ort } from '../runtime/index.js';
import { SCORING_NAMES } from './loss-head.js';

/** One batch: `rows` sequences of equal length, row-major in `ids`. */
export interface FeedBatch {
  readonly rows: number;
  readonly seqLen: number;
  /** `rows × seqLen` input ids. */
  readonly ids: Uint32Array;
  /** `rows × seqLen` labels for the loss head, or null for heads that take none. */
  readonly labels: BigInt64Array | null;
  /**
   * A seq2seq decoder's encoder side: the encoder's output `[rows, sourceLen, hidden]` and the
   * source mask (`rows × sourceLen`, 0 at padding) fed as `encoder_attention_mask`.
   */
  readonly encoder?: { readonly hidden: Tensor; readonly mask: Float64Array; readonly sourceLen: number };
}

/**
 * Checks once that every graph input can be fed for full-sequence scoring (ONNX.md §3.3): ids, mask,
 * position ids, token types, empty past key/values, `use_cache_branch = false`. Throws
 * `E_ADAPTER_IO` naming inputs it cannot feed or past inputs whose head dims are unknown.
 */
export function assertFeedable(io: ModelIo, source: string, options: { readonly hasEncoder?: boolean } = {}): void {
  const problems: string[] = io.otherInputs.map((i) => `input '${i.name}' (${i.elemType}) has no known meaning`);
  if (io.encoderHiddenStates !== null && options.hasEncoder !== true) problems.push(`input '${io.encoderHiddenStates.name}' needs an encoder run (seq2seq scoring)`);
  if (io.encoderHiddenStates === null && options.hasEncoder === true) problems.push('a seq2seq decoder needs the input encoder_hidden_states');
  if (io.pastKeyValues.layout !== 'none') {
    for (const layer of io.pastKeyValues.layout === 'split' ? io.pastKeyValues.layers.flatMap((l) => [l.key, l.value]) : io.pastKeyValues.layers.map((l) => l.input)) {
      if (pastDims(layer, io.pastKeyValues.heads, io.pastKeyValues.headDim, 1) === null) problems.push(`past input '${layer.name}' has no numeric heads/head_dim`);
    }
  }
  if (problems.length > 0) {
    throw new InvarlockError('E_ADAPTER_IO', `cannot feed ${source} for scoring: ${problems[0]!}`, { details: { file: source, problems } });
  }
}

/** Dims of an empty past tensor (self or cross attention: the past length is 0 either way): batch → rows, past length → 0, heads and head_dim numeric. */
function pastDims(input: IoTensor<string>, heads: number | null, headDim: number | null, rows: number): number[] | null {
  const shape = input.shape;
  const fused = shape.length === 5;
  const offset = fused ? 1 : 0;
  if (shape.length !== 4 + offset) return null;
  const h = typeof shape[1 + offset] === 'number' ? (shape[1 + offset] as number) : heads;
  const d = typeof shape[3 + offset] === 'number' ? (shape[3 + offset] as number) : headDim;
  if (h === null || d === null) return null;
  return fused ? [2, rows, h, 0, d] : [rows, h, 0, d];
}

function idsTensor(ort: Ort, elemType: IdsElemType, values: ArrayLike<number>, dims: readonly number[]): Tensor {
  if (elemType === 'int32') return new ort.Tensor('int32', Int32Array.from(values), dims);
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
  return new ort.Tensor('int64', out, dims);
}

function filled(length: number, value: (i: number) => number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = value(i);
  return out;
}

/** What scoring feeds `use_cache_branch`: full sequences with empty pasts, never the cache branch. */
const USE_CACHE_BRANCH = false;

/**
 * The branch of a merged decoder's top-level `If(use_cache_branch)` that scoring runs (the feed
 * above decides it); null for graphs without one. The scorer inlines it and the activation taps
 * look for their values in it, so both follow this one decision.
 */
export function scoredCacheBranch(index: ModelIndex, io: ModelIo): ScoredBranch | null {
  return io.useCacheBranch === null ? null : scoredBranchOf(index, io.useCacheBranch.name, USE_CACHE_BRANCH);
}

/** The feeds of one batch for a scoring graph made by `planScoringSurgery`. */
export function buildFeeds(ort: Ort, io: ModelIo, batch: FeedBatch): Record<string, Tensor> {
  const { rows, seqLen } = batch;
  const dims = [rows, seqLen];
  const feeds: Record<string, Tensor> = {};
  feeds[io.inputIds.name] = idsTensor(ort, io.inputIds.elemType, batch.ids, dims);
  if (io.attentionMask !== null) feeds[io.attentionMask.name] = idsTensor(ort, io.attentionMask.elemType, filled(rows * seqLen, () => 1), dims);
  if (io.positionIds !== null) feeds[io.positionIds.name] = idsTensor(ort, io.positionIds.elemType, filled(rows * seqLen, (i) => i % seqLen), dims);
  if (io.tokenTypeIds !== null) feeds[io.tokenTypeIds.name] = idsTensor(ort, io.tokenTypeIds.elemType, new Float64Array(rows * seqLen), dims);
  if (io.useCacheBranch !== null) feeds[io.useCacheBranch.name] = new ort.Tensor('bool', new Uint8Array([USE_CACHE_BRANCH ? 1 : 0]), [1]);
  const past = io.pastKeyValues;
  if (past.layout !== 'none') {
    const inputs = past.layout === 'split' ? past.layers.flatMap((l) => [l.key, l.value]) : past.layers.map((l) => l.input);
    for (const input of inputs) {
      const pd = pastDims(input, past.heads, past.headDim, rows);
      if (pd === null) throw new InvarlockError('E_ADAPTER_IO', `past input '${input.name}' has no numeric head dims`, { details: { tensor: input.name } });
      feeds[input.name] = input.elemType === 'float16' ? new ort.Tensor('float16', new Uint16Array(0), pd) : new ort.Tensor('float32', new Float32Array(0), pd);
    }
  }
  if (batch.labels !== null) feeds[SCORING_NAMES.labels] = new ort.Tensor('int64', batch.labels, dims);
  if (batch.encoder !== undefined) {
    if (io.encoderHiddenStates === null) throw new InvarlockError('E_INTERNAL', 'an encoder output was given for a graph without encoder_hidden_states');
    feeds[io.encoderHiddenStates.name] = batch.encoder.hidden;
    if (io.encoderAttentionMask !== null) {
      feeds[io.encoderAttentionMask.name] = idsTensor(ort, io.encoderAttentionMask.elemType, batch.encoder.mask, [rows, batch.encoder.sourceLen]);
    }
  }
  return feeds;
}
