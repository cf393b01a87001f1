import { afterAll, describe, expect, it } from 'vitest';
import { computeMatrixStats, createKernelPool, measureWeights, type KernelPool } from '../../src/guards/index.js';
import { tinyModel } from './weights-fixture.js';

const STATS = { powerIters: 4, mpTopK: 4, mpIters: 4 };

describe('measureWeights', () => {
  let pool: KernelPool | undefined;
  afterAll(async () => {
    await pool?.close();
  });

  it('measures every matrix on the pool, in input order, with identity fields for pairing', async () => {
    pool = await createKernelPool({ mode: 'auto', size: 2 });
    const model = tinyModel();
    const progress: number[] = [];
    const stats = await measureWeights(model, { pool, stats: STATS, onProgress: ({ done, total }) => progress.push(done / total) });
    expect(stats.map((s) => s.key)).toEqual(model.map((m) => m.key));
    expect(progress).toEqual(model.map((_, i) => (i + 1) / model.length));
    stats.forEach((s, i) => {
      const m = model[i];
      if (m === undefined) throw new Error('fixture');
      expect(s).toMatchObject({ module: m.module, role: m.role, family: m.family, layer: m.layer });
      expect(s.stats).toStrictEqual(computeMatrixStats(m.data, m.rows, m.cols, STATS));
    });
  });
});
