/** Norm floor of the power iteration (ALGORITHMS.md §5): a zero matrix gives σ̂ = 1e-12, not NaN. */
export const NORM_FLOOR = 1e-12;

/**
 * Largest singular value of a row-major `rows × cols` float32 matrix by power iteration, exactly as
 * ALGORITHMS.md §5: v₀ = 1/√cols (all ones); `iters` times u = Wv, σ = max(‖u‖, 1e-12), u /= σ,
 * v = Wᵀu, v /= max(‖v‖, 1e-12); returns the last σ, or 0 when it is not finite (a NaN/Inf entry).
 * Float64 arithmetic throughout. Each iteration reads W once: Wᵀu is accumulated row by row while the
 * row is in cache (Wᵀ(u/σ) = (Σ_i u_i W_i)/σ, the same value up to rounding).
 * Golden: reshape(0..11, 3×4)/7 − 0.5 → 1.91851498 (float64; 1.9185151 in float32).
 * @param iters iterations, ≥ 1 (the tiers use 4).
 */
export function spectralNormPowerIteration(data: Float32Array, rows: number, cols: number, iters: number): number {
  if (rows === 0 || cols === 0) return 0;
  const v = new Float64Array(cols).fill(1 / Math.sqrt(cols));
  const z = new Float64Array(cols);
  let sigma = 0;
  for (let it = 0; it < iters; it++) {
    sigma = powerStep(data, rows, cols, v, z);
    if (!Number.isFinite(sigma)) return 0;
  }
  return sigma;
}

/**
 * One power-iteration step in place: returns σ = max(‖Wv‖, 1e-12) and leaves the next unit v in `v`.
 * `z` is scratch of length `cols`.
 * @internal
 */
export function powerStep(data: Float32Array, rows: number, cols: number, v: Float64Array, z: Float64Array): number {
  z.fill(0);
  let uSquared = 0;
  for (let i = 0; i < rows; i++) {
    const u = rowDot(data, i * cols, cols, v);
    uSquared += u * u;
    if (u !== 0) rowAxpy(data, i * cols, cols, u, z);
  }
  const sigma = Math.max(Math.sqrt(uSquared), NORM_FLOOR);
  normalizeInto(z, sigma, v);
  return sigma;
}

/** v = (z/σ) / max(‖z/σ‖, 1e-12). @internal */
export function normalizeInto(z: Float64Array, sigma: number, v: Float64Array): void {
  let squared = 0;
  for (let j = 0; j < z.length; j++) {
    const x = z[j] / sigma;
    squared += x * x;
  }
  const norm = Math.max(Math.sqrt(squared), NORM_FLOOR);
  for (let j = 0; j < z.length; j++) v[j] = z[j] / sigma / norm;
}

/** Σ_j W[base + j]·v[j], four accumulators to break the add chain. @internal */
export function rowDot(data: Float32Array, base: number, cols: number, v: Float64Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < cols; j += 4) {
    s0 += data[base + j] * v[j];
    s1 += data[base + j + 1] * v[j + 1];
    s2 += data[base + j + 2] * v[j + 2];
    s3 += data[base + j + 3] * v[j + 3];
  }
  for (; j < cols; j++) s0 += data[base + j] * v[j];
  return s0 + s1 + (s2 + s3);
}

/** z[j] += a·W[base + j]. @internal */
export function rowAxpy(data: Float32Array, base: number, cols: number, a: number, z: Float64Array): void {
  for (let j = 0; j < cols; j++) z[j] += a * data[base + j];
}
