/**
 * Child process of section 2: the weight-statistics pass of the guards (σ̂max by power iteration,
 * Frobenius norm, stable rank, row/column norms, non-finite scan, mean/std, and the MP top-k
 * telemetry) over every matrix of a model, on the kernel pool as `certify` runs it, against
 * weight-stats-reference.py (numpy, float64) on the same matrices. Reports both times, the split
 * without the top-k part, and the largest relative differences.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, readWeights } from '../../src/adapters/index.js';
import type { WeightMatrix } from '../../src/edits/index.js';
import { createKernelPool, measureWeights, type MatrixStatsOptions, type WeightStats } from '../../src/guards/index.js';
import { initialSubspace } from '../../src/guards/linalg/top-singular-values.js';
import { childInput, REPO_ROOT, reportResult } from './child-process.js';

/** Input of this child. */
export interface GuardTimeInput {
  readonly modelDir: string;
  /** The statistics options; `certify` uses powerIters from the policy (4), mpTopK 8, mpIters 6. */
  readonly stats: MatrixStatsOptions;
}

/** Result of this child. */
export interface GuardTimeResult {
  readonly matrices: number;
  readonly values: number;
  readonly poolMode: string;
  readonly poolSize: number;
  /** Kernel pool, all quantities including the MP top-k. */
  readonly jsMs: number;
  /** Kernel pool with mpTopK 0 (spectral + degeneracy only). */
  readonly jsNoTopKMs: number;
  readonly numpyMs: number;
  readonly numpyTopKMs: number;
  /** Reading the float32 data into numpy arrays (not in numpyMs). */
  readonly numpyLoadMs: number;
  readonly numpyVersion: string;
  /** Largest relative difference per quantity, ours vs numpy. */
  readonly worstRelativeDifference: Readonly<Record<string, number>>;
  readonly mpCountsEqual: number;
}

interface Reference {
  readonly load_s: number;
  readonly compute_s: number;
  readonly topk_s: number;
  readonly numpy: string;
  readonly results: readonly (Readonly<Record<'sigmaMax' | 'frobeniusNorm' | 'stableRank' | 'rowNormMin' | 'rowNormMedian' | 'colNormMin' | 'colNormMedian' | 'std', number>> & {
    readonly top: readonly number[];
    readonly mpCount: number;
  })[];
}

function writeReferenceInput(dir: string, matrices: readonly WeightMatrix[], stats: MatrixStatsOptions): { bin: string; manifest: string } {
  const bin = join(dir, 'weights.bin');
  const fd = openSync(bin, 'w');
  let offset = 0;
  const entries = matrices.map((m) => {
    writeSync(fd, new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength));
    const entry = { key: m.key, rows: m.rows, cols: m.cols, offset };
    offset += m.data.length;
    return entry;
  });
  const starts: Record<string, { n: number; k: number; byte_offset: number }> = {};
  let byteOffset = offset * 4;
  for (const m of matrices) {
    const k = Math.min(stats.mpTopK, m.rows, m.cols);
    const key = `${m.cols}:${k}`;
    if (k <= 0 || starts[key] !== undefined) continue;
    const block = initialSubspace(m.cols, k);
    writeSync(fd, new Uint8Array(block.buffer));
    starts[key] = { n: m.cols, k, byte_offset: byteOffset };
    byteOffset += block.byteLength;
  }
  closeSync(fd);
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ options: stats, matrices: entries, starts }));
  return { bin, manifest };
}

function relativeDifference(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
}

async function main(): Promise<void> {
  const input = childInput<GuardTimeInput>();
  const model = await loadModel(input.modelDir);
  // as certify: every decoded weight that is a matrix (run-guards.ts filters rows > 1 and cols > 1)
  const matrices: WeightMatrix[] = readWeights(model)
    .filter((w) => w.rows > 1 && w.cols > 1)
    .map(({ role, tiedWith, ...rest }) => ({ ...rest, role: role === 'gate_up' ? 'up' : role, ...(tiedWith === undefined ? {} : { tiedWith }) }));
  const pool = await createKernelPool({ mode: 'auto' });
  let t = performance.now();
  const ours: WeightStats[] = await measureWeights(matrices, { pool, stats: input.stats });
  const jsMs = performance.now() - t;
  t = performance.now();
  await measureWeights(matrices, { pool, stats: { ...input.stats, mpTopK: 0 } });
  const jsNoTopKMs = performance.now() - t;
  await pool.close();

  const dir = mkdtempSync(join(tmpdir(), 'invarlock-bench-guards-'));
  try {
    const { bin, manifest } = writeReferenceInput(dir, matrices, input.stats);
    const out = join(dir, 'numpy.json');
    const run = spawnSync('/usr/bin/python3', [join(REPO_ROOT, 'bench', 'suite', 'weight-stats-reference.py'), bin, manifest, out], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`numpy reference failed: ${run.stderr}`);
    const reference = JSON.parse(readFileSync(out, 'utf8')) as Reference;
    const worst: Record<string, number> = {};
    let mpCountsEqual = 0;
    reference.results.forEach((ref, i) => {
      const stats = ours[i]!.stats;
      for (const field of ['sigmaMax', 'frobeniusNorm', 'stableRank', 'rowNormMin', 'rowNormMedian', 'colNormMin', 'colNormMedian', 'std'] as const) {
        worst[field] = Math.max(worst[field] ?? 0, relativeDifference(stats[field], ref[field]));
      }
      (stats.mp?.topSingularValues ?? []).forEach((s, j) => (worst['topK'] = Math.max(worst['topK'] ?? 0, relativeDifference(s, ref.top[j] ?? Number.NaN))));
      if (stats.mp?.count === ref.mpCount) mpCountsEqual++;
    });
    const result: GuardTimeResult = {
      matrices: matrices.length,
      values: matrices.reduce((sum, m) => sum + m.data.length, 0),
      poolMode: pool.mode,
      poolSize: pool.size,
      jsMs,
      jsNoTopKMs,
      numpyMs: reference.compute_s * 1000,
      numpyTopKMs: reference.topk_s * 1000,
      numpyLoadMs: reference.load_s * 1000,
      numpyVersion: reference.numpy,
      worstRelativeDifference: worst,
      mpCountsEqual,
    };
    reportResult(result);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
