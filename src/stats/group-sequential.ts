import { InvarlockError } from '../errors/index.js';
import { normalCdf, normalQuantile } from './normal-distribution.js';

/*
 * Group-sequential paired test of the primary metric (early stopping; issue 14 item 5).
 *
 * The final windows are scored in K groups ("looks") of the plan's window order. After look k the
 * paired statistic is the weighted mean log-ratio θ̂ₖ of the first nₖ windows with its standard
 * error seₖ; with Zₖ = (log B − θ̂ₖ)/seₖ (B = L + hysteresis, the ratio the gate compares with) the
 * run stops with a pass when Zₖ ≥ cₖ (upper bound θ̂ₖ + cₖ·seₖ ≤ log B) and with a fail when
 * Zₖ ≤ −cₖ (lower bound θ̂ₖ − cₖ·seₖ > log B). The critical values cₖ come from a Lan–DeMets
 * O'Brien–Fleming-type spending function of the one-sided α: the probability, at a true ratio of
 * exactly B, of a pass at some look is at most α (the fail side is symmetric and non-binding).
 * Interim looks use this normal approximation; the last look is the bootstrap gate at the two-sided
 * level 2·(1 − Φ(c_K)), so the final look spends what is left of α rather than all of it again.
 */

/** The spending functions a policy may name. */
export type SpendingFunction = 'obrien_fleming';

/** Most looks a plan may have (the recursion is quadratic in grid size per look, not in K; a bound keeps certificates small). */
export const MAX_LOOKS = 10;

/**
 * Lan–DeMets O'Brien–Fleming-type spending: α(t) = 2 − 2Φ(z₁₋α/₂ / √t), the one-sided α spent by
 * information fraction t ∈ (0, 1]; α(1) = α. Throws `E_INTERNAL` for t outside (0, 1] or α outside (0, 0.5).
 */
export function obrienFlemingSpending(t: number, alpha: number): number {
  if (!(t > 0 && t <= 1)) throw new InvarlockError('E_INTERNAL', `spending needs an information fraction in (0, 1], got ${t}`);
  if (!(alpha > 0 && alpha < 0.5)) throw new InvarlockError('E_INTERNAL', `spending needs a one-sided alpha in (0, 0.5), got ${alpha}`);
  return 2 - 2 * normalCdf(normalQuantile(1 - alpha / 2) / Math.sqrt(t));
}

/** Windows scored by the end of each look: ⌈k·n/K⌉, so the last look is the whole plan. */
export function lookSizes(planned: number, looks: number): number[] {
  checkPlan(planned, looks);
  return Array.from({ length: looks }, (_, i) => Math.ceil(((i + 1) * planned) / looks));
}

/** The critical values of a plan: one per look, with the cumulative one-sided α spent by it. */
export interface SequentialBoundaries {
  /** Information fraction nₖ/n of each look. */
  readonly fractions: readonly number[];
  /** cₖ: stop for a pass when Zₖ ≥ cₖ, for a fail when Zₖ ≤ −cₖ. */
  readonly critical: readonly number[];
  /** α(tₖ): one-sided α spent by the end of look k. */
  readonly spent: readonly number[];
}

/** Grid points per unit of the score scale in the crossing recursion (and its half-width in sd). */
const GRID_PER_UNIT = 60;
const GRID_SD = 10;

/**
 * cₖ for information fractions 0 < t₁ < … < t_K = 1 such that, with no drift, P(Z₁ < c₁, …,
 * Zₖ₋₁ < cₖ₋₁, Zₖ ≥ cₖ) = α(tₖ) − α(tₖ₋₁) (Armitage–McPherson–Rowe recursion on the score
 * Sₖ = Zₖ√tₖ, a Brownian motion in t; Simpson's rule on a fixed grid, bisection for each cₖ).
 * Deterministic: the same fractions and α give bit-identical values (verify recomputes them).
 * For K = 4 equal looks and α = 0.025: 4.333, 2.963, 2.359, 2.014 (Jennison & Turnbull, table 7.6).
 */
export function sequentialBoundaries(fractions: readonly number[], alpha: number, spending: SpendingFunction = 'obrien_fleming'): SequentialBoundaries {
  if (spending !== 'obrien_fleming') throw new InvarlockError('E_INTERNAL', `unknown spending function ${String(spending)}`);
  if (fractions.length === 0 || fractions.some((t, i) => !(t > 0 && t <= 1) || (i > 0 && !(t > fractions[i - 1]!)))) {
    throw new InvarlockError('E_INTERNAL', `information fractions must increase within (0, 1], got ${fractions.join(', ')}`);
  }
  const spent = fractions.map((t) => obrienFlemingSpending(t, alpha));
  const critical: number[] = [];
  // f: sub-density of S on the continuation region, sampled at grid points xs.
  let xs: Float64Array = new Float64Array(0);
  let f: Float64Array = new Float64Array(0);
  for (let k = 0; k < fractions.length; k++) {
    const t = fractions[k]!;
    const target = spent[k]! - (k === 0 ? 0 : spent[k - 1]!);
    if (k === 0) {
      const c = normalQuantile(1 - target);
      critical.push(c);
      [xs, f] = firstDensity(t, c * Math.sqrt(t));
      continue;
    }
    const dt = t - fractions[k - 1]!;
    const sd = Math.sqrt(dt);
    const crossing = (b: number): number => simpson(xs, (i) => f[i]! * normalCdf((xs[i]! - b) / sd));
    // crossing(b) decreases in b; bracket cₖ√t in a generous range and bisect to machine precision
    let lo = -GRID_SD * Math.sqrt(t);
    let hi = GRID_SD * Math.sqrt(t);
    for (let it = 0; it < 200 && hi - lo > 1e-13; it++) {
      const mid = (lo + hi) / 2;
      if (crossing(mid) > target) lo = mid;
      else hi = mid;
    }
    const b = (lo + hi) / 2;
    critical.push(b / Math.sqrt(t));
    if (k < fractions.length - 1) [xs, f] = nextDensity(xs, f, sd, t, b);
  }
  return { fractions: [...fractions], critical, spent };
}

function gridOf(low: number, high: number): Float64Array {
  // an odd number of points for Simpson's rule
  let m = Math.max(3, Math.ceil((high - low) * GRID_PER_UNIT));
  if (m % 2 === 0) m++;
  const xs = new Float64Array(m);
  for (let i = 0; i < m; i++) xs[i] = low + ((high - low) * i) / (m - 1);
  return xs;
}

function firstDensity(t: number, b: number): [Float64Array, Float64Array] {
  const sd = Math.sqrt(t);
  const xs = gridOf(-GRID_SD * sd, b);
  const f = xs.map((x) => normalDensity(x / sd) / sd);
  return [xs, f];
}

function nextDensity(xs: Float64Array, f: Float64Array, sd: number, t: number, b: number): [Float64Array, Float64Array] {
  const next = gridOf(-GRID_SD * Math.sqrt(t), b);
  const g = new Float64Array(next.length);
  for (let j = 0; j < next.length; j++) {
    const u = next[j]!;
    g[j] = simpson(xs, (i) => (f[i]! * normalDensity((u - xs[i]!) / sd)) / sd);
  }
  return [next, g];
}

function simpson(xs: Float64Array, value: (i: number) => number): number {
  const m = xs.length;
  const h = (xs[m - 1]! - xs[0]!) / (m - 1);
  let sum = value(0) + value(m - 1);
  for (let i = 1; i < m - 1; i++) sum += (i % 2 === 1 ? 4 : 2) * value(i);
  return (sum * h) / 3;
}

function normalDensity(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** The statistic of one look: the weighted mean log-ratio of the windows so far and its standard error. */
export interface LookStatistic {
  /** Windows scored by the end of the look. */
  readonly windows: number;
  /** θ̂ = Σwᵢδᵢ/Σwᵢ (nats). */
  readonly estimate: number;
  /** √(Σwᵢ(δᵢ − θ̂)² / Σwᵢ / (n − 1)); 0 when every δ is equal. */
  readonly standardError: number;
}

/**
 * θ̂ and its standard error on the first `windows` values. The variance is the one the weighted
 * bootstrap resamples (Σw(δ − θ̂)²/Σw per draw) over n − 1 draws, the small-sample correction the
 * bootstrap lacks: interim looks can be a few windows. Throws `E_INTERNAL` for fewer than 2 windows
 * or a value that is not finite.
 */
export function lookStatistic(deltas: ArrayLike<number>, weights: ArrayLike<number>, windows: number): LookStatistic {
  if (!(Number.isInteger(windows) && windows >= 2 && windows <= deltas.length && windows <= weights.length)) {
    throw new InvarlockError('E_INTERNAL', `a look needs 2 to ${Math.min(deltas.length, weights.length)} windows, got ${windows}`);
  }
  let sw = 0;
  let swd = 0;
  for (let i = 0; i < windows; i++) {
    const d = deltas[i]!;
    const w = weights[i]!;
    if (!Number.isFinite(d) || !(w > 0)) throw new InvarlockError('E_INTERNAL', `look window ${i}: Δ ${d}, weight ${w}`, { details: { index: i } });
    sw += w;
    swd += w * d;
  }
  const estimate = swd / sw;
  let ss = 0;
  for (let i = 0; i < windows; i++) ss += weights[i]! * (deltas[i]! - estimate) ** 2;
  return { windows, estimate, standardError: Math.sqrt(ss / sw / (windows - 1)) };
}

/** What one interim look decided. */
export type LookDecision = 'pass' | 'fail' | 'continue';

/** An interim look's interval at its critical value and what it decided. */
export interface InterimLook extends LookStatistic {
  readonly critical: number;
  /** θ̂ − c·se, θ̂ + c·se (nats). */
  readonly low: number;
  readonly high: number;
  readonly decision: LookDecision;
}

/**
 * An interim look: stop with a pass when θ̂ + c·se ≤ log B, with a fail when θ̂ − c·se > log B,
 * else continue. `logBound` = log(L + hysteresis).
 */
export function decideInterimLook(stat: LookStatistic, critical: number, logBound: number): InterimLook {
  const low = stat.estimate - critical * stat.standardError;
  const high = stat.estimate + critical * stat.standardError;
  const decision: LookDecision = high <= logBound ? 'pass' : low > logBound ? 'fail' : 'continue';
  return { ...stat, critical, low, high, decision };
}

/** The two-sided level of the last look's bootstrap interval: its one-sided tail is 1 − Φ(c_K). */
export function finalLookAlpha(boundaries: SequentialBoundaries): number {
  const last = boundaries.critical[boundaries.critical.length - 1]!;
  return 2 * (1 - normalCdf(last));
}

/**
 * The windows a paired comparison needs before its interval of half-width z·sd/√n resolves a gap
 * of `gap` nats (|log ratio − log B|): ⌈(z·sd/gap)²⌉, at least 2; Infinity for a gap of 0.
 */
export function windowsToResolve(sd: number, gap: number, z: number): number {
  if (!(sd >= 0) || !Number.isFinite(sd)) throw new InvarlockError('E_INTERNAL', `windowsToResolve needs a finite sd ≥ 0, got ${sd}`);
  if (Math.abs(gap) === 0) return Infinity;
  return Math.max(2, Math.ceil(((z * sd) / Math.abs(gap)) ** 2));
}

function checkPlan(planned: number, looks: number): void {
  if (!Number.isInteger(looks) || looks < 2 || looks > MAX_LOOKS) throw new InvarlockError('E_INTERNAL', `looks must be an integer in [2, ${MAX_LOOKS}], got ${looks}`);
  if (!Number.isInteger(planned) || planned < 2 * looks) throw new InvarlockError('E_INTERNAL', `${looks} looks need at least ${2 * looks} planned windows, got ${planned}`);
}

/** A run's sequential design: where each look ends, its critical value, and the bound the gate compares with. */
export interface SequentialDesign {
  readonly looks: number;
  readonly planned: number;
  /** Windows scored by the end of each look. */
  readonly sizes: readonly number[];
  readonly boundaries: SequentialBoundaries;
  /** One-sided α of the whole design. */
  readonly alpha: number;
  /** B = L + hysteresis, and log B. */
  readonly bound: number;
  readonly logBound: number;
}

const designs = new Map<string, SequentialBoundaries>();

/**
 * The design of K looks over `planned` windows at one-sided `alpha`, with equal window groups
 * (information fractions nₖ/n). Boundaries are computed once per (sizes, α) in a process: certify
 * decides each look with them and the certificate builder and verify recompute the same values.
 */
export function sequentialDesign(input: { readonly planned: number; readonly looks: number; readonly alpha: number; readonly bound: number; readonly spending: SpendingFunction }): SequentialDesign {
  const sizes = lookSizes(input.planned, input.looks);
  const key = `${input.spending}:${input.alpha}:${sizes.join(',')}`;
  let boundaries = designs.get(key);
  if (boundaries === undefined) {
    boundaries = sequentialBoundaries(
      sizes.map((n) => n / input.planned),
      input.alpha,
      input.spending,
    );
    designs.set(key, boundaries);
  }
  if (!(input.bound > 0)) throw new InvarlockError('E_INTERNAL', `the sequential bound must be > 0, got ${input.bound}`);
  return { looks: input.looks, planned: input.planned, sizes, boundaries, alpha: input.alpha, bound: input.bound, logBound: Math.log(input.bound) };
}

/** Interim look `k` (0-based, before the last) of a design on the paired Δ of the windows scored so far (in plan order). */
export function interimLook(design: SequentialDesign, k: number, deltas: ArrayLike<number>, weights: ArrayLike<number>): InterimLook {
  if (!(Number.isInteger(k) && k >= 0 && k < design.looks - 1)) throw new InvarlockError('E_INTERNAL', `interim look ${k} of ${design.looks}`);
  return decideInterimLook(lookStatistic(deltas, weights, design.sizes[k]!), design.boundaries.critical[k]!, design.logBound);
}
