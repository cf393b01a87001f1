import { symmetricEigenvalues } from './symmetric-eigenvalues.js';

/** Options of {@link topSingularValues}. */
export interface TopSingularValuesOptions {
  /** How many of the largest singular values; capped at min(rows, cols). */
  readonly k: number;
  /** Subspace iterations (each reads W twice). */
  readonly iters: number;
}

/**
 * The k largest singular values of a row-major float32 matrix by block power (subspace) iteration:
 * V₀ = orthonormalised {@link initialSubspace}; `iters` times U = orth(W·V), V = orth(Wᵀ·U)
 * (modified Gram–Schmidt, float64); then Rayleigh–Ritz: the eigenvalues of (WV)ᵀ(WV) give σ².
 * Descending; lower bounds that converge at the rate (σ_{k+1}/σ_i)^(2·iters).
 */
export function topSingularValues(data: Float32Array, rows: number, cols: number, options: TopSingularValuesOptions): number[] {
  const k = Math.min(options.k, rows, cols);
  if (k <= 0) return [];
  const v = initialSubspace(cols, k);
  orthonormalizeColumns(v, cols, k);
  const u = new Float64Array(rows * k);
  for (let it = 0; it < options.iters; it++) {
    multiplyBlock(data, rows, cols, v, k, u);
    orthonormalizeColumns(u, rows, k);
    multiplyTransposedBlock(data, rows, cols, u, k, v);
    orthonormalizeColumns(v, cols, k);
  }
  multiplyBlock(data, rows, cols, v, k, u);
  const gram = new Float64Array(k * k);
  for (let i = 0; i < rows; i++) {
    const base = i * k;
    for (let p = 0; p < k; p++) {
      const up = u[base + p];
      if (up === 0) continue;
      for (let q = p; q < k; q++) gram[p * k + q] += up * u[base + q];
    }
  }
  for (let p = 0; p < k; p++) for (let q = 0; q < p; q++) gram[p * k + q] = gram[q * k + p];
  return symmetricEigenvalues(gram, k).map((lambda) => Math.sqrt(Math.max(lambda, 0)));
}

/**
 * The deterministic start block of {@link topSingularValues}: `n × k` row-major, uniform in [−1, 1)
 * from mulberry32 seeded with 0x5eed + n·31 + k (so references in other languages can rebuild it).
 * @internal
 */
export function initialSubspace(n: number, k: number): Float64Array {
  let state = (0x5eed + n * 31 + k) >>> 0;
  const out = new Float64Array(n * k);
  for (let i = 0; i < out.length; i++) {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = 2 * unit - 1;
  }
  return out;
}

/**
 * out (rows × k) = W (rows × cols) · block (cols × k), eight block columns per sweep of a row (then
 * four, then one) so the sums stay in registers and W is read once per eight columns. Each output is
 * one sum over j in ascending order whatever the grouping, so the bits do not depend on it.
 */
function multiplyBlock(data: Float32Array, rows: number, cols: number, block: Float64Array, k: number, out: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    const o = i * k;
    let c = 0;
    for (; c + 7 < k; c += 8) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let a4 = 0;
      let a5 = 0;
      let a6 = 0;
      let a7 = 0;
      for (let j = 0, b = c; j < cols; j++, b += k) {
        const w = data[base + j];
        a0 += w * block[b];
        a1 += w * block[b + 1];
        a2 += w * block[b + 2];
        a3 += w * block[b + 3];
        a4 += w * block[b + 4];
        a5 += w * block[b + 5];
        a6 += w * block[b + 6];
        a7 += w * block[b + 7];
      }
      out[o + c] = a0;
      out[o + c + 1] = a1;
      out[o + c + 2] = a2;
      out[o + c + 3] = a3;
      out[o + c + 4] = a4;
      out[o + c + 5] = a5;
      out[o + c + 6] = a6;
      out[o + c + 7] = a7;
    }
    for (; c + 3 < k; c += 4) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let j = 0, b = c; j < cols; j++, b += k) {
        const w = data[base + j];
        a0 += w * block[b];
        a1 += w * block[b + 1];
        a2 += w * block[b + 2];
        a3 += w * block[b + 3];
      }
      out[o + c] = a0;
      out[o + c + 1] = a1;
      out[o + c + 2] = a2;
      out[o + c + 3] = a3;
    }
    for (; c < k; c++) {
      let a0 = 0;
      for (let j = 0, b = c; j < cols; j++, b += k) a0 += data[base + j] * block[b];
      out[o + c] = a0;
    }
  }
}

/**
 * out (cols × k) = Wᵀ · block (rows × k), eight block columns per sweep of a row (then four, then
 * one). Each output accumulates over i in ascending order whatever the grouping (same bits).
 */
function multiplyTransposedBlock(data: Float32Array, rows: number, cols: number, block: Float64Array, k: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    const u = i * k;
    let c = 0;
    for (; c + 7 < k; c += 8) {
      const u0 = block[u + c];
      const u1 = block[u + c + 1];
      const u2 = block[u + c + 2];
      const u3 = block[u + c + 3];
      const u4 = block[u + c + 4];
      const u5 = block[u + c + 5];
      const u6 = block[u + c + 6];
      const u7 = block[u + c + 7];
      for (let j = 0, o = c; j < cols; j++, o += k) {
        const w = data[base + j];
        out[o] += w * u0;
        out[o + 1] += w * u1;
        out[o + 2] += w * u2;
        out[o + 3] += w * u3;
        out[o + 4] += w * u4;
        out[o + 5] += w * u5;
        out[o + 6] += w * u6;
        out[o + 7] += w * u7;
      }
    }
    for (; c + 3 < k; c += 4) {
      const u0 = block[u + c];
      const u1 = block[u + c + 1];
      const u2 = block[u + c + 2];
      const u3 = block[u + c + 3];
      for (let j = 0, o = c; j < cols; j++, o += k) {
        const w = data[base + j];
        out[o] += w * u0;
        out[o + 1] += w * u1;
        out[o + 2] += w * u2;
        out[o + 3] += w * u3;
      }
    }
    for (; c < k; c++) {
      const u0 = block[u + c];
      for (let j = 0, o = c; j < cols; j++, o += k) out[o] += data[base + j] * u0;
    }
  }
}

/** Modified Gram–Schmidt on the k columns of an n × k row-major block, twice for stability; a dependent column becomes 0. */
function orthonormalizeColumns(block: Float64Array, n: number, k: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < k; c++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += block[i * k + c] * block[i * k + p];
        if (dot === 0) continue;
        for (let i = 0; i < n; i++) block[i * k + c] -= dot * block[i * k + p];
      }
      let squared = 0;
      for (let i = 0; i < n; i++) squared += block[i * k + c] ** 2;
      const norm = Math.sqrt(squared);
      const scale = norm > 1e-300 ? 1 / norm : 0;
      for (let i = 0; i < n; i++) block[i * k + c] *= scale;
    }
  }
}
