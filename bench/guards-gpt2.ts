/**
 * Weight-guard kernels at GPT-2-small scale, against a numpy reference of the same definitions.
 *
 *   npx tsx bench/guards-gpt2.ts [--mp-k 8] [--mp-iters 4] [--layers 12]
 *
 * Random N(0, 0.02²) weights of GPT-2-small shape in PyTorch orientation [out, in] (12 × {c_attn
 * 2304×768, attn c_proj 768×768, c_fc 3072×768, mlp c_proj 768×3072} + wte 50257×768, 124 M values),
 * each in a SharedArrayBuffer so the pool shares it without copying. Measures: every per-matrix
 * quantity (σ̂max by the §5 power iteration, Frobenius, stable rank, row/column norm min and median,
 * NaN/Inf scan, Marchenko–Pastur outlier count from the top-k block power iteration) through the
 * worker pool and on one thread; then an 8-bit quant_rtn subject and the spectral guard on the pair.
 * The same matrices (and the block iteration's start blocks) go to a temp .bin file, and
 * /usr/bin/python3 runs the same definitions in numpy (float64, like ours). Prints both times, the
 * ratio and the largest differences.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyEditResult, applyQuantRtn, type WeightMatrix } from '../src/edits/index.js';
import { createKernelPool, evaluateSpectral, measureWeights, type MatrixStatsOptions, type WeightStats } from '../src/guards/index.js';
import { initialSubspace } from '../src/guards/linalg/top-singular-values.js';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) ? value : fallback;
}

const LAYERS = flag('layers', 12);
const STATS: MatrixStatsOptions = { powerIters: 4, mpTopK: flag('mp-k', 8), mpIters: flag('mp-iters', 4) };

function gaussianFill(out: Float32Array, seed: number, std: number): void {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < out.length; i += 2) {
    const r = std * Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(theta);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(theta);
  }
}

function gpt2Weights(): WeightMatrix[] {
  const specs: Omit<WeightMatrix, 'data' | 'key'>[] = [{ module: 'transformer.wte', role: 'embed_tokens', family: 'embed', layer: null, rows: 50257, cols: 768 }];
  for (let l = 0; l < LAYERS; l++) {
    specs.push({ module: `transformer.h.${l}.attn.c_attn`, role: 'qkv', family: 'attn', layer: l, rows: 2304, cols: 768 });
    specs.push({ module: `transformer.h.${l}.attn.c_proj`, role: 'o', family: 'attn', layer: l, rows: 768, cols: 768 });
    specs.push({ module: `transformer.h.${l}.mlp.c_fc`, role: 'up', family: 'ffn', layer: l, rows: 3072, cols: 768 });
    specs.push({ module: `transformer.h.${l}.mlp.c_proj`, role: 'down', family: 'ffn', layer: l, rows: 768, cols: 3072 });
  }
  return specs.map((spec, i) => {
    const data = new Float32Array(new SharedArrayBuffer(spec.rows * spec.cols * 4));
    gaussianFill(data, 1000 + i, 0.02);
    return { ...spec, key: `${spec.module}.weight`, data };
  });
}

const PYTHON = String.raw`
import json, sys, time
import numpy as np
bin_path, manifest_path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
manifest = json.load(open(manifest_path))
raw = np.memmap(bin_path, dtype='<f4', mode='r')
t_load = time.perf_counter()
mats = [np.array(raw[m['offset']:m['offset'] + m['rows'] * m['cols']]).reshape(m['rows'], m['cols']) for m in manifest['matrices']]
load_s = time.perf_counter() - t_load
starts64 = {}
for k, v in manifest['starts'].items():
    starts64[k] = np.fromfile(bin_path, dtype='<f8', count=v['n'] * v['k'], offset=v['byte_offset']).reshape(v['n'], v['k'])
opts = manifest['options']
def mgs(b):
    # modified Gram-Schmidt twice, as in top-singular-values.ts (same span as QR)
    b = b.copy()
    for _ in range(2):
        for c in range(b.shape[1]):
            for p in range(c):
                b[:, c] -= (b[:, c] @ b[:, p]) * b[:, p]
            n = np.linalg.norm(b[:, c])
            b[:, c] = b[:, c] / n if n > 1e-300 else 0.0
    return b
results = []
t0 = time.perf_counter()
topk_s = 0.0
for m, W32 in zip(manifest['matrices'], mats):
    W = W32.astype(np.float64)
    rows, cols = W.shape
    nonfinite = int((~np.isfinite(W)).sum())
    row_norms = np.sqrt((W * W).sum(axis=1)); col_norms = np.sqrt((W * W).sum(axis=0))
    fro2 = float((W * W).sum())
    v = np.full(cols, 1 / np.sqrt(cols)); sigma = 0.0
    for _ in range(opts['powerIters']):
        u = W @ v; sigma = max(np.linalg.norm(u), 1e-12); u /= sigma
        v = W.T @ u; v /= max(np.linalg.norm(v), 1e-12)
    mean = float(W.mean()); std = float(W.std())
    k = min(opts['mpTopK'], rows, cols); top = []
    t_top = time.perf_counter()
    if k > 0:
        V = mgs(starts64['%d:%d' % (cols, k)])
        for _ in range(opts['mpIters']):
            U = mgs(W @ V); V = mgs(W.T @ U)
        Y = W @ V
        top = sorted(np.sqrt(np.maximum(np.linalg.eigvalsh(Y.T @ Y), 0)).tolist(), reverse=True)
    topk_s += time.perf_counter() - t_top
    edge = std * (np.sqrt(rows) + np.sqrt(cols))
    results.append({'key': m['key'], 'nonFinite': nonfinite, 'frobeniusNorm': np.sqrt(fro2), 'sigmaMax': float(sigma), 'stableRank': fro2 / sigma ** 2,
        'rowNormMin': float(row_norms.min()), 'rowNormMedian': float(np.median(row_norms)), 'colNormMin': float(col_norms.min()), 'colNormMedian': float(np.median(col_norms)),
        'mean': mean, 'std': std, 'top': top, 'mpCount': int(sum(1 for s in top if s > edge))})
compute_s = time.perf_counter() - t0
json.dump({'load_s': load_s, 'compute_s': compute_s, 'topk_s': topk_s, 'numpy': np.__version__, 'results': results}, open(out_path, 'w'))
`;

interface PythonOut {
  readonly load_s: number;
  readonly compute_s: number;
  readonly topk_s: number;
  readonly numpy: string;
  readonly results: readonly {
    key: string;
    sigmaMax: number;
    frobeniusNorm: number;
    stableRank: number;
    rowNormMin: number;
    rowNormMedian: number;
    colNormMin: number;
    colNormMedian: number;
    std: number;
    top: number[];
    mpCount: number;
  }[];
}

function writeReference(dir: string, weights: readonly WeightMatrix[]): { bin: string; manifest: string } {
  const bin = join(dir, 'weights.bin');
  const fd = openSync(bin, 'w');
  let offset = 0;
  const matrices = weights.map((w) => {
    writeSync(fd, new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength));
    const entry = { key: w.key, rows: w.rows, cols: w.cols, offset };
    offset += w.data.length;
    return entry;
  });
  // Start blocks of the top-k iteration (float64), one per distinct column count, after the float32 data.
  const starts: Record<string, { n: number; k: number; byte_offset: number }> = {};
  let byteOffset = offset * 4;
  for (const cols of new Set(weights.map((w) => w.cols))) {
    const rowsFor = Math.min(...weights.filter((w) => w.cols === cols).map((w) => w.rows));
    const k = Math.min(STATS.mpTopK, rowsFor, cols);
    if (k <= 0) continue;
    const block = initialSubspace(cols, k);
    writeSync(fd, new Uint8Array(block.buffer));
    starts[`${cols}:${k}`] = { n: cols, k, byte_offset: byteOffset };
    byteOffset += block.byteLength;
  }
  closeSync(fd);
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ options: STATS, matrices, starts }));
  return { bin, manifest };
}

function relativeDifference(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
}

async function main(): Promise<void> {
  const threads = availableParallelism();
  console.log(`GPT-2-small weight guards: ${LAYERS} layers, options ${JSON.stringify(STATS)}, ${threads} CPU threads`);
  let t = performance.now();
  const weights = gpt2Weights();
  const values = weights.reduce((sum, w) => sum + w.data.length, 0);
  console.log(`generated ${weights.length} matrices, ${(values / 1e6).toFixed(1)} M values, in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const pool = await createKernelPool({ mode: 'auto' });
  console.log(`pool: ${pool.mode}, size ${pool.size}${pool.fallbackReason === null ? '' : ` (fallback: ${pool.fallbackReason})`}`);
  t = performance.now();
  const pooled = await measureWeights(weights, { pool, stats: STATS });
  const poolSeconds = (performance.now() - t) / 1000;
  console.log(`worker pool:  ${poolSeconds.toFixed(2)} s  (${JSON.stringify(pool.counters())})`);

  t = performance.now();
  await measureWeights(weights, { pool, stats: { ...STATS, mpTopK: 0 } });
  const poolNoMpSeconds = (performance.now() - t) / 1000;
  console.log(`worker pool without the MP top-k (σ̂max, norms, scan only): ${poolNoMpSeconds.toFixed(2)} s`);

  const single = await createKernelPool({ mode: 'in-thread' });
  t = performance.now();
  const inThread = await measureWeights(weights, { pool: single, stats: STATS });
  const singleSeconds = (performance.now() - t) / 1000;
  console.log(`one thread:   ${singleSeconds.toFixed(2)} s  (pool speed-up ${(singleSeconds / poolSeconds).toFixed(2)}×)`);
  const isIdentical = pooled.every((p, i) => JSON.stringify(p.stats) === JSON.stringify(inThread[i]?.stats));
  console.log(`worker and in-thread results bit-identical: ${isIdentical}`);

  t = performance.now();
  const edit = applyQuantRtn(weights, { bits: 8, scope: 'all' });
  const subject = applyEditResult(weights, edit);
  const editSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const subjectStats: WeightStats[] = await measureWeights(subject, { pool, stats: STATS });
  const spectral = evaluateSpectral(
    { baseline: pooled, subject: subjectStats },
    {
      deadband: 0.1,
      maxCaps: 5,
      kappa: { ffn: 3.849, attn: 3.018, embed: 1.05, other: 0 },
      multipleTesting: { method: 'bh', alpha: 0.05, m: 4 },
      degeneracy: { stableRankWarn: 0.5, stableRankFatal: 0.25, normCollapseWarn: 0.25, normCollapseFatal: 0.1 },
    },
  );
  console.log(
    `quant_rtn 8-bit (${edit.modulesTouched.length} matrices) ${editSeconds.toFixed(2)} s; subject measured + spectral guard ${((performance.now() - t) / 1000).toFixed(2)} s: ` +
      `${spectral.status}, max |ρ−1| ${spectral.measurements.maxAbsDeviation.toExponential(2)}`,
  );
  await pool.close();
  await single.close();

  const dir = mkdtempSync(join(tmpdir(), 'invarlock-bench-'));
  try {
    const { bin, manifest } = writeReference(dir, weights);
    const out = join(dir, 'numpy.json');
    const run = spawnSync('/usr/bin/python3', ['-c', PYTHON, bin, manifest, out], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) {
      console.log(`numpy reference failed: ${run.stderr}`);
      return;
    }
    const reference: PythonOut = JSON.parse(readFileSync(out, 'utf8'));
    const numpyNoMp = reference.compute_s - reference.topk_s;
    console.log(`numpy ${reference.numpy} (float64): ${reference.compute_s.toFixed(2)} s compute, of which top-k ${reference.topk_s.toFixed(2)} s (+ ${reference.load_s.toFixed(2)} s load)`);
    console.log(`ratio JS pool / numpy: ${(poolSeconds / reference.compute_s).toFixed(2)}; JS one thread / numpy: ${(singleSeconds / reference.compute_s).toFixed(2)}; without top-k, JS pool / numpy: ${(poolNoMpSeconds / numpyNoMp).toFixed(2)}`);
    const worst: Record<string, number> = {};
    let mpAgree = 0;
    reference.results.forEach((ref, i) => {
      const ours = pooled[i]?.stats;
      if (ours === undefined) return;
      for (const field of ['sigmaMax', 'frobeniusNorm', 'stableRank', 'rowNormMin', 'rowNormMedian', 'colNormMin', 'colNormMedian', 'std'] as const) {
        worst[field] = Math.max(worst[field] ?? 0, relativeDifference(ours[field], ref[field]));
      }
      (ours.mp?.topSingularValues ?? []).forEach((s, j) => (worst['topK'] = Math.max(worst['topK'] ?? 0, relativeDifference(s, ref.top[j] ?? NaN))));
      if (ours.mp?.count === ref.mpCount) mpAgree++;
    });
    console.log(`largest relative difference vs numpy: ${Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
    console.log(`MP outlier counts equal on ${mpAgree}/${reference.results.length} matrices`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
