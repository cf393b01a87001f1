import { deriveSeed } from '../stats/index.js';
import { isInvarlockError } from '../errors/index.js';
import { certificateDigest, policyDigest, runId } from './certificate-digest.js';
import type { Certificate } from './certificate-types.js';
import { decidePairing } from './decide-pairing.js';
import { deriveEvaluation, type DerivedEvaluation } from './derive-evaluation.js';
import type { RunOutcome, VerifyCheck, VerifyCheckId, VerifyOptions, VerifyReport } from './types.js';
import { certificateValidator, parseCertificateJson, PARSE_DEFAULTS } from './validate-certificate.js';

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
 * Checks that a certificate is internally consistent (CERTIFICATE.md "verify: integrity, not
 * taste"), in order: JSON parse (for text or bytes) → schema → certificate digest and run id →
 * policy digest → pairing invariants → statistics re-derived from the per-window data (point
 * ratio within 1e-12 relative; bootstrap CI recomputed with the recorded seed, method and
 * replicates, bit-identical; every other statistic bit-identical) → every gate re-decided from the
 * measurements and the recorded policy, compared with the recorded flags → the verdict. With
 * `requirePass`, the verdict must also be `pass` or `warn`.
 *
 * The statistics and gates are re-derived by the same functions `buildCertificate` uses (src/eval's
 * paired summaries, bootstrap, tail and gates). Guard statuses are taken as recorded: their
 * decision functions live in the guards layer, so verify checks only that flags and statuses agree.
 *
 * Never throws for bad input: the report's `exitCode` is 0 consistent, 1 inconsistent (a named
 * check failed; `path`, `expected` and `actual` name the first differing value) or not passing
 * under `requirePass`, 2 malformed or unreadable.
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
      return malformed([...checks, { id: 'parse', status: 'fail', message }]);
    }
  } else {
    checks.push(skip('parse', 'given a parsed value'));
  }

  const validator = certificateValidator();
  if (!validator.check(parsed)) {
    const problems = validator.problems(parsed);
    const first = problems[0] ?? '/: invalid';
    return malformed([...checks, { id: 'schema', status: 'fail', message: `${source} does not match the certificate schema: ${first}`, path: first.split(':')[0] ?? '/' }]);
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

  checks.push(checkPairing(cert));

  const derived = deriveFrom(cert);
  if (derived instanceof Error) {
    const failure: VerifyCheck = { id: 'statistics', status: 'fail', message: `the per-window data cannot be summarised: ${derived.message}` };
    checks.push(failure, skip('gates', 'statistics could not be re-derived'), skip('verdict', 'statistics could not be re-derived'));
  } else {
    checks.push(compareGroup('statistics', 'every statistic re-derived from the per-window data matches (bootstrap CI bit-identical)', statisticsPairs(cert, derived)));
    checks.push(compareGroup('gates', 'every gate re-decided from the measurements and the recorded policy matches its flag', gatePairs(cert, derived)));
    checks.push(compareGroup('verdict', `the recorded verdict ${cert.verdict.status} is the re-derived one`, [['verdict', derived.verdict, cert.verdict]]));
  }

  if (options.requirePass ?? VERIFY_DEFAULTS.requirePass) {
    const ok = cert.verdict.status === 'pass' || cert.verdict.status === 'warn';
    checks.push(ok ? pass('require_pass', `verdict ${cert.verdict.status}`) : differs('require_pass', `verdict ${cert.verdict.status} is not pass or warn`, 'verdict.status', 'pass', cert.verdict.status));
  }
  const failed = checks.some((c) => c.status === 'fail');
  return { exitCode: failed ? 1 : 0, checks, verdict: cert.verdict.status, digest: cert.digest };
}

const ORDER: readonly VerifyCheckId[] = ['parse', 'schema', 'certificate_digest', 'policy_digest', 'pairing', 'statistics', 'gates', 'verdict'];

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

function differs(id: VerifyCheckId, message: string, path: string, expected: unknown, actual: unknown): VerifyCheck {
  return { id, status: 'fail', message, path, expected: show(expected), actual: show(actual) };
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function checkPairing(cert: Certificate): VerifyCheck {
  const decision = decidePairing(cert.pairing, cert.windows, { baseline: cert.models.baseline.tokenizer_hash, subject: cert.models.subject.tokenizer_hash, dataset: cert.dataset.tokenizer_hash });
  const expected = decision.status === 'pass' ? true : decision.status === 'fail' ? false : null;
  if (expected !== cert.validation.pairing_ok) {
    return { ...differs('pairing', `pairing_ok disagrees with the pairing invariants${decision.problems.length > 0 ? `: ${decision.problems[0] ?? ''}` : ''}`, 'validation.pairing_ok', expected, cert.validation.pairing_ok) };
  }
  switch (decision.status) {
    case 'pass':
      return pass('pairing', 'match 1, overlap 0, no duplicates, equal counts, one tokenizer');
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
    });
  } catch (error) {
    if (isInvarlockError(error)) return error;
    throw error;
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
  ];
}

function gatePairs(cert: Certificate, d: DerivedEvaluation): Pair[] {
  const guardPairs = (['invariants', 'spectral', 'rmt', 'variance'] as const).map((name): Pair => {
    const g = cert.guards[name];
    return [`guards.${name}.status`, g.evaluated ? (g.status === 'not_evaluated' ? 'pass, warn or fail' : g.status) : 'not_evaluated', g.status];
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
