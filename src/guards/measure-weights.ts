import type { WeightMatrix } from '../edits/index.js';
import type { KernelPool } from './linalg/kernel-pool.js';
import type { MatrixStatsOptions } from './linalg/matrix-stats.js';
import type { WeightStats } from './types.js';

/** Options of {@link measureWeights}. */
export interface MeasureWeightsOptions {
  readonly pool: KernelPool;
  readonly stats: MatrixStatsOptions;
  /** Called as each matrix finishes (any order), for progress bars. */
  readonly onProgress?: (progress: { readonly done: number; readonly total: number; readonly key: string }) => void;
}

/**
 * Measures every matrix on the pool (one task per matrix, all quantities at once), results in input
 * order. Feed the baseline's and the subject's results to the spectral guard (and, with `mpTopK` > 0,
 * the RMT guard's MP telemetry).
 * @throws InvarlockError `E_WORKER` when a worker thread fails.
 */
export async function measureWeights(matrices: readonly WeightMatrix[], options: MeasureWeightsOptions): Promise<WeightStats[]> {
  let done = 0;
  return Promise.all(
    matrices.map(async (m): Promise<WeightStats> => {
      const stats = await options.pool.run({ kind: 'matrix-stats', data: m.data, rows: m.rows, cols: m.cols, options: options.stats });
      done++;
      options.onProgress?.({ done, total: matrices.length, key: m.key });
      return { key: m.key, module: m.module, role: m.role, family: m.family, layer: m.layer, stats };
    }),
  );
}
