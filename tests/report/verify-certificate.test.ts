import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUNDLED_POLICIES } from '../../src/core/index.js';
import { buildCertificate, certificateDigest, serializeCertificate, verifyCertificate as verifyWith, type Certificate, type VerifyOptions, type VerifyReport } from '../../src/report/index.js';
import { firstDifference } from '../../src/report/derive/verify-certificate.js';
import { sampleInputs } from './sample-inputs.js';

const samples = sampleInputs();
// verify as the CLI does: the bundled tiers decide which policy is accepted
const verifyCertificate = (value: unknown, options: VerifyOptions = {}): VerifyReport => verifyWith(value, { policy: BUNDLED_POLICIES, ...options });
// The dev sample is small (32 windows, 500 replicates), so property runs stay fast; guard
// overhead is measured so its ratio is a re-derived statistic too.
const small = buildCertificate({ ...samples.dev, guardOverhead: { evaluated: true, bare: 30.1, guarded: 30.05 } });
const failing = buildCertificate(samples.fail);
const warning = buildCertificate(samples.warn);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function clone(cert: Certificate): { [key: string]: Json } {
  return JSON.parse(JSON.stringify(cert)) as { [key: string]: Json };
}

/** Sets the value at a path of keys and indexes. */
function setAt(root: { [key: string]: Json }, path: readonly (string | number)[], value: Json): void {
  let node: Json = root;
  for (const key of path.slice(0, -1)) node = (node as { [k: string]: Json } & Json[])[key as never] as Json;
  (node as { [k: string]: Json } & Json[])[path.at(-1) as never] = value as never;
}

function getAt(root: Json, path: readonly (string | number)[]): Json {
  let node: Json = root;
  for (const key of path) node = (node as { [k: string]: Json } & Json[])[key as never] as Json;
  return node;
}

/** Every numeric leaf's path, outside `timing`. */
function numericPaths(value: Json, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'number') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => numericPaths(v, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => (path.length === 0 && k === 'timing' ? [] : numericPaths(v, [...path, k])));
  return [];
}

/** The next double above `x` (the smallest possible change). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

function redigest(cert: { [key: string]: Json }): { [key: string]: Json } {
  cert.digest = certificateDigest(cert as unknown as Certificate);
  return cert;
}

function failedChecks(report: VerifyReport): string[] {
  return report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
}

describe('verifyCertificate', () => {
  it('finds every built certificate consistent, as text, bytes or a parsed value', () => {
    for (const input of Object.values(samples)) {
      const cert = buildCertificate(input);
      const text = serializeCertificate(cert);
      for (const given of [text, new TextEncoder().encode(text), cert]) {
        const report = verifyCertificate(given);
        expect(failedChecks(report)).toEqual([]);
        expect(report.exitCode).toBe(0);
        expect(report.digest).toBe(cert.digest);
      }
    }
  });

  it('runs the checks in the documented order', () => {
    expect(verifyCertificate(serializeCertificate(small)).checks.map((c) => c.id)).toEqual(['parse', 'schema', 'certificate_digest', 'policy_digest', 'policy', 'pairing', 'statistics', 'gates', 'verdict']);
  });

  it('with requirePass, exits 1 unless the verdict is pass or warn', () => {
    expect(verifyCertificate(failing, { requirePass: true })).toMatchObject({ exitCode: 1, verdict: 'fail' });
    expect(failedChecks(verifyCertificate(failing, { requirePass: true }))).toEqual(['require_pass']);
    expect(verifyCertificate(warning, { requirePass: true }).exitCode).toBe(0);
    expect(verifyCertificate(failing).exitCode).toBe(0);
  });

  it('exits 2 for unreadable or malformed input and skips the rest', () => {
    const unreadable = verifyCertificate('{"schema_version": 1', { source: 'cut.json' });
    expect(unreadable.exitCode).toBe(2);
    expect(unreadable.checks[0]).toMatchObject({ id: 'parse', status: 'fail' });
    expect(unreadable.checks.slice(1).every((c) => c.status === 'skipped')).toBe(true);
    const malformed = verifyCertificate({ ...clone(small), verdict: 'pass' });
    expect(malformed.exitCode).toBe(2);
    expect(malformed.checks[1]).toMatchObject({ id: 'schema', status: 'fail', path: '/verdict' });
    expect(verifyCertificate('{}', { maxBytes: 1 }).exitCode).toBe(2);
  });

  it('ignores timing, which is outside the digest', () => {
    const moved = clone(small);
    setAt(moved, ['timing', 'duration_ms'], 1);
    setAt(moved, ['timing', 'started_at'], '1999-01-01T00:00:00Z');
    expect(verifyCertificate(moved).exitCode).toBe(0);
  });

  it('names the first differing value when a statistic is altered and the digest recomputed', () => {
    const forged = clone(small);
    const high = getAt(forged, ['primary_metric', 'ratio_ci', 1]) as number;
    setAt(forged, ['primary_metric', 'ratio_ci', 1], nextUp(high));
    const report = verifyCertificate(redigest(forged));
    expect(report.exitCode).toBe(1);
    expect(report.checks.find((c) => c.id === 'certificate_digest')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'statistics')).toMatchObject({
      status: 'fail',
      path: 'primary_metric.ratio_ci[1]',
      expected: JSON.stringify(high),
      actual: JSON.stringify(nextUp(high)),
    });
  });

  it('allows the point ratio a 1e-12 relative tolerance and no more', () => {
    const ratio = small.primary_metric.ratio ?? 0;
    const within = clone(small);
    setAt(within, ['primary_metric', 'ratio'], ratio * (1 + 1e-13));
    expect(failedChecks(verifyCertificate(redigest(within)))).toEqual([]);
    const beyond = clone(small);
    setAt(beyond, ['primary_metric', 'ratio'], ratio * (1 + 1e-11));
    expect(verifyCertificate(redigest(beyond)).checks.find((c) => c.id === 'statistics')).toMatchObject({ status: 'fail', path: 'primary_metric.ratio' });
  });

  it('re-decides gates and the verdict from the measurements', () => {
    const flag = clone(failing);
    setAt(flag, ['validation', 'primary_metric_acceptable'], true);
    expect(verifyCertificate(redigest(flag)).checks.find((c) => c.id === 'gates')).toMatchObject({ status: 'fail', path: 'validation.primary_metric_acceptable', expected: 'false', actual: 'true' });

    const verdict = clone(failing);
    setAt(verdict, ['verdict'], { status: 'pass', evidence: 'release', reasons: [] });
    const report = verifyCertificate(redigest(verdict));
    expect(failedChecks(report)).toEqual(['verdict']);
    expect(report.checks.find((c) => c.id === 'verdict')).toMatchObject({ path: 'verdict.status', expected: '"fail"', actual: '"pass"' });

    const guard = clone(warning);
    setAt(guard, ['guards', 'spectral', 'evaluated'], false);
    expect(failedChecks(verifyCertificate(redigest(guard)))).toContain('gates');
  });

  it('checks the policy digest, refuses a policy other than the accepted one, and re-decides with the accepted one', () => {
    const policy = clone(small);
    setAt(policy, ['policy', 'thresholds', 'primary_metric', 'ratio_limit'], 1.5);
    const report = verifyCertificate(redigest(policy));
    expect(failedChecks(report)).toEqual(['policy_digest', 'policy']);
    expect(report.checks.find((c) => c.id === 'policy')).toMatchObject({ code: 'E_CERT_POLICY', path: 'policy.thresholds.primary_metric.ratio_limit', expected: '1.1', actual: '1.5' });
    // the caller accepts the looser policy: the gates are then re-decided with it
    const accepted = { kind: 'fixed' as const, source: 'policy.json', policy: (policy as unknown as Certificate).policy };
    const decided = verifyCertificate(redigest(policy), { policy: accepted });
    expect(failedChecks(decided)).toEqual(['policy_digest', 'gates']);
    expect(decided.checks.find((c) => c.id === 'gates')?.path).toBe('primary_metric.limit');
    // without an accepted policy nothing is accepted
    expect(verifyWith(small).checks.find((c) => c.id === 'policy')).toMatchObject({ status: 'fail', code: 'E_CERT_POLICY' });
    expect(verifyWith(small, { policy: { kind: 'recorded' } }).exitCode).toBe(0);
  });

  it('lets a run choose its window counts and the replicates certify raises to the floor, nothing else', () => {
    const windows = clone(small);
    setAt(windows, ['policy', 'windows'], { preview_n: 48, final_n: 40 });
    setAt(windows, ['policy', 'overridden'], ['windows.final_n', 'windows.preview_n']);
    expect(verifyCertificate(redigest(windows)).checks.find((c) => c.id === 'policy')?.status).toBe('pass');
    const listed = clone(small);
    setAt(listed, ['policy', 'overridden'], ['thresholds.tail.p95_limit']);
    expect(verifyCertificate(redigest(listed)).checks.find((c) => c.id === 'policy')).toMatchObject({ status: 'fail', path: 'policy.overridden.length' });
    const replicates = clone(small);
    setAt(replicates, ['policy', 'thresholds', 'bootstrap', 'replicates'], 5000);
    const refused = verifyCertificate(redigest(replicates));
    expect(refused.checks.find((c) => c.id === 'policy')).toMatchObject({ status: 'fail', path: 'policy.thresholds.bootstrap.replicates' });
    // nothing is re-derived from a refused policy, so its counts allocate nothing
    expect(refused.checks.find((c) => c.id === 'statistics')?.status).toBe('skipped');
  });

  it('bounds every count by the schema before anything is allocated (issue 13: 1e308 replicates crashed, 1e8 took 105 s)', () => {
    for (const count of [1e308, 1e8]) {
      const huge = clone(small);
      setAt(huge, ['policy', 'thresholds', 'bootstrap', 'replicates'], count);
      setAt(huge, ['primary_metric', 'replicates'], count);
      for (const policy of [BUNDLED_POLICIES, { kind: 'fixed' as const, source: 'p.json', policy: (huge as unknown as Certificate).policy }]) {
        const report = verifyCertificate(JSON.stringify(redigest(huge)), { policy });
        expect(report.exitCode).toBe(2);
        expect(report.checks.find((c) => c.id === 'schema')).toMatchObject({ status: 'fail', code: 'E_CERT_SCHEMA' });
      }
    }
  });

  it('refuses a key given twice in one object (E_CERT_DUPLICATE_KEY), decoded keys included', () => {
    const text = serializeCertificate(failing);
    for (const forged of [`{"verdict":{"status":"pass"},${text.slice(1)}`, text.replace('"status": "fail"', '"status": "pass", "st\\u0061tus": "fail"')]) {
      const report = verifyCertificate(forged);
      expect(report.exitCode).toBe(2);
      expect(report.checks[0]).toMatchObject({ id: 'parse', status: 'fail', code: 'E_CERT_DUPLICATE_KEY' });
    }
    expect(verifyCertificate('{"a":[{"b":1},{"b":2}],"c":{"b":3}}').checks[0]).toMatchObject({ id: 'parse', status: 'pass' });
  });

  it('checks the pairing invariants against the recorded flag', () => {
    const match = clone(small);
    setAt(match, ['pairing', 'match'], 0.99);
    expect(verifyCertificate(redigest(match)).checks.find((c) => c.id === 'pairing')).toMatchObject({ status: 'fail', path: 'validation.pairing_ok', expected: 'false', actual: 'true' });
    const tokenizer = clone(small);
    setAt(tokenizer, ['models', 'subject', 'tokenizer_hash'], 'f'.repeat(64));
    expect(failedChecks(verifyCertificate(redigest(tokenizer)))).toContain('pairing');
    const counts = clone(small);
    setAt(counts, ['pairing', 'counts', 'subject', 'final'], 31);
    expect(failedChecks(verifyCertificate(redigest(counts)))).toContain('pairing');
  });

  it('fails when any single numeric leaf outside timing changes (property)', () => {
    const paths = numericPaths(clone(small));
    expect(paths.length).toBeGreaterThan(300);
    fc.assert(
      fc.property(fc.nat({ max: paths.length - 1 }), (index) => {
        const path = paths[index] ?? [];
        const altered = clone(small);
        const value = getAt(altered, path) as number;
        setAt(altered, path, Number.isInteger(value) ? value + 1 : nextUp(value));
        const report = verifyCertificate(altered);
        return report.exitCode !== 0 && (report.exitCode === 2 || failedChecks(report).includes('certificate_digest'));
      }),
      { seed: 7, numRuns: 150 },
    );
  });

  it('catches an altered statistic or measurement even when the digest is recomputed (property)', () => {
    const base = clone(small);
    const n = small.windows.final.ids.length;
    const statistics: (string | number)[][] = [
      ['primary_metric', 'ratio_ci', 0],
      ['primary_metric', 'ratio_ci', 1],
      ['primary_metric', 'delta_mean'],
      ['primary_metric', 'delta_ci', 0],
      ['primary_metric', 'delta_ci', 1],
      ['primary_metric', 'preview_ratio'],
      ['primary_metric', 'preview_delta_mean'],
      ['primary_metric', 'drift'],
      ['primary_metric', 'gate_value'],
      ['primary_metric', 'baseline', 'final'],
      ['primary_metric', 'subject', 'preview'],
      ['tail', 'quantiles', 'p95'],
      ['tail', 'max'],
      ['tail', 'mass'],
      ['guard_overhead', 'ratio'],
      ...Array.from({ length: n }, (_, i) => ['windows', 'final', 'delta', i]),
      ...Array.from({ length: n }, (_, i) => ['windows', 'final', 'subject', i]),
      ...Array.from({ length: n }, (_, i) => ['windows', 'preview', 'baseline', i]),
    ];
    fc.assert(
      fc.property(fc.nat({ max: statistics.length - 1 }), fc.constantFrom(1, 2, 1000), (index, steps) => {
        const path = statistics[index] ?? [];
        const forged = clone(small);
        let value = getAt(base, path) as number;
        for (let i = 0; i < steps; i++) value = nextUp(value);
        setAt(forged, path, value);
        const report = verifyCertificate(redigest(forged));
        const failed = failedChecks(report);
        return report.exitCode === 1 && !failed.includes('certificate_digest') && (failed.includes('statistics') || failed.includes('gates'));
      }),
      { seed: 11, numRuns: 120 },
    );
  });
});

describe('firstDifference', () => {
  it('treats 0 and -0 as equal, as a JSON round trip does', () => {
    expect(firstDifference({ a: [0, 1] }, { a: [-0, 1] }, 'x')).toBeUndefined();
    expect(firstDifference({ a: [0, 1] }, { a: [0, 2] }, 'x')).toEqual({ path: 'x.a[1]', expected: 1, actual: 2 });
    expect(firstDifference([1], [1, 2], 'x')).toEqual({ path: 'x.length', expected: 1, actual: 2 });
  });
});
