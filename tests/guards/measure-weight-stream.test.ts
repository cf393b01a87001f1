/**
 * Streaming weight statistics (issue 12): one matrix at a time from the model file gives the same
 * bits as the in-memory path (the whole model decoded, then `measureWeights`), on float32, fp16,
 * int4 (MatMulNBits) and int8 (QDQ) exports, on worker threads and on the calling thread.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, readWeights, type LoadedModel } from '../../src/adapters/index.js';
import {
  computeMatrixStats,
  createKernelPool,
  evaluateInvariants,
  heldWeightStream,
  isMeasuredMatrix,
  measureWeights,
  measureWeightStream,
  modelWeightStream,
  type KernelPool,
  type MatrixStats,
} from '../../src/guards/index.js';
import { MODELS } from '../core/runner/runner-fixtures.js';

// the options certify uses (run-guards.ts): σ̂max in 4 steps, MP top-8 in 6 iterations
const STATS = { powerIters: 4, mpTopK: 8, mpIters: 6 };
const FIXTURES = ['gpt2-tiny', 'gpt2-tiny-fp16', 'gpt2-tiny-int4', 'gpt2-tiny-int8-qdq', 'llama-tiny-int8-qdq', 'llama-tiny-int4'] as const;

describe('measureWeightStream', () => {
  let workers: KernelPool;
  let inThread: KernelPool;
  const models = new Map<string, LoadedModel>();
  beforeAll(async () => {
    workers = await createKernelPool({ mode: 'worker', size: 2 });
    inThread = await createKernelPool({ mode: 'in-thread' });
    for (const name of FIXTURES) models.set(name, await loadModel(join(MODELS, name)));
  }, 60_000);
  afterAll(async () => {
    await workers.close();
    await inThread.close();
  });

  it.each(FIXTURES)('%s: statistics and summaries from the file equal the in-memory path bit for bit', async (name) => {
    const model = models.get(name)!;
    const held = readWeights(model);
    const expected = await measureWeights(held.filter(isMeasuredMatrix), { pool: inThread, stats: STATS });
    const streamed = await measureWeightStream(modelWeightStream(model), { pool: workers, stats: STATS });
    // toStrictEqual compares numbers with Object.is: −0 and NaN payload classes included
    expect(streamed.stats).toStrictEqual(expected);
    expect(streamed.summaries.map((s) => s.key)).toEqual(held.map((w) => w.key));
    // the invariants guard gives the same result on summaries as on the decoded weights
    const policy = { mode: 'standard' } as const;
    const onSummaries = evaluateInvariants({ baseline: { weights: streamed.summaries, tokenizerHash: 't' }, subject: { weights: held, tokenizerHash: 't' } }, policy);
    const onValues = evaluateInvariants({ baseline: { weights: held, tokenizerHash: 't' }, subject: { weights: held, tokenizerHash: 't' } }, policy);
    expect(onSummaries).toStrictEqual(onValues);
  }, 120_000);

  it('moves each matrix it reads to a worker instead of copying it', async () => {
    const model = models.get('gpt2-tiny')!;
    const stream = modelWeightStream(model);
    const reads: { readonly index: number; readonly data: Float32Array }[] = [];
    const spy = { ...stream, read: (index: number) => reads[reads.push({ index, data: stream.read(index) }) - 1]!.data };
    const before = workers.counters().workerTasks;
    const result = await measureWeightStream(spy, { pool: workers, stats: STATS });
    expect(reads).toHaveLength(stream.weights.length);
    const measuredReads = reads.filter((r) => isMeasuredMatrix(stream.weights[r.index]!));
    expect(workers.counters().workerTasks - before).toBe(measuredReads.length);
    expect(result.stats).toHaveLength(measuredReads.length);
    // every measured matrix was moved to its worker (detached here), the others were only scanned
    expect(measuredReads.every((r) => r.data.byteLength === 0)).toBe(true);
    expect(reads.filter((r) => !isMeasuredMatrix(stream.weights[r.index]!)).every((r) => r.data.byteLength > 0)).toBe(true);
  }, 60_000);

  it('reads and measures a tied pair on one storage once, reporting it under both keys', async () => {
    const held = readWeights(models.get('gpt2-tiny')!);
    const wte = held.find((w) => w.key === 'transformer.wte')!;
    // as a Gemm(transB = 1) export stores it: lm_head on wte's own initializer
    const tied = held.map((w) => (w.key === 'lm_head' ? { ...w, data: wte.data } : w));
    const stream = heldWeightStream(tied);
    let reads = 0;
    const before = workers.counters().workerTasks;
    const result = await measureWeightStream({ ...stream, read: (i) => (reads++, stream.read(i)) }, { pool: workers, stats: STATS });
    expect(reads).toBe(tied.length - 1);
    expect(workers.counters().workerTasks - before).toBe(tied.filter(isMeasuredMatrix).length - 1);
    const byKey = new Map(result.stats.map((s) => [s.key, s.stats]));
    expect(byKey.get('lm_head')).toStrictEqual(byKey.get('transformer.wte'));
    expect(result.stats).toStrictEqual(await measureWeights(tied.filter(isMeasuredMatrix), { pool: inThread, stats: STATS }));
  }, 60_000);

  it('takes the statistics of unchanged weights from `known` and never touches weights it is told about', async () => {
    const model = models.get('gpt2-tiny')!;
    const held = readWeights(model);
    const all = await measureWeightStream(heldWeightStream(held), { pool: workers, stats: STATS });
    const known = new Map<string, MatrixStats>(all.stats.filter((s) => s.role !== 'down').map((s) => [s.key, s.stats]));
    const before = workers.counters().workerTasks;
    const again = await measureWeightStream(heldWeightStream(held), { pool: workers, stats: STATS, known });
    expect(again).toStrictEqual(all);
    expect(workers.counters().workerTasks - before).toBe(held.filter((w) => isMeasuredMatrix(w) && w.role === 'down').length);
    // held arrays are the caller's: never detached
    expect(held.every((w) => w.data.length === w.rows * w.cols)).toBe(true);
    expect(all.stats[0]!.stats).toStrictEqual(computeMatrixStats(held.find(isMeasuredMatrix)!.data, all.stats[0]!.stats.rows, all.stats[0]!.stats.cols, STATS));
  }, 60_000);

  it('summaries only (no spectral or RMT guard): no kernel task runs', async () => {
    const before = workers.counters().workerTasks;
    const result = await measureWeightStream(modelWeightStream(models.get('llama-tiny-int4')!), { pool: workers, stats: STATS, withStats: false });
    expect(result.stats).toEqual([]);
    expect(result.summaries.length).toBe(models.get('llama-tiny-int4')!.weights.length);
    expect(workers.counters().workerTasks).toBe(before);
  });
});
