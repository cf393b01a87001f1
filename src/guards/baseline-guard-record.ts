import { InvarlockError } from '../errors/index.js';
import type { MatrixStats, MatrixStatsOptions } from './linalg/matrix-stats.js';
import type { WeightMeasurements } from './measure-weight-stream.js';
import type { RmtModuleMeasurement, WeightStats, WeightSummary } from './types.js';

/**
 * What the baseline's guard measurements were made with. A saved measurement is reused only where
 * its part of the key equals the run's: the weight statistics' options, and for the RMT activations
 * the taps, the power iterations and the calibration windows (their ids and tokens, hashed).
 */
export interface BaselineGuardKey {
  /** Options of the weight statistics; null when only the summaries were taken (no spectral/RMT guard). */
  readonly weightStats: MatrixStatsOptions | null;
  /** null when the RMT guard did not measure the baseline. */
  readonly rmt: { readonly iters: number; readonly taps: readonly string[]; readonly calibrationSha256: string } | null;
}

/**
 * The baseline's side of the weight and activation guards, measured once and saved with the
 * baseline evaluation, so a run that reuses it neither opens a baseline session nor reads the
 * baseline's weights for the guards.
 */
export interface BaselineGuardMeasurements {
  readonly key: BaselineGuardKey;
  /** Summaries of every weight and statistics of every matrix; null when no weight guard ran. */
  readonly weights: WeightMeasurements | null;
  readonly rmt: readonly RmtModuleMeasurement[] | null;
}

/**
 * The measurements as JSON: numbers as they are, except NaN, ±Infinity and −0 (which JSON cannot
 * carry) as `{ "$f": "NaN" | "Infinity" | "-Infinity" | "-0" }`, so a reused run gets the same bits.
 */
export function encodeBaselineGuards(measurements: BaselineGuardMeasurements): unknown {
  return encodeNumbers(measurements);
}

/**
 * Reads measurements written by {@link encodeBaselineGuards}, checking every field.
 * @throws InvarlockError `E_BASELINE_EVAL` naming the file and the first malformed field.
 */
export function decodeBaselineGuards(value: unknown, file: string): BaselineGuardMeasurements {
  const decoded = decodeNumbers(value);
  const bad = (field: string, expected: string): InvarlockError =>
    new InvarlockError('E_BASELINE_EVAL', `${file}: guards.${field} is not ${expected}`, { details: { file, field: `guards.${field}`, expected } });
  const record = asObject(decoded, () => bad('', 'an object'));
  const key = asObject(record.key, () => bad('key', 'an object'));
  const weightStats = key.weightStats === null ? null : checkStatsOptions(key.weightStats, () => bad('key.weightStats', 'the weight statistics options'));
  const rmtKey = key.rmt === null ? null : checkRmtKey(key.rmt, () => bad('key.rmt', 'the RMT key'));
  const weights = record.weights === null ? null : checkWeights(record.weights, bad);
  const rmt = record.rmt === null ? null : checkRmt(record.rmt, bad);
  return { key: { weightStats, rmt: rmtKey }, weights, rmt };
}

const TAG = '$f';
const SPECIAL: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY, '-0': -0 };

function encodeNumbers(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { [TAG]: Object.is(value, -0) ? '-0' : String(value) };
  }
  if (Array.isArray(value)) return value.map(encodeNumbers);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeNumbers(v)]));
  return value;
}

function decodeNumbers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeNumbers);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === TAG && typeof entries[0]![1] === 'string' && Object.hasOwn(SPECIAL, entries[0]![1])) return SPECIAL[entries[0]![1]];
    return Object.fromEntries(entries.map(([k, v]) => [k, decodeNumbers(v)]));
  }
  return value;
}

type Bad = (field: string, expected: string) => InvarlockError;

function asObject(value: unknown, fail: () => InvarlockError): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail();
  return value as Record<string, unknown>;
}

function asArray(value: unknown, fail: () => InvarlockError): unknown[] {
  if (!Array.isArray(value)) throw fail();
  return value;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isString = (v: unknown): v is string => typeof v === 'string';

function checkStatsOptions(value: unknown, fail: () => InvarlockError): MatrixStatsOptions {
  const o = asObject(value, fail);
  if (!isCount(o.powerIters) || !isCount(o.mpTopK) || !isCount(o.mpIters)) throw fail();
  return { powerIters: o.powerIters, mpTopK: o.mpTopK, mpIters: o.mpIters };
}

function checkRmtKey(value: unknown, fail: () => InvarlockError): NonNullable<BaselineGuardKey['rmt']> {
  const o = asObject(value, fail);
  const taps = asArray(o.taps, fail);
  if (!isCount(o.iters) || !isString(o.calibrationSha256) || !taps.every(isString)) throw fail();
  return { iters: o.iters, taps, calibrationSha256: o.calibrationSha256 };
}

const DESCRIPTOR_STRINGS = ['key', 'module', 'role', 'family'] as const;

function checkDescriptor(o: Record<string, unknown>, fail: () => InvarlockError): Pick<WeightSummary, 'key' | 'module' | 'role' | 'family' | 'layer'> {
  for (const field of DESCRIPTOR_STRINGS) if (!isString(o[field])) throw fail();
  if (o.layer !== null && !isCount(o.layer)) throw fail();
  // role and family are the adapters' vocabularies; the saved record came from this program (its key digest checked)
  return { key: o.key as string, module: o.module as string, role: o.role as WeightSummary['role'], family: o.family as WeightSummary['family'], layer: o.layer as number | null };
}

function checkWeights(value: unknown, bad: Bad): WeightMeasurements {
  const o = asObject(value, () => bad('weights', 'an object'));
  const summaries = asArray(o.summaries, () => bad('weights.summaries', 'an array')).map((item, i): WeightSummary => {
    const fail = () => bad(`weights.summaries[${i}]`, 'a weight summary');
    const s = asObject(item, fail);
    const descriptor = checkDescriptor(s, fail);
    if (!isCount(s.rows) || !isCount(s.cols) || !isCount(s.nonFinite) || !isNumber(s.firstNonFinite) || (s.tiedWith !== undefined && !isString(s.tiedWith))) throw fail();
    return { ...descriptor, rows: s.rows, cols: s.cols, ...(s.tiedWith === undefined ? {} : { tiedWith: s.tiedWith }), nonFinite: s.nonFinite, firstNonFinite: s.firstNonFinite };
  });
  const stats = asArray(o.stats, () => bad('weights.stats', 'an array')).map((item, i): WeightStats => {
    const fail = () => bad(`weights.stats[${i}]`, 'weight statistics');
    const s = asObject(item, fail);
    return { ...checkDescriptor(s, fail), stats: checkMatrixStats(s.stats, fail) };
  });
  return { summaries, stats };
}

const STATS_NUMBERS = ['frobeniusNorm', 'sigmaMax', 'stableRank', 'rowNormMin', 'rowNormMedian', 'colNormMin', 'colNormMedian', 'mean', 'std'] as const;

function checkMatrixStats(value: unknown, fail: () => InvarlockError): MatrixStats {
  const s = asObject(value, fail);
  if (!isCount(s.rows) || !isCount(s.cols) || !isCount(s.nonFinite) || !isNumber(s.firstNonFiniteIndex)) throw fail();
  for (const field of STATS_NUMBERS) if (!isNumber(s[field])) throw fail();
  let mp: MatrixStats['mp'] = null;
  if (s.mp !== null) {
    const m = asObject(s.mp, fail);
    const top = asArray(m.topSingularValues, fail);
    if (!isNumber(m.edge) || !isCount(m.count) || typeof m.isSaturated !== 'boolean' || !top.every(isNumber)) throw fail();
    mp = { edge: m.edge, topSingularValues: top, count: m.count, isSaturated: m.isSaturated };
  }
  const n = (field: (typeof STATS_NUMBERS)[number]) => s[field] as number;
  return {
    rows: s.rows,
    cols: s.cols,
    nonFinite: s.nonFinite,
    firstNonFiniteIndex: s.firstNonFiniteIndex,
    frobeniusNorm: n('frobeniusNorm'),
    sigmaMax: n('sigmaMax'),
    stableRank: n('stableRank'),
    rowNormMin: n('rowNormMin'),
    rowNormMedian: n('rowNormMedian'),
    colNormMin: n('colNormMin'),
    colNormMedian: n('colNormMedian'),
    mean: n('mean'),
    std: n('std'),
    mp,
  };
}

function checkRmt(value: unknown, bad: Bad): RmtModuleMeasurement[] {
  return asArray(value, () => bad('rmt', 'an array')).map((item, i): RmtModuleMeasurement => {
    const fail = () => bad(`rmt[${i}]`, 'an RMT module measurement');
    const m = asObject(item, fail);
    if (!isString(m.key) || !isString(m.module) || !isString(m.family)) throw fail();
    const windows = asArray(m.windows, fail).map((w) => {
      const o = asObject(w, fail);
      if (!isString(o.windowId) || !isCount(o.tokens) || !isNumber(o.ratio) || !isCount(o.nonFinite)) throw fail();
      return { windowId: o.windowId, tokens: o.tokens, ratio: o.ratio, nonFinite: o.nonFinite };
    });
    return { key: m.key, module: m.module, family: m.family as RmtModuleMeasurement['family'], windows };
  });
}
