import { afterAll, describe, expect, it } from 'vitest';
import { computeActivationRmt, computeMatrixStats, createKernelPool, KERNEL_POOL_DEFAULTS, type KernelPool } from '../../../src/guards/index.js';
import { randomData } from '../weights-fixture.js';

const STATS = { powerIters: 4, mpTopK: 4, mpIters: 3 };
const shapes: [number, number][] = [
  [48, 16],
  [16, 64],
  [64, 16],
  [33, 17],
  [40, 40],
];
const matrices = shapes.map(([rows, cols], i) => ({ rows, cols, data: randomData(rows, cols, 100 + i) }));

describe('createKernelPool', () => {
  const pools: KernelPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('documents its defaults: auto mode, default worker entry', () => {
    expect(KERNEL_POOL_DEFAULTS).toEqual({ mode: 'auto', workerUrl: null, workerData: null });
  });

  it('runs tasks on worker threads with the same bits as the calling thread', async () => {
    const pool = await createKernelPool({ mode: 'worker', size: 2 });
    pools.push(pool);
    expect(pool.mode).toBe('worker');
    const results = await Promise.all(matrices.map((m) => pool.run({ kind: 'matrix-stats', ...m, options: STATS })));
    results.forEach((result, i) => {
      const m = matrices[i];
      if (m === undefined) throw new Error('fixture');
      expect(result).toStrictEqual(computeMatrixStats(m.data, m.rows, m.cols, STATS));
    });
    const activation = randomData(30, 12, 7, 1);
    const rmt = await pool.run({ kind: 'activation-rmt', data: activation, rows: 30, cols: 12, options: { iters: 3 } });
    expect(rmt).toStrictEqual(computeActivationRmt(activation, 30, 12, { iters: 3 }));
    expect(pool.counters()).toEqual({ workerTasks: matrices.length + 1, inThreadTasks: 0 });
  });

  it('never detaches the caller’s buffer, copies only the view, and shares a SharedArrayBuffer', async () => {
    const pool = await createKernelPool({ mode: 'worker', size: 1 });
    pools.push(pool);
    const big = randomData(10, 16, 3);
    const view = big.subarray(16, 16 * 5);
    const viaView = await pool.run({ kind: 'matrix-stats', data: view, rows: 4, cols: 16, options: STATS });
    expect(big.buffer.byteLength).toBe(10 * 16 * 4);
    expect(viaView).toStrictEqual(computeMatrixStats(view, 4, 16, STATS));
    const shared = new Float32Array(new SharedArrayBuffer(big.byteLength));
    shared.set(big);
    const viaShared = await pool.run({ kind: 'matrix-stats', data: shared, rows: 10, cols: 16, options: STATS });
    expect(viaShared).toStrictEqual(computeMatrixStats(big, 10, 16, STATS));
  });

  it('falls back to the calling thread with the same numbers when the worker entry cannot load (as in a single-file bundle)', async () => {
    const pool = await createKernelPool({ mode: 'auto', workerUrl: new URL('./missing-kernel-worker.js', import.meta.url) });
    pools.push(pool);
    expect(pool.mode).toBe('in-thread');
    expect(pool.fallbackReason).toMatch(/worker failed to load/);
    const m = matrices[0];
    if (m === undefined) throw new Error('fixture');
    expect(await pool.run({ kind: 'matrix-stats', ...m, options: STATS })).toStrictEqual(computeMatrixStats(m.data, m.rows, m.cols, STATS));
    expect(pool.counters()).toEqual({ workerTasks: 0, inThreadTasks: 1 });
  });

  it('refuses to fall back in worker mode: E_WORKER', async () => {
    await expect(createKernelPool({ mode: 'worker', workerUrl: new URL('./missing-kernel-worker.js', import.meta.url) })).rejects.toMatchObject({ code: 'E_WORKER' });
  });

  it('runs in-thread when asked, without starting a worker', async () => {
    const pool = await createKernelPool({ mode: 'in-thread' });
    pools.push(pool);
    expect([pool.mode, pool.size, pool.fallbackReason]).toEqual(['in-thread', 1, null]);
    const m = matrices[1];
    if (m === undefined) throw new Error('fixture');
    await pool.run({ kind: 'matrix-stats', ...m, options: STATS });
    expect(pool.counters().inThreadTasks).toBe(1);
  });

  it('rejects the task with E_WORKER when a worker dies mid-task, and refuses work once closed', async () => {
    const dying = `import { parentPort } from 'node:worker_threads'; parentPort.postMessage({ type: 'ready' }); parentPort.on('message', () => process.exit(3));`;
    const pool = await createKernelPool({ mode: 'worker', size: 1, workerUrl: new URL(`data:text/javascript,${encodeURIComponent(dying)}`) });
    const m = matrices[0];
    if (m === undefined) throw new Error('fixture');
    await expect(pool.run({ kind: 'matrix-stats', ...m, options: STATS })).rejects.toMatchObject({ code: 'E_WORKER' });
    await pool.close();
    await expect(pool.run({ kind: 'matrix-stats', ...m, options: STATS })).rejects.toMatchObject({ code: 'E_WORKER', details: { reason: 'closed' } });
  });
});
