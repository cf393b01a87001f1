import { readWeight, weightStorageKey, type LoadedModel } from '../adapters/index.js';
import type { WeightMatrix } from '../edits/index.js';
import { InvarlockError } from '../errors/index.js';
import { countNonFinite } from './invariants/invariants-guard.js';
import type { MatrixStats } from './linalg/matrix-stats.js';
import type { MeasureWeightsOptions } from './measure-weights.js';
import type { WeightDescriptor, WeightStats, WeightSummary } from './types.js';

/**
 * A model's weights to measure one at a time: their records, which of them share stored values,
 * and a decoder. The values of only a few weights exist at once (see {@link measureWeightStream}).
 */
export interface WeightStream {
  /** Every weight, in model order (norms and embeddings included). */
  readonly weights: readonly WeightDescriptor[];
  /** Equal keys: the same stored values (a tied pair on one initializer), decoded and measured once. */
  readonly storageOf: (index: number) => unknown;
  /** The float32 values of weight `index` in PyTorch orientation (decoded from the file, or held). */
  readonly read: (index: number) => Float32Array;
  /**
   * `read` returns a fresh array nobody else holds, so the stream may move it to a worker thread
   * (detaching it here) instead of copying it; false for arrays the caller keeps using.
   */
  readonly ownsReads: boolean;
}

/** What the weight guards keep of one model's weights: a summary of every weight and the statistics of every matrix. */
export interface WeightMeasurements {
  /** Every weight of the stream, in model order. */
  readonly summaries: readonly WeightSummary[];
  /** Statistics of the matrices ({@link isMeasuredMatrix}), in model order; empty when not asked for. */
  readonly stats: readonly WeightStats[];
}

/** Options of {@link measureWeightStream}. */
export interface MeasureWeightStreamOptions extends MeasureWeightsOptions {
  /** False: summaries only (the invariants guard alone runs). @default true */
  readonly withStats?: boolean;
  /**
   * Statistics already known by weight key, used instead of measuring: a subject's weights that an
   * edit left unchanged hold the baseline's values, so their statistics are the baseline's bit for bit.
   */
  readonly known?: ReadonlyMap<string, MatrixStats>;
}

/** The weights the spectral and RMT guards measure: matrices with at least two rows and two columns. */
export function isMeasuredMatrix(weight: Pick<WeightDescriptor, 'rows' | 'cols'>): boolean {
  return weight.rows > 1 && weight.cols > 1;
}

/**
 * Measures a model's weights one matrix at a time: each is read, scanned for NaN/±Inf, handed to the
 * kernel pool (moved, not copied, when the stream owns its reads) and dropped, with at most
 * `pool.size` matrices in the workers and one being read. Gives the same numbers as
 * `measureWeights` on the whole decoded list (same kernel, same inputs), while holding a few
 * matrices instead of the model. A tied pair is read and measured once.
 * @throws InvarlockError `E_WORKER` when a worker thread fails, and whatever `read` throws.
 */
export async function measureWeightStream(stream: WeightStream, options: MeasureWeightStreamOptions): Promise<WeightMeasurements> {
  const { pool } = options;
  const withStats = options.withStats ?? true;
  const known = options.known ?? new Map<string, MatrixStats>();
  const summaries: WeightSummary[] = [];
  const pending: { readonly descriptor: WeightDescriptor; readonly stats: Promise<MatrixStats> }[] = [];
  const byStorage = new Map<unknown, { readonly nonFinite: number; readonly first: number; readonly stats: Promise<MatrixStats> | null }>();
  const inFlight = new Set<Promise<unknown>>();
  const total = withStats ? stream.weights.filter(isMeasuredMatrix).length : 0;
  let done = 0;
  const limit = Math.max(1, pool.size);
  // storages some weight still needs statistics of (a tied pair is measured once, if either needs it)
  const toMeasure = new Set<unknown>();
  for (const [index, descriptor] of stream.weights.entries()) {
    if (withStats && isMeasuredMatrix(descriptor) && !known.has(descriptor.key)) toMeasure.add(stream.storageOf(index));
  }
  for (const [index, descriptor] of stream.weights.entries()) {
    const storage = stream.storageOf(index);
    let entry = byStorage.get(storage);
    const measured = withStats && isMeasuredMatrix(descriptor);
    const knownStats = known.get(descriptor.key);
    if (entry === undefined) {
      // the pool's queue would hold every matrix at once: wait for a free worker before reading the next
      while (inFlight.size >= limit) await Promise.race(inFlight);
      const data = stream.read(index);
      if (data.length !== descriptor.rows * descriptor.cols) {
        throw new InvarlockError('E_INTERNAL', `weight ${descriptor.key}: read ${data.length} values, described ${descriptor.rows}×${descriptor.cols}`, {
          details: { field: descriptor.key, expected: `${descriptor.rows}×${descriptor.cols}`, actual: String(data.length) },
        });
      }
      const { count, first } = countNonFinite(data);
      let stats: Promise<MatrixStats> | null = null;
      if (toMeasure.has(storage)) {
        const run = pool.run({ kind: 'matrix-stats', data, rows: descriptor.rows, cols: descriptor.cols, options: options.stats }, { transfer: stream.ownsReads });
        // marks it handled: a read that throws later must not leave an unhandled rejection behind
        const settled: Promise<void> = run.then(
          () => void inFlight.delete(settled),
          () => void inFlight.delete(settled),
        );
        inFlight.add(settled);
        stats = run;
      }
      entry = { nonFinite: count, first, stats };
      byStorage.set(storage, entry);
    }
    const { key } = descriptor;
    summaries.push({ ...descriptorOf(descriptor), nonFinite: entry.nonFinite, firstNonFinite: entry.first });
    if (!measured) continue;
    const source = knownStats === undefined ? entry.stats : Promise.resolve(knownStats);
    // unreachable: a storage whose weight has no known statistics is in toMeasure
    if (source === null) throw new InvarlockError('E_INTERNAL', `weight ${key} was not measured`, { details: { field: key } });
    pending.push({
      descriptor,
      stats: source.then((stats) => {
        done++;
        options.onProgress?.({ done, total, key });
        return stats;
      }),
    });
  }
  const stats = await Promise.all(
    pending.map(async ({ descriptor, stats: measuring }): Promise<WeightStats> => {
      const { key, module, role, family, layer } = descriptor;
      return { key, module, role, family, layer, stats: await measuring };
    }),
  );
  return { summaries, stats };
}

/**
 * A stream over a loaded model's weights, read from its file(s) one at a time in their stored
 * format (float32, fp16/bf16, int8/int4 dequantized by the onnx layer) and never held together.
 * @throws (when read) the adapters' and onnx layer's read errors.
 */
export function modelWeightStream(model: LoadedModel): WeightStream {
  const records = model.weights;
  return {
    weights: records.map(descriptorOf),
    storageOf: (index) => weightStorageKey(records[index]!),
    // each read decodes afresh into an array nobody else holds
    read: (index) => readWeight(model, records[index]!).data,
    ownsReads: true,
  };
}

/** A stream over weights already in memory (a subject's edited weights): nothing is read, nothing moved. */
export function heldWeightStream(weights: readonly WeightMatrix[]): WeightStream {
  return {
    weights: weights.map(descriptorOf),
    storageOf: (index) => weights[index]!.data,
    read: (index) => weights[index]!.data,
    ownsReads: false,
  };
}

function descriptorOf(weight: WeightDescriptor): WeightDescriptor {
  const { key, module, role, family, layer, rows, cols } = weight;
  return { key, module, role, family, layer, rows, cols, ...(weight.tiedWith === undefined ? {} : { tiedWith: weight.tiedWith }) };
}
