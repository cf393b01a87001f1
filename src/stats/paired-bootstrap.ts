import { InvarlockError } from '../errors/index.js';
import { normalCdf, normalQuantile } from './normal-distribution.js';
import { Prng } from './prng.js';
import { quantileSorted } from './quantile.js';

/** Defaults of {@link BootstrapOptions}; `contracts/tiers.json` carries the same values (a test checks). */
export const BOOTSTRAP_DEFAULTS = Object.freeze({
  /** @default 'bca' */
  method: 'bca',
  /** @default 1e-6 — the bias proportion #{θ* < θ̂}/R is clipped to [z0Clip, 1 − z0Clip]. */
  z0Clip: 1e-6,
} as const);

/** How the interval was formed: BCa, the plain percentile interval, or a single point. */
export type BootstrapMethod = 'bca' | 'percentile' | 'degenerate';

/** Why a BCa request fell back to the percentile interval. */
export type BootstrapFallback = 'zero_jackknife_variance' | 'acceleration_out_of_range';

/** Options of {@link pairedBootstrap}. */
export interface BootstrapOptions {
  /** Per-item values (per-window Δ); finite. */
  readonly values: ArrayLike<number>;
  /** Per-item weights (scored tokens), finite and > 0, same length; all 1 when left out. */
  readonly weights?: ArrayLike<number>;
  /** R, the number of bootstrap replicates: an integer ≥ 1. */
  readonly replicates: number;
  /** Two-sided level: 0.05 gives the 2.5 % and 97.5 % bounds. In (0, 1). */
  readonly alpha: number;
  /** Seed of the resampling stream, an integer in [0, 2^32). */
  readonly seed: number;
  /** @default 'bca' */
  readonly method?: 'bca' | 'percentile';
  /** @default 1e-6 */
  readonly z0Clip?: number;
}

/** A bootstrap confidence interval for the weighted mean, with what is needed to recompute it. */
export interface BootstrapInterval {
  readonly low: number;
  readonly high: number;
  readonly method: BootstrapMethod;
  /** Set when BCa was asked for and the percentile interval was used instead. */
  readonly fallback: BootstrapFallback | null;
  /** θ̂ = Σ wᵢvᵢ / Σ wᵢ, the weighted mean the interval is for. */
  readonly estimate: number;
  /** Bias correction z0 (BCa and its fallbacks); null for a percentile request or a degenerate sample. */
  readonly z0: number | null;
  /** Acceleration a (BCa only). */
  readonly acceleration: number | null;
  readonly replicates: number;
  readonly alpha: number;
  readonly seed: number;
}

/**
 * Weighted bootstrap confidence interval of the weighted mean θ̂ = Σwᵢvᵢ/Σwᵢ (ALGORITHMS.md §4).
 * Pure and deterministic: the same inputs give a bit-identical interval (verify recomputes it).
 *
 * - Resampling: each replicate draws n indices i.i.d. with P(i) = wᵢ/Σw by Walker's alias method
 *   (Vose's construction, worklists in index order): one 53-bit u = nextFloat()·n per draw (see
 *   {@link Prng}), column i = ⌊u⌋, kept when u − i < prob[i], else its alias. O(1) per draw.
 * - θ* is the plain mean of the resampled values. Because indices are drawn ∝ w, E[θ*] = Σwᵢvᵢ/Σw:
 *   the plain mean of a weighted resample estimates the weighted mean. Weighting the resample again
 *   would count each weight twice (it would estimate Σwᵢ²vᵢ/Σwᵢ²). With equal weights this is the
 *   ordinary bootstrap; with per-token noise (Var Δᵢ ∝ 1/wᵢ) its variance matches the weighted
 *   mean's, σ²/Σw. (Equal-variance windows of unequal weight make it slightly too narrow.)
 * - BCa: z0 = Φ⁻¹(#{θ* < θ̂}/R clipped to [z0Clip, 1 − z0Clip]); acceleration from the weighted
 *   jackknife θ₍ᵢ₎ = (Σwv − wᵢvᵢ)/(Σw − wᵢ), θ̄ their plain mean, a = Σ(θ̄ − θ₍ᵢ₎)³ / (6·(Σ(θ̄ − θ₍ᵢ₎)²)^1.5);
 *   bounds at the Φ(z0 + (z0 + z)/(1 − a(z0 + z))) quantiles of θ*, z = Φ⁻¹(α/2) and Φ⁻¹(1 − α/2).
 *   Falls back to the percentile interval when the jackknife variance is 0 or 1 − a(z0 + z) ≤ 0.
 * - Quantiles interpolate linearly at q·(R − 1).
 * - All values equal (including n = 1): the degenerate interval [θ̂, θ̂] with no resampling.
 *
 * Cost: n·R draws, two 32-bit outputs each, no allocation per replicate. Throws `E_INTERNAL` for an
 * empty sample, mismatched lengths, a non-finite value, a weight that is not finite and > 0, or an
 * invalid R, α, seed or z0Clip.
 */
export function pairedBootstrap(options: BootstrapOptions): BootstrapInterval {
  const { replicates, alpha, seed } = options;
  const method = options.method ?? BOOTSTRAP_DEFAULTS.method;
  const z0Clip = options.z0Clip ?? BOOTSTRAP_DEFAULTS.z0Clip;
  const values = Float64Array.from(options.values);
  const n = values.length;
  checkParameters({ n, replicates, alpha, seed, z0Clip });
  const weights = readWeights(options.weights, n);
  let totalWeight = 0;
  let weightedSum = 0;
  let allEqual = true;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new InvarlockError('E_INTERNAL', `bootstrap value ${i} is not finite (${v})`, { details: { index: i } });
    totalWeight += weights[i];
    weightedSum += weights[i] * v;
    if (v !== values[0]) allEqual = false;
  }
  const estimate = weightedSum / totalWeight;
  const base = { estimate, replicates, alpha, seed };
  if (allEqual) return { ...base, low: estimate, high: estimate, method: 'degenerate', fallback: null, z0: null, acceleration: null };

  const thetas = resampleMeans(values, aliasTable(weights, totalWeight), replicates, seed).sort();
  const percentile = (fallback: BootstrapFallback | null, z0: number | null): BootstrapInterval => ({
    ...base,
    low: quantileSorted(thetas, alpha / 2),
    high: quantileSorted(thetas, 1 - alpha / 2),
    method: 'percentile',
    fallback,
    z0,
    acceleration: null,
  });
  if (method === 'percentile') return percentile(null, null);

  let below = 0;
  for (let r = 0; r < replicates; r++) if (thetas[r] < estimate) below++;
  const z0 = normalQuantile(Math.min(Math.max(below / replicates, z0Clip), 1 - z0Clip));
  const acceleration = jackknifeAcceleration(values, weights, weightedSum, totalWeight);
  if (acceleration === null) return percentile('zero_jackknife_variance', z0);
  const qLow = adjustedLevel(z0, acceleration, normalQuantile(alpha / 2));
  const qHigh = adjustedLevel(z0, acceleration, normalQuantile(1 - alpha / 2));
  if (qLow === null || qHigh === null) return percentile('acceleration_out_of_range', z0);
  return {
    ...base,
    low: quantileSorted(thetas, qLow),
    high: quantileSorted(thetas, qHigh),
    method: 'bca',
    fallback: null,
    z0,
    acceleration,
  };
}

/** Walker/Vose alias table: column i keeps i with probability prob[i], else gives alias[i]. */
interface AliasTable {
  readonly prob: Float64Array;
  readonly alias: Int32Array;
}

function aliasTable(weights: Float64Array, totalWeight: number): AliasTable {
  const n = weights.length;
  const prob = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = new Float64Array(n);
  const small = new Int32Array(n);
  const large = new Int32Array(n);
  let nSmall = 0;
  let nLarge = 0;
  for (let i = 0; i < n; i++) {
    scaled[i] = (weights[i] * n) / totalWeight;
    if (scaled[i] < 1) small[nSmall++] = i;
    else large[nLarge++] = i;
  }
  while (nSmall > 0 && nLarge > 0) {
    const l = small[--nSmall];
    const g = large[--nLarge];
    prob[l] = scaled[l];
    alias[l] = g;
    scaled[g] = scaled[g] + scaled[l] - 1;
    if (scaled[g] < 1) small[nSmall++] = g;
    else large[nLarge++] = g;
  }
  // Leftovers are 1 up to rounding: they keep their own column.
  while (nLarge > 0) {
    const g = large[--nLarge];
    prob[g] = 1;
    alias[g] = g;
  }
  while (nSmall > 0) {
    const l = small[--nSmall];
    prob[l] = 1;
    alias[l] = l;
  }
  return { prob, alias };
}

/** R replicate means of n values drawn ∝ weight; one typed array, no allocation in the loops. */
function resampleMeans(values: Float64Array, table: AliasTable, replicates: number, seed: number): Float64Array {
  const n = values.length;
  const last = n - 1;
  const { prob, alias } = table;
  const rng = new Prng(seed);
  const thetas = new Float64Array(replicates);
  for (let r = 0; r < replicates; r++) {
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const u = rng.nextFloat() * n;
      const column = Math.min(Math.floor(u), last);
      sum += values[u - column < prob[column] ? column : alias[column]];
    }
    thetas[r] = sum / n;
  }
  return thetas;
}

/** a from the weighted jackknife; null when its denominator is 0 (or not finite). */
function jackknifeAcceleration(values: Float64Array, weights: Float64Array, weightedSum: number, totalWeight: number): number | null {
  const n = values.length;
  const leaveOneOut = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    leaveOneOut[i] = (weightedSum - weights[i] * values[i]) / (totalWeight - weights[i]);
    mean += leaveOneOut[i];
  }
  mean /= n;
  let sum2 = 0;
  let sum3 = 0;
  for (let i = 0; i < n; i++) {
    const d = mean - leaveOneOut[i];
    sum2 += d * d;
    sum3 += d * d * d;
  }
  const denominator = 6 * Math.pow(sum2, 1.5);
  return denominator > 0 && Number.isFinite(denominator) ? sum3 / denominator : null;
}

/** Φ(z0 + (z0 + z)/(1 − a(z0 + z))), or null when the denominator is not positive. */
function adjustedLevel(z0: number, acceleration: number, z: number): number | null {
  const t = z0 + z;
  const denominator = 1 - acceleration * t;
  if (!(denominator > 0)) return null;
  const level = normalCdf(z0 + t / denominator);
  return Number.isFinite(level) ? level : null;
}

function readWeights(weights: ArrayLike<number> | undefined, n: number): Float64Array {
  const out = new Float64Array(n);
  if (weights !== undefined && weights.length !== n) {
    throw new InvarlockError('E_INTERNAL', `bootstrap got ${n} values and ${weights.length} weights`, {
      details: { expected: String(n), actual: String(weights.length) },
    });
  }
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : weights[i];
    if (!(Number.isFinite(w) && w > 0)) {
      throw new InvarlockError('E_INTERNAL', `bootstrap weight ${i} must be finite and > 0, got ${w}`, { details: { index: i } });
    }
    out[i] = w;
  }
  return out;
}

function checkParameters(p: { n: number; replicates: number; alpha: number; seed: number; z0Clip: number }): void {
  const problems: string[] = [];
  if (p.n === 0) problems.push('no values');
  if (!Number.isInteger(p.replicates) || p.replicates < 1) problems.push(`replicates must be an integer ≥ 1, got ${p.replicates}`);
  if (!(p.alpha > 0 && p.alpha < 1)) problems.push(`alpha must lie in (0, 1), got ${p.alpha}`);
  if (!Number.isInteger(p.seed) || p.seed < 0 || p.seed > 0xffffffff) problems.push(`seed must be an integer in [0, 2^32), got ${p.seed}`);
  if (!(p.z0Clip > 0 && p.z0Clip < 0.5)) problems.push(`z0Clip must lie in (0, 0.5), got ${p.z0Clip}`);
  if (problems.length > 0) throw new InvarlockError('E_INTERNAL', `invalid bootstrap request: ${problems[0]}`, { details: { problems } });
}
