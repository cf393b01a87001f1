/**
 * Section 2: the guards' weight-statistics pass over every matrix of a model (as `certify` runs it:
 * kernel pool, powerIters 4, MP top-k 8 with 6 subspace iterations) against a numpy reference of
 * the same quantities (float64). One child process per model (see guard-time-child.ts).
 */
import type { BenchModel } from './bench-models.js';
import { runChild } from './child-process.js';
import type { GuardTimeInput, GuardTimeResult } from './guard-time-child.js';
import { formatDuration, formatRatio, judgeRatio, type GoalCheck, type SectionReport } from './report-model.js';

/** The statistics options `certify` uses (run-guards.ts: policy power_iterations, MP_TOP_K, MP_ITERS). */
export const CERTIFY_STATS = Object.freeze({ powerIters: 4, mpTopK: 8, mpIters: 6 });

/** Runs section 2 on every model and returns its report. */
export async function measureGuardTime(models: readonly BenchModel[], onLog: (line: string) => void): Promise<SectionReport> {
  const rows: string[][] = [];
  const goals: GoalCheck[] = [];
  const notes: string[] = [];
  for (const model of models) {
    onLog(`section 2: ${model.name}`);
    const input: GuardTimeInput = { modelDir: model.dir, stats: CERTIFY_STATS };
    const { result: r } = await runChild<GuardTimeResult>('bench/suite/guard-time-child.ts', input);
    const ratio = r.jsMs / r.numpyMs;
    const numpyNoTopK = r.numpyMs - r.numpyTopKMs;
    rows.push([
      model.name,
      `${r.matrices} (${(r.values / 1e6).toFixed(1)} M values)`,
      `${r.poolMode} × ${r.poolSize}`,
      formatDuration(r.jsMs),
      formatDuration(r.numpyMs),
      `${formatRatio(ratio)}×`,
      `${formatDuration(r.jsNoTopKMs)} vs ${formatDuration(numpyNoTopK)} = ${formatRatio(r.jsNoTopKMs / numpyNoTopK)}×`,
    ]);
    goals.push({ ...judgeRatio(2, `weight statistics JS ÷ numpy, ${model.name}`, ratio, { kind: 'at-most', limit: 1 }), goal: '≤ 1× (parity; the brief sets no number)' });
    const worst = Object.entries(r.worstRelativeDifference).reduce((a, b) => (b[1] > a[1] ? b : a), ['none', 0] as [string, number]);
    notes.push(`${model.name}: largest relative difference from numpy ${worst[1].toExponential(1)} (${worst[0]}); MP outlier counts equal on ${r.mpCountsEqual}/${r.matrices} matrices; numpy ${r.numpyVersion}, load of the float32 data ${formatDuration(r.numpyLoadMs)} not counted.`);
  }
  notes.unshift(
    'Quantities: σ̂max (power iteration, 4 steps), Frobenius norm, stable rank, row/column norm min and median, non-finite scan, mean/std (spectral + degeneracy), plus the Marchenko–Pastur top-8 singular values by block power iteration (6 iterations) — the options certify uses. numpy works in float64 like our kernels, one matrix after another; our pass runs on the worker pool.',
    'Ratio = JS time ÷ numpy time (< 1: JS faster).',
  );
  return {
    section: 2,
    title: 'Guard time (weight statistics) vs numpy',
    tables: [{ title: 'Weight-statistics pass', header: ['model', 'matrices', 'pool', 'JS (all)', 'numpy (all)', 'JS ÷ numpy', 'without MP top-k: JS vs numpy'], rows }],
    goals,
    notes,
  };
}
