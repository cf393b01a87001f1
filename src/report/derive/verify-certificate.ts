import { deriveSeed } from '../../stats/index.js';
import { isInvarlockError, type ErrorCode } from '../../errors/index.js';
import { certificateDigest, policyDigest, runId } from '../certificate/certificate-digest.js';
import type { Certificate } from '../certificate/certificate-types.js';
import { redecideGuards } from './decide-guards.js';
import { decidePairing } from './decide-pairing.js';
import { deriveEvaluation, type DerivedEvaluation } from './derive-evaluation.js';
import { ownTokenizers } from './span-metric.js';
import type { PolicyBlock } from '../certificate/certificate-types.js';
import type { AcceptedPolicy, RunOutcome, SequentialAllowance, VerifyCheck, VerifyCheckId, VerifyOptions, VerifyReport } from '../types.js';
import { certificateValidator, parseCertificateJson, PARSE_DEFAULTS } from '../certificate/validate-certificate.js';

/** Relative tolerance of the point ratio (CERTIFICATE.md: exp(weighted mean Δ) within 1e-12). */
const RATIO_TOLERANCE = 1e-12;

/** Defaults of {@link verifyCertificate}. */
export const VERIFY_DEFAULTS = Object.freeze({
  /** @default false */
  requirePass: false,
  /** @default 'certificate' */
  source: 'certificate',
  /** @default 33_554_432 (32 MiB) */
  maxBytes: PARSE_DEFAULTS.maxBytes,
});

/**
 * Checks that a certificate is internally consistent and was decided with an accepted policy
 * (CERTIFICATE.md "verify: integrity, not taste", issue 13), in order: JSON parse (for text or
 * bytes; duplicate keys refused) → schema (which bounds every count, replicates included) →
 * certificate digest and run id → policy digest → policy: the recorded policy equals the accepted
 * one (`options.policy`), else nothing is re-derived from it → pairing invariants → statistics
 * re-derived from the per-window data (point ratio within 1e-12 relative; bootstrap CI recomputed
 * with the recorded seed, method and replicates, bit-identical; every other statistic
 * bit-identical) → every gate re-decided from the measurements and the policy, guard statuses
 * included (from the guards' recorded measurements and violations), compared with the recorded
 * flags → the verdict. With `requirePass`, the verdict must also be `pass` or `warn`.
 *
 * Digests only show the file is whole: anyone can recompute them. What verify adds is that every
 * decision follows from the recorded measurements under the accepted policy; the measurements
 * themselves are the producer's word unless the certificate is signed (README "Security").
 *
 * Never throws for bad input: the report's `exitCode` is 0 consistent, 1 inconsistent (a named
 * check failed; `path`, `expected` and `actual` name the first differing value, `code` the
 * rejection) or not passing under `requirePass`, 2 malformed or unreadable.
 */
export function verifyCertificate(value: unknown, options: VerifyOptions = {}): VerifyReport {
  const source = options.source ?? VERIFY_DEFAULTS.source;
  const checks: VerifyCheck[] = [];
  let parsed: unknown = value;
  if (typeof value === 'string' || value instanceof Uint8Array) {
    try {
      parsed = parseCertificateJson(value, { source, maxBytes: options.maxBytes ?? VERIFY_DEFAULTS.maxBytes });
      checks.push(pass('parse', `${source} is well-formed JSON`));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code: ErrorCode = isInvarlockError(error) ? error.code : 'E_CERT_PARSE';
      return malformed([...checks, { id: 'parse', status: 'fail', message, code }]);
    }
  } else {
    checks.push(skip('parse', 'given a parsed value'));
  }

  const validator = certificateValidator();
  if (!validator.check(parsed)) {
    const problems = validator.problems(parsed);
    const first = problems[0] ?? '/: invalid';
    return malformed([...checks, { id: 'schema', status: 'fail', message: `${source} does not match the certificate schema: ${first}`, path: first.split(':')[0] ?? '/', code: 'E_CERT_SCHEMA' }]);
  }
  const cert = parsed;
  checks.push(pass('schema', 'matches contracts/certificate.schema.json'));

  const digest = certificateDigest(cert);
  const id = runId(cert);
  if (digest !== cert.digest) checks.push(differs('certificate_digest', 'the certificate digest does not match its content', 'digest', digest, cert.digest));
  else if (id !== cert.run_id) checks.push(differs('certificate_digest', 'the run id does not match the run identity', 'run_id', id, cert.run_id));
  else checks.push(pass('certificate_digest', `sha256 ${digest} matches; run id matches`));

  const policy = policyDigest(cert.policy);
  checks.push(policy === cert.policy_digest ? pass('policy_digest', `policy ${cert.policy.tier}/${cert.policy.profile} digest matches`) : differs('policy_digest', 'the policy digest does not match the recorded policy', 'policy_digest', policy, cert.policy_digest));

  const accepted = checkPolicy(cert.policy, options.policy);
  checks.push(accepted);
  checks.push(checkPairing(cert));

  if (accepted.status === 'fail') {
    // Counts and thresholds of a policy nobody accepted decide nothing, and cost nothing.
    const why = 'the recorded policy is not the accepted one';
    checks.push(skip('statistics', why), skip('gates', why), skip('verdict', why));
  } else {
    const derived = deriveFrom(cert);
    if (derived instanceof Error) {
      const failure: VerifyCheck = { id: 'statistics', status: 'fail', message: `the per-window data cannot be summarised: ${derived.message}`, code: 'E_CERT_VERIFY' };
      checks.push(failure, skip('gates', 'statistics could not be re-derived'), skip('verdict', 'statistics could not be re-derived'));
    } else {
      checks.push(compareGroup('statistics', 'every statistic re-derived from the per-window data matches (bootstrap CI bit-identical)', statisticsPairs(cert, derived)));
      checks.push(compareGroup('gates', 'every gate and guard status re-decided from the measurements and the policy matches its record', gatePairs(cert, derived)));
      checks.push(compareGroup('verdict', `the recorded verdict ${cert.verdict.status} is the re-derived one`, [['verdict', derived.verdict, cert.verdict]]));
    }
  }

  if (options.requirePass ?? VERIFY_DEFAULTS.requirePass) {
    const ok = cert.verdict.status === 'pass' || cert.verdict.status === 'warn';
    checks.push(ok ? pass('require_pass', `verdict ${cert.verdict.status}`) : differs('require_pass', `verdict ${cert.verdict.status} is not pass or warn`, 'verdict.status', 'pass', cert.verdict.status, null));
  }
  const failed = checks.some((c) => c.status === 'fail');
  return { exitCode: failed ? 1 : 0, checks, verdict: cert.verdict.status, digest: cert.digest };
}

/**
 * The policy check: the recorded policy must equal the accepted one, leaf for leaf, except the
 * sample sizes a run chooses within the tier's rules ({@link withRunSampleSizes}).
 */
function checkPolicy(recorded: PolicyBlock, accepted: AcceptedPolicy | undefined): VerifyCheck {
  const name = `${recorded.tier}/${recorded.profile}`;
  if (accepted === undefined) {
    return { id: 'policy', status: 'fail', message: `no accepted policy was given, so the recorded ${name} policy proves nothing`, code: 'E_CERT_POLICY' };
  }
  if (accepted.kind === 'recorded') return pass('policy', `the recorded ${name} policy is accepted as this run's own`);
  const expected = accepted.kind === 'fixed' ? accepted.policy : accepted.policyFor(recorded.tier, recorded.profile);
  if (expected === undefined) {
    return { id: 'policy', status: 'fail', message: `${accepted.source} has no policy ${name}`, path: 'policy.tier', code: 'E_CERT_POLICY' };
  }
  const difference = firstDifference(withRunSequential(withRunSampleSizes(expected, recorded), recorded, accepted.sequential), recorded, 'policy');
  if (difference === undefined) return pass('policy', `the recorded policy is ${accepted.source}'s ${name}${recorded.overridden.length > 0 ? ` (run's own ${recorded.overridden.join(', ')})` : ''}`);
  return differs('policy', `the recorded policy differs from ${accepted.source}'s ${expected.tier}/${expected.profile}`, difference.path, difference.expected, difference.actual, 'E_CERT_POLICY');
}

/** Policy leaves a run may set itself: how many windows it plans (a config or `--preview-n`/`--final-n`). */
const RUN_WINDOW_LEAVES = ['windows.preview_n', 'windows.final_n'] as const;
const REPLICATES_LEAF = 'thresholds.bootstrap.replicates';

/**
 * The accepted policy with the sample sizes this run may have chosen copied from the recorded one:
 * planned window counts (any: the tier's window and token floors, which must match, judge the
 * windows actually scored) and the bootstrap replicates only as certify raises them, to the tier's
 * `min_replicates` under enforced floors. `overridden` may name only those leaves. Nothing else a
 * certificate records about its policy is its own choice.
 */
function withRunSampleSizes(accepted: PolicyBlock, recorded: PolicyBlock): PolicyBlock {
  const boot = accepted.thresholds.bootstrap;
  const raised = accepted.thresholds.primary_metric.floors === 'enforced' ? Math.max(boot.replicates, boot.min_replicates) : boot.replicates;
  const replicates = recorded.thresholds.bootstrap.replicates === raised ? raised : boot.replicates;
  const ownLeaves = new Set<string>([...RUN_WINDOW_LEAVES, REPLICATES_LEAF]);
  return {
    ...accepted,
    windows: { preview_n: recorded.windows.preview_n, final_n: recorded.windows.final_n },
    thresholds: { ...accepted.thresholds, bootstrap: { ...boot, replicates } },
    overridden: recorded.overridden.every((leaf) => ownLeaves.has(leaf)) ? recorded.overridden : accepted.overridden,
  };
}

/**
 * The accepted policy with the recorded sequential looks copied in when the verifier's allowance
 * covers them (the spending function it names, no more looks than it allows); otherwise unchanged,
 * so a recorded `policy.sequential` must equal the accepted policy's.
 */
function withRunSequential(accepted: PolicyBlock, recorded: PolicyBlock, allowance: SequentialAllowance | undefined): PolicyBlock {
  const s = recorded.sequential;
  if (s === null || allowance === undefined || s.spending !== allowance.spending || s.looks > allowance.max_looks) return accepted;
  return { ...accepted, sequential: s };
}

const ORDER: readonly VerifyCheckId[] = ['parse', 'schema', 'certificate_digest', 'policy_digest', 'policy', 'pairing', 'statistics', 'gates', 'verdict'];

function malformed(checks: VerifyCheck[]): VerifyReport {
  const done = new Set(checks.map((c) => c.id));
  for (const id of ORDER) if (!done.has(id)) checks.push(skip(id, 'the certificate could not be read'));
  return { exitCode: 2, checks };
}

function pass(id: VerifyCheckId, message: string): VerifyCheck {
  return { id, status: 'pass', message };
}

function skip(id: VerifyCheckId, message: string): VerifyCheck {
  return { id, status: 'skipped', message };
}

function differs(id: VerifyCheckId, message: string, path: string, expected: unknown, actual: unknown, code: ErrorCode | null = 'E_CERT_VERIFY'): VerifyCheck {
  return { id, status: 'fail', message, path, expected: show(expected), actual: show(actual), ...(code === null ? {} : { code }) };
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function checkPairing(cert: Certificate): VerifyCheck {
  const decision = decidePairing(cert.pairing, cert.windows, { baseline: cert.models.baseline.tokenizer_hash, subject: cert.models.subject.tokenizer_hash, dataset: cert.dataset.tokenizer_hash }, cert.primary_metric.kind);
  const expected = decision.status === 'pass' ? true : decision.status === 'fail' ? false : null;
  if (expected !== cert.validation.pairing_ok) {
    return { ...differs('pairing', `pairing_ok disagrees with the pairing invariants${decision.problems.length > 0 ? `: ${decision.problems[0] ?? ''}` : ''}`, 'validation.pairing_ok', expected, cert.validation.pairing_ok) };
  }
  switch (decision.status) {
    case 'pass':
      return pass('pairing', ownTokenizers(cert.primary_metric.kind) ? 'match 1, overlap 0, no duplicates, equal counts, the same text spans' : 'match 1, overlap 0, no duplicates, equal counts, one tokenizer');
    case 'fail':
      return pass('pairing', `the pairing failed as recorded: ${decision.problems[0] ?? ''}`);
    case 'not_evaluated':
      return pass('pairing', 'pairing was not measured, as recorded');
  }
}

function outcomeOf(cert: Certificate): RunOutcome {
  const first = cert.verdict.reasons[0];
  const status = cert.verdict.status;
  if ((status === 'error' || status === 'skipped') && first !== undefined && first.gate === 'run') return { status, code: first.code, message: first.message };
  return { status: 'completed' };
}

function deriveFrom(cert: Certificate): DerivedEvaluation | Error {
  const go = cert.guard_overhead;
  try {
    return deriveEvaluation({
      outcome: outcomeOf(cert),
      metricKind: cert.primary_metric.kind,
      windows: cert.windows,
      pairing: cert.pairing,
      tokenizers: { baseline: cert.models.baseline.tokenizer_hash, subject: cert.models.subject.tokenizer_hash, dataset: cert.dataset.tokenizer_hash },
      guards: cert.guards,
      guardOverhead:
        go.evaluated && go.bare !== null && go.guarded !== null
          ? { evaluated: true, bare: go.bare, guarded: go.guarded }
          : { evaluated: false, reason: go.reason ?? '' },
      policy: cert.policy,
      bootstrapSeed: cert.primary_metric.seed,
      sequentialPlan: cert.sequential === null ? null : { windows: cert.sequential.planned.windows, tokens: cert.sequential.planned.tokens },
    });
  } catch (error) {
    // Whatever the data provokes (a RangeError included) is a rejection, never a crash.
    return error instanceof Error ? error : new Error(String(error));
  }
}

type Pair = readonly [path: string, expected: unknown, actual: unknown, tolerance?: number];

function statisticsPairs(cert: Certificate, d: DerivedEvaluation): Pair[] {
  const pm = d.primary_metric;
  const r = cert.primary_metric;
  const seeds = cert.provenance.seeds;
  return [
    ['provenance.seeds.bootstrap', deriveSeed(seeds.run, cert.policy.seed_offsets.bootstrap), seeds.bootstrap],
    ['primary_metric.seed', seeds.bootstrap, r.seed],
    ['windows.preview.delta', d.windows.preview.delta, cert.windows.preview.delta],
    ['windows.final.delta', d.windows.final.delta, cert.windows.final.delta],
    ['primary_metric.ratio', pm.ratio, r.ratio, RATIO_TOLERANCE],
    ...(['baseline', 'subject', 'delta_mean', 'delta_ci', 'ratio_ci', 'preview_ratio', 'preview_delta_mean', 'drift', 'tokens', 'windows', 'method', 'ci_method', 'ci_fallback', 'replicates', 'alpha'] as const).map(
      (key): Pair => [`primary_metric.${key}`, pm[key], r[key]],
    ),
    ['tail.quantiles', d.tail.quantiles, cert.tail.quantiles],
    ['tail.max', d.tail.max, cert.tail.max],
    ['tail.mass', d.tail.mass, cert.tail.mass],
    ['guard_overhead.ratio', d.guard_overhead.ratio, cert.guard_overhead.ratio],
    // the planned final arm is the dataset's; every look is replayed on the recorded windows
    ...(cert.sequential === null ? [] : [['sequential.planned.windows', cert.dataset.counts.final, cert.sequential.planned.windows] as Pair]),
    ['sequential', d.sequential, cert.sequential],
  ];
}

function gatePairs(cert: Certificate, d: DerivedEvaluation): Pair[] {
  const redecided = redecideGuards(cert.guards, cert.policy, {
    baseline: cert.models.baseline.tokenizer_hash,
    subject: cert.models.subject.tokenizer_hash,
    own: ownTokenizers(cert.primary_metric.kind),
  });
  const guardPairs = (['invariants', 'spectral', 'rmt', 'variance'] as const).flatMap((name): Pair[] => {
    const r = redecided[name];
    return [...r.mismatches.map((m): Pair => [m.path, m.expected, m.actual]), [`guards.${name}.status`, r.status, cert.guards[name].status]];
  });
  return [
    ...guardPairs,
    ...(['gate_basis', 'gate_value', 'limit', 'hysteresis', 'hysteresis_applied', 'reason'] as const).map((key): Pair => [`primary_metric.${key}`, d.primary_metric[key], cert.primary_metric[key]]),
    ['tail.limit', d.tail.limit, cert.tail.limit],
    ['tail.status', d.tail.status, cert.tail.status],
    ['tail.reason', d.tail.reason, cert.tail.reason],
    ['guard_overhead.evaluated', d.guard_overhead.evaluated, cert.guard_overhead.evaluated],
    ['guard_overhead.limit', d.guard_overhead.limit, cert.guard_overhead.limit],
    ['guard_overhead.reason', d.guard_overhead.reason, cert.guard_overhead.reason],
    ['validation', d.validation, cert.validation],
  ];
}

function compareGroup(id: VerifyCheckId, passMessage: string, pairs: readonly Pair[]): VerifyCheck {
  for (const [path, expected, actual, tolerance] of pairs) {
    const difference = firstDifference(expected, actual, path, tolerance ?? 0);
    if (difference !== undefined) return differs(id, `${difference.path} differs from the re-derived value`, difference.path, difference.expected, difference.actual);
  }
  return pass(id, passMessage);
}

/**
 * The first place where `actual` differs from `expected`, as a JSON path. Numbers are equal when
 * `===` (so 0 and −0 match, as they do after a JSON round trip) or, with a tolerance, within it
 * relative to `expected`.
 * @internal
 */
export function firstDifference(expected: unknown, actual: unknown, path: string, tolerance = 0): { path: string; expected: unknown; actual: unknown } | undefined {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (expected === actual) return undefined;
    return tolerance > 0 && Math.abs(actual - expected) <= tolerance * Math.abs(expected) ? undefined : { path, expected, actual };
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return { path: `${path}.length`, expected: expected.length, actual: actual.length };
    for (let i = 0; i < expected.length; i++) {
      const d = firstDifference(expected[i], actual[i], `${path}[${i}]`, tolerance);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    for (const key of keys) {
      const d = firstDifference(expected[key], actual[key], `${path}.${key}`, tolerance);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return Object.is(expected, actual) ? undefined : { path, expected, actual };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
