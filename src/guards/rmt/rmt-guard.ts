import { THRESHOLD_FAMILY, WEIGHT_FAMILIES, type WeightFamily } from '../../edits/index.js';
import { InvarlockError } from '../../errors/index.js';
import { statusOf } from '../guard-status.js';
import type { ActivationRmt } from '../linalg/activation-rmt.js';
import type { GuardResult, GuardViolation, RmtInput, RmtModuleMeasurement, RmtPolicy, RmtWindowMeasurement } from '../types.js';


/** One family's RMT comparison. */
export interface RmtFamilyMeasurement {
  readonly family: WeightFamily;
  readonly modules: number;
  /** Max over the family's modules of the token-weighted mean r. */
  readonly baseline: number;
  readonly subject: number;
  readonly epsilon: number;
  /** (1 + ε)·baseline; null when the baseline is 0 (not judged). */
  readonly limit: number | null;
}

/** Marchenko–Pastur outlier telemetry of one weight. */
export interface MpOutlierTelemetry {
  readonly key: string;
  readonly module: string;
  readonly family: WeightFamily;
  readonly baseline: number;
  readonly subject: number;
  readonly isSaturated: boolean;
}

/** What the RMT guard measured. */
export interface RmtMeasurements {
  readonly windows: readonly string[];
  readonly modules: readonly { readonly key: string; readonly module: string; readonly family: WeightFamily; readonly baseline: number; readonly subject: number }[];
  readonly families: readonly RmtFamilyMeasurement[];
  /** null when no weight stats with MP counts were given. */
  readonly mpOutliers: readonly MpOutlierTelemetry[] | null;
}

/**
 * A window measurement from a {@link ActivationRmt} kernel result.
 */
export function toRmtWindowMeasurement(windowId: string, result: ActivationRmt): RmtWindowMeasurement {
  return { windowId, tokens: result.tokens, ratio: result.ratio, nonFinite: result.nonFinite };
}

/**
 * The RMT guard (ALGORITHMS.md §5): per module the token-weighted mean r over the calibration
 * windows, per family the max over modules present in both models; stable ⇔ for every family with
 * baseline > 0, r_subject ≤ (1 + ε_f)·r_baseline (`rmt_growth`, fatal otherwise). NaN/Inf activations
 * are fatal (`rmt_nonfinite`). Telemetry: MP outlier counts of each paired weight, baseline vs subject.
 * @throws InvarlockError `E_PAIRING_MISSING` (`details.module`, `details.window`) when a module was
 * measured on different windows in the two models.
 */
export function evaluateRmt(input: RmtInput, policy: RmtPolicy): GuardResult<RmtMeasurements> {
  const subjectByKey = new Map(input.subject.map((m) => [m.key, m]));
  const violations: GuardViolation[] = [];
  const modules: { key: string; module: string; family: WeightFamily; baseline: number; subject: number }[] = [];
  const windowIds = new Set<string>();
  for (const base of input.baseline) {
    const subject = subjectByKey.get(base.key);
    if (subject === undefined) continue;
    checkSameWindows(base, subject);
    for (const w of base.windows) windowIds.add(w.windowId);
    for (const [model, measured] of [['baseline', base], ['subject', subject]] as const) {
      const bad = measured.windows.filter((w) => w.nonFinite > 0);
      if (bad.length > 0) {
        violations.push({
          code: 'rmt_nonfinite',
          severity: 'fatal',
          key: base.key,
          module: base.module,
          family: base.family,
          message: `${model} activations of ${base.module} hold NaN/Inf on window ${bad[0]?.windowId}`,
          value: bad.reduce((sum, w) => sum + w.nonFinite, 0),
          threshold: 0,
        });
      }
    }
    modules.push({ key: base.key, module: base.module, family: base.family, baseline: weightedMean(base.windows), subject: weightedMean(subject.windows) });
  }
  // Per family the max over its modules: for `experts` the worst expert projection of any block.
  const families = WEIGHT_FAMILIES.flatMap((family): RmtFamilyMeasurement[] => {
    const members = modules.filter((m) => m.family === family);
    if (members.length === 0) return [];
    const baseline = Math.max(...members.map((m) => m.baseline));
    const subject = Math.max(...members.map((m) => m.subject));
    const epsilon = policy.epsilon[THRESHOLD_FAMILY[family]];
    const limit = baseline > 0 ? (1 + epsilon) * baseline : null;
    if (limit !== null && !(subject <= limit)) {
      violations.push({
        code: 'rmt_growth',
        severity: 'fatal',
        key: null,
        module: null,
        family,
        message: `${family} edge ratio ×${formatAbove(subject / baseline, 1 + epsilon)} > ${1 + epsilon} (activation edge ratio ${subject.toFixed(5)}, baseline ${baseline.toFixed(5)})`,
        value: subject / baseline,
        threshold: 1 + epsilon,
      });
    }
    return [{ family, modules: members.length, baseline, subject, epsilon, limit }];
  });
  const measurements: RmtMeasurements = { windows: [...windowIds], modules, families, mpOutliers: mpTelemetry(input) };
  if (modules.length === 0) {
    return { guard: 'rmt', status: 'not_evaluated', evaluated: false, reason: 'no module was measured in both models', measurements, violations };
  }
  const status = statusOf(violations);
  const reason = worstFinding(violations);
  return { guard: 'rmt', status, evaluated: true, ...(reason === undefined ? {} : { reason }), measurements, violations };
}

/** The fatal finding that exceeds its threshold most (non-finite activations first), with how many more there are. */
function worstFinding(violations: readonly GuardViolation[]): string | undefined {
  const fatal = violations.filter((v) => v.severity === 'fatal');
  const excess = (v: GuardViolation): number => (v.code === 'rmt_nonfinite' ? Number.POSITIVE_INFINITY : (v.value ?? 0) / (v.threshold ?? 1));
  const worst = fatal.reduce<GuardViolation | undefined>((best, v) => (best === undefined || excess(v) > excess(best) ? v : best), undefined);
  if (worst === undefined) return undefined;
  return fatal.length > 1 ? `${worst.message} (+${fatal.length - 1} more)` : worst.message;
}

/** `value` with the fewest decimals (3 to 6) that still show it above `limit`. */
function formatAbove(value: number, limit: number): string {
  for (let digits = 3; digits < 6; digits += 1) {
    const text = value.toFixed(digits);
    if (Number(text) > limit) return text;
  }
  return value.toFixed(6);
}

function weightedMean(windows: readonly RmtWindowMeasurement[]): number {
  let weighted = 0;
  let tokens = 0;
  for (const w of windows) {
    weighted += w.tokens * w.ratio;
    tokens += w.tokens;
  }
  return tokens > 0 ? weighted / tokens : 0;
}

function checkSameWindows(base: RmtModuleMeasurement, subject: RmtModuleMeasurement): void {
  const a = new Set(base.windows.map((w) => w.windowId));
  const b = new Set(subject.windows.map((w) => w.windowId));
  const missing = [...a].find((id) => !b.has(id)) ?? [...b].find((id) => !a.has(id));
  if (missing !== undefined) {
    throw new InvarlockError('E_PAIRING_MISSING', `RMT activations of ${base.module} were not measured on the same windows in both models`, {
      details: { module: base.module, window: missing },
    });
  }
}

function mpTelemetry(input: RmtInput): MpOutlierTelemetry[] | null {
  if (input.weights === undefined) return null;
  const subjectByKey = new Map(input.weights.subject.map((w) => [w.key, w]));
  const out: MpOutlierTelemetry[] = [];
  for (const base of input.weights.baseline) {
    const subject = subjectByKey.get(base.key);
    if (subject === undefined || base.stats.mp === null || subject.stats.mp === null) continue;
    out.push({
      key: base.key,
      module: base.module,
      family: base.family,
      baseline: base.stats.mp.count,
      subject: subject.stats.mp.count,
      isSaturated: base.stats.mp.isSaturated || subject.stats.mp.isSaturated,
    });
  }
  return out;
}
