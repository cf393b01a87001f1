import { NORM_FLOOR, rowAxpy, rowDot } from './power-iteration.js';

/** Options of {@link computeActivationRmt}. */
export interface ActivationRmtOptions {
  /** Power iterations on the standardised matrix (ALGORITHMS.md §5 uses 3). */
  readonly iters: number;
}

/** The RMT statistic of one activation matrix. */
export interface ActivationRmt {
  /** Tokens (rows) and features (columns). */
  readonly tokens: number;
  readonly features: number;
  /** Scalar mean and standard deviation used to standardise. */
  readonly mean: number;
  readonly std: number;
  /** σ̂max of (A − μ)/σ. */
  readonly sigmaMax: number;
  /** √tokens + √features, the Marchenko–Pastur edge of a unit-variance noise matrix. */
  readonly edge: number;
  /** σ̂max / edge; 0 when the activations hold a NaN or ±Inf. */
  readonly ratio: number;
  readonly nonFinite: number;
}

/**
 * RMT activation statistic (ALGORITHMS.md §5): scalar standardisation μ = mean(A),
 * σ² = max(mean(A²) − μ², 1e-12); `iters` power iterations on the implicit B = (A − μ)/σ from
 * v = 1/√n (same clamps as the weight power iteration; B is never formed: Bv = (Av − μΣv)/σ,
 * Bᵀu = (Aᵀu − μΣu)/σ); r = σ̂ / (√m + √n).
 * Golden: A = reshape(0..23, 6×4)^1.3/10 → σ̂ = 4.8385477, r = 1.0874388.
 * @param data row-major `[tokens, features]`.
 */
export function computeActivationRmt(data: Float32Array, tokens: number, features: number, options: ActivationRmtOptions): ActivationRmt {
  const edge = Math.sqrt(tokens) + Math.sqrt(features);
  const count = tokens * features;
  let sum = 0;
  let sumSquares = 0;
  let nonFinite = 0;
  for (let i = 0; i < count; i++) {
    const a = data[i];
    if (!Number.isFinite(a)) {
      nonFinite++;
      continue;
    }
    sum += a;
    sumSquares += a * a;
  }
  if (nonFinite > 0 || count === 0) return { tokens, features, mean: 0, std: 0, sigmaMax: 0, edge, ratio: 0, nonFinite };
  const mean = sum / count;
  const std = Math.sqrt(Math.max(sumSquares / count - mean * mean, 1e-12));
  const v = new Float64Array(features).fill(1 / Math.sqrt(features));
  const z = new Float64Array(features);
  let sigma = 0;
  for (let it = 0; it < options.iters; it++) {
    let vSum = 0;
    for (let j = 0; j < features; j++) vSum += v[j];
    const shift = mean * vSum;
    z.fill(0);
    let uSquared = 0;
    let uSum = 0;
    for (let i = 0; i < tokens; i++) {
      const u = (rowDot(data, i * features, features, v) - shift) / std;
      uSquared += u * u;
      uSum += u;
      if (u !== 0) rowAxpy(data, i * features, features, u, z);
    }
    sigma = Math.max(Math.sqrt(uSquared), NORM_FLOOR);
    // v = Bᵀ(u/σ) = (Aᵀu − μ·Σu)/(std·σ), then normalised.
    let squared = 0;
    for (let j = 0; j < features; j++) {
      const x = (z[j] - mean * uSum) / std / sigma;
      z[j] = x;
      squared += x * x;
    }
    const norm = Math.max(Math.sqrt(squared), NORM_FLOOR);
    for (let j = 0; j < features; j++) v[j] = z[j] / norm;
  }
  const sigmaMax = Number.isFinite(sigma) ? sigma : 0;
  return { tokens, features, mean, std, sigmaMax, edge, ratio: sigmaMax / edge, nonFinite: 0 };
}
