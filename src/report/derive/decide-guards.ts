import { THRESHOLD_FAMILY } from '../../adapters/index.js';
import type { CheckStatus, Guards, GuardBlock, PolicyBlock, Violation } from '../certificate/certificate-types.js';

/**
 * Guard statuses re-decided from what a certificate records (issue 13): the guards' rules
 * (src/guards, ALGORITHMS.md §5) applied to the measurements the certificate carries and to the
 * severities of its recorded violations. A certificate records less than the guards saw (no
 * per-tensor NaN positions, no activation windows), so each decision is the status those records
 * imply: a guard whose recorded measurements break its rule can never be recorded as passing, and
 * a recorded status must equal the one re-decided. Pure; `verify` compares the result with the
 * recorded statuses.
 */

/** A guard's re-decided status and, when its measurements disagree with each other, why. */
export interface GuardRedecision {
  readonly status: CheckStatus;
  /** What in the measurements forced the status beyond `pass` (first few), for messages. */
  readonly because: readonly string[];
  /** Recorded summary counts that the per-module records contradict (`path`, re-derived, recorded). */
  readonly mismatches: readonly { readonly path: string; readonly expected: unknown; readonly actual: unknown }[];
}

const RANK: Readonly<Record<'pass' | 'warn' | 'fail', number>> = { pass: 0, warn: 1, fail: 2 };

class Decision {
  status: 'pass' | 'warn' | 'fail' = 'pass';
  readonly because: string[] = [];
  readonly mismatches: { path: string; expected: unknown; actual: unknown }[] = [];
  raise(to: 'warn' | 'fail', why: string): void {
    if (RANK[to] > RANK[this.status]) this.status = to;
    if (this.because.length < 4) this.because.push(why);
  }
  fromViolations(violations: readonly Violation[]): void {
    for (const v of violations) this.raise(v.severity === 'fatal' ? 'fail' : 'warn', `${v.code}: ${v.message}`);
  }
  done(): GuardRedecision {
    return { status: this.status, because: this.because, mismatches: this.mismatches };
  }
}

function notEvaluated(): GuardRedecision {
  return { status: 'not_evaluated', because: [], mismatches: [] };
}

/** A guard that ran but recorded no measurements: only its violations can be judged. */
function fromViolationsOnly(block: GuardBlock<unknown>): GuardRedecision {
  const d = new Decision();
  d.fromViolations(block.violations);
  return d.done();
}

/** The models' tokenizer hashes; `own`: each model scores with its own tokenizer (nll_per_byte), so a change is expected. */
export interface GuardTokenizers {
  readonly baseline: string | null;
  readonly subject: string | null;
  readonly own?: boolean;
}

/**
 * Invariants: NaN/Inf weights or a changed tokenizer (unless each model brings its own) are fatal; a changed parameter count or
 * structure hash, a broken tie or a missing module is at least a warning (fatal in `strict`).
 */
export function redecideInvariants(block: Guards['invariants'], policy: PolicyBlock, tokenizers: GuardTokenizers): GuardRedecision {
  if (!block.evaluated) return notEvaluated();
  const m = block.measurements;
  if (m === null) return fromViolationsOnly(block);
  const d = new Decision();
  const structural = policy.thresholds.invariants.mode === 'strict' ? 'fail' : 'warn';
  if (m.nonfinite_weights !== null && m.nonfinite_weights > 0) d.raise('fail', `${m.nonfinite_weights} NaN/Inf weights`);
  if (tokenizers.own !== true && tokenizers.baseline !== null && tokenizers.subject !== null && tokenizers.baseline !== tokenizers.subject) d.raise('fail', 'the tokenizer hash changed');
  if (m.missing_modules !== null && m.missing_modules > 0) d.raise('warn', `${m.missing_modules} modules missing`);
  if (m.param_count.baseline !== null && m.param_count.subject !== null && m.param_count.baseline !== m.param_count.subject) d.raise(structural, 'the parameter count changed');
  if (m.structure_hash.baseline !== null && m.structure_hash.subject !== null && m.structure_hash.baseline !== m.structure_hash.subject) d.raise(structural, 'the structure hash changed');
  if (m.weights_tied.baseline === true && m.weights_tied.subject === false) d.raise(structural, 'a weight tie was broken');
  d.fromViolations(block.violations);
  return d.done();
}

/**
 * Spectral: per module, a non-finite ratio, a stable-rank or norm-collapse ratio below its fatal
 * floor is fatal, below its warning floor a warning; |ρ − 1| above the deadband is a cap; more caps
 * than `max_caps` fail, any cap warns. The recorded `caps` must equal the caps counted from the
 * modules, and the recorded `fatal` count cannot be below the fatal modules.
 */
export function redecideSpectral(block: Guards['spectral'], policy: PolicyBlock): GuardRedecision {
  if (!block.evaluated) return notEvaluated();
  const m = block.measurements;
  if (m === null) return fromViolationsOnly(block);
  const t = policy.thresholds.spectral;
  const d = new Decision();
  let caps = 0;
  let fatalModules = 0;
  for (const mod of m.modules) {
    let fatal = false;
    if (mod.ratio === null) fatal = true;
    else if (Math.abs(mod.ratio - 1) > t.deadband) caps++;
    for (const [name, value, warn, floor] of [
      ['stable rank', mod.stable_rank_ratio, t.stable_rank_warn, t.stable_rank_fatal],
      ['norm collapse', mod.norm_collapse_ratio, t.norm_collapse_warn, t.norm_collapse_fatal],
    ] as const) {
      if (value === null || value >= warn) continue;
      if (value < floor) fatal = true;
      else d.raise('warn', `${mod.module}: ${name} ratio ${value} < ${warn}`);
    }
    if (fatal) {
      fatalModules++;
      d.raise('fail', `${mod.module}: fatal spectral change`);
    }
  }
  if (caps !== m.caps) d.mismatches.push({ path: 'guards.spectral.measurements.caps', expected: caps, actual: m.caps });
  if (m.fatal < fatalModules) d.mismatches.push({ path: 'guards.spectral.measurements.fatal', expected: `≥ ${fatalModules}`, actual: m.fatal });
  if (m.fatal > 0) d.raise('fail', `${m.fatal} fatal spectral violations`);
  if (caps > t.max_caps) d.raise('fail', `${caps} caps > max_caps ${t.max_caps}`);
  else if (caps > 0) d.raise('warn', `${caps} caps within max_caps ${t.max_caps}`);
  d.fromViolations(block.violations);
  return d.done();
}

/**
 * RMT: per family with a positive baseline, a subject edge ratio above (1 + ε_f)·baseline (or not
 * finite) is fatal. A family's recorded ratios must be the maxima over its recorded modules.
 */
export function redecideRmt(block: Guards['rmt'], policy: PolicyBlock): GuardRedecision {
  if (!block.evaluated) return notEvaluated();
  const m = block.measurements;
  if (m === null) return fromViolationsOnly(block);
  const d = new Decision();
  m.families.forEach((f, i) => {
    const members = m.modules.filter((mod) => mod.family === f.family);
    for (const side of ['baseline', 'subject'] as const) {
      const values = members.map((mod) => mod[side]);
      if (values.length === 0 || values.some((v) => v === null)) continue;
      const max = Math.max(...(values as number[]));
      if (max !== f[side]) d.mismatches.push({ path: `guards.rmt.measurements.families[${i}].${side}`, expected: max, actual: f[side] });
    }
    if (f.baseline === null || !(f.baseline > 0)) return;
    const epsilon = policy.thresholds.rmt.epsilon[THRESHOLD_FAMILY[f.family]];
    if (f.subject === null || !(f.subject <= (1 + epsilon) * f.baseline)) d.raise('fail', `${f.family}: edge ratio ${f.subject ?? 'non-finite'} > (1 + ${epsilon})·${f.baseline}`);
  });
  d.fromViolations(block.violations);
  return d.done();
}

/** Variance: its recorded violations decide (a regression found by the A/B test warns). */
export function redecideVariance(block: Guards['variance']): GuardRedecision {
  if (!block.evaluated) return notEvaluated();
  return fromViolationsOnly(block);
}

/** Every guard re-decided. */
export function redecideGuards(guards: Guards, policy: PolicyBlock, tokenizers: GuardTokenizers): Readonly<Record<keyof Guards, GuardRedecision>> {
  return {
    invariants: redecideInvariants(guards.invariants, policy, tokenizers),
    spectral: redecideSpectral(guards.spectral, policy),
    rmt: redecideRmt(guards.rmt, policy),
    variance: redecideVariance(guards.variance),
  };
}
