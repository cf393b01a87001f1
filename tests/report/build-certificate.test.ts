import { describe, expect, it } from 'vitest';
import { BUNDLED_POLICIES, policyDigest as corePolicyDigest, resolvePolicy } from '../../src/core/policy/index.js';
import { summarizePairedLosses } from '../../src/stats/index.js';
import { isInvarlockError } from '../../src/errors/index.js';
import { buildCertificate, certificateDigest, parseCertificate, policyDigest, serializeCertificate, verifyCertificate, type CertificateInput } from '../../src/report/index.js';
import { defaultLabel } from '../../src/report/certificate/build-certificate.js';
import { BALANCED_CI_POLICY, BALANCED_DEV_POLICY, sampleInputs } from './sample-inputs.js';

const samples = sampleInputs();
const built = Object.fromEntries(Object.entries(samples).map(([name, input]) => [name, buildCertificate(input)])) as Record<keyof typeof samples, ReturnType<typeof buildCertificate>>;

function walkNumbers(value: unknown, visit: (n: number, path: string) => void, path = '$'): void {
  if (typeof value === 'number') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkNumbers(v, visit, `${path}[${i}]`));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walkNumbers(v, visit, `${path}.${k}`);
}

describe('buildCertificate', () => {
  it('gives each sample the verdict its data calls for', () => {
    expect(Object.fromEntries(Object.entries(built).map(([name, cert]) => [name, cert.verdict.status]))).toEqual({
      pass: 'pass',
      warn: 'warn',
      fail: 'fail',
      error: 'error',
      catastrophe: 'fail',
      accuracy: 'pass',
      dev: 'pass',
    });
    expect(built.pass.verdict.reasons).toEqual([]);
    expect(built.warn.verdict.reasons.map((r) => [r.gate, r.code])).toEqual([
      ['spectral', 'guard_warned'],
      ['tail', 'tail_p95_above_limit'],
    ]);
    expect(built.fail.verdict.reasons.map((r) => r.code)).toContain('ratio_ci_above_limit');
    expect(built.catastrophe.verdict.reasons.map((r) => r.code)).toContain('catastrophic_ppl_spike');
    expect(built.error.verdict.reasons[0]).toEqual({ code: 'E_RUNTIME_RUN', gate: 'run', message: samples.error.outcome.status === 'error' ? samples.error.outcome.message : '' });
    expect(built.dev.verdict.evidence).toBe('dev');
    expect(built.pass.verdict.evidence).toBe('release');
  });

  it('records the paired statistics exactly as src/eval computes them from the windows', () => {
    const input = samples.pass;
    const final = input.windows.final;
    const expected = summarizePairedLosses({
      windowIds: final.ids,
      subjectLoss: final.subject,
      baselineLoss: final.baseline,
      weights: final.weights,
      bootstrap: { replicates: 1200, alpha: 0.05, seed: input.provenance.seeds.bootstrap, method: 'bca', z0Clip: 1e-6 },
    });
    const pm = built.pass.primary_metric;
    expect(pm.ratio).toBe(expected.ratio);
    expect(pm.delta_ci).toEqual([expected.deltaCi.low, expected.deltaCi.high]);
    expect(pm.ratio_ci).toEqual([Math.exp(expected.deltaCi.low), Math.exp(expected.deltaCi.high)]);
    expect(pm.baseline.final).toBe(expected.baselinePpl);
    expect(pm.subject.final).toBe(expected.subjectPpl);
    expect(built.pass.windows.final.delta).toEqual(expected.deltas);
    expect(pm.ci_method).toBe('bca');
    expect(pm.gate_value).toBe(pm.ratio_ci?.[1]);
  });

  it('is deterministic and keeps timing out of the digest and the run id', () => {
    const again = buildCertificate(sampleInputs().pass);
    expect(serializeCertificate(again)).toBe(serializeCertificate(built.pass));
    const later = buildCertificate({ ...sampleInputs().pass, timing: { started_at: '2030-01-01T00:00:00Z', finished_at: '2030-01-01T01:00:00Z', duration_ms: 3_600_000, stages: [], resources: null } });
    expect(later.digest).toBe(built.pass.digest);
    expect(later.run_id).toBe(built.pass.run_id);
    expect(certificateDigest(built.pass)).toBe(built.pass.digest);
  });

  it('derives a different run id when an identity input changes', () => {
    const other = sampleInputs().pass;
    const moved = buildCertificate({ ...other, models: { ...other.models, subject: { ...other.models.subject, file_sha256: 'e'.repeat(64) } } });
    expect(moved.run_id).not.toBe(built.pass.run_id);
    expect(moved.run_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('round-trips through its file bit-exactly', () => {
    for (const cert of Object.values(built)) {
      const reread = parseCertificate(serializeCertificate(cert), { source: 'x.json' });
      expect(reread).toEqual(cert);
      expect(certificateDigest(reread)).toBe(cert.digest);
      walkNumbers(cert, (n, path) => expect(Number.isFinite(n), path).toBe(true));
    }
  });

  it('writes the same policy digest as src/core for the same resolved policy', () => {
    expect(resolvePolicy({ tier: 'balanced', profile: 'ci' })).toEqual(BALANCED_CI_POLICY);
    expect(resolvePolicy({ tier: 'balanced', profile: 'dev' })).toEqual(BALANCED_DEV_POLICY);
    expect(built.pass.policy_digest).toBe(corePolicyDigest(resolvePolicy({ tier: 'balanced', profile: 'ci' })));
    expect(policyDigest(BALANCED_CI_POLICY)).toBe(built.pass.policy_digest);
  });

  it('stops with a catastrophe: final arm empty, gates not evaluated, preview ratio recorded', () => {
    const c = built.catastrophe;
    expect(c.primary_metric.ratio).toBeNull();
    expect(c.primary_metric.preview_ratio).toBeGreaterThan(2);
    expect(c.validation.primary_metric_acceptable).toBeNull();
    expect(c.primary_metric.reason).toMatch(/stopped after the preview arm/);
    expect(c.change).toMatchObject({ kind: 'edit', rolled_back: true });
  });

  it('compares accuracy in percentage points against the lower CI bound', () => {
    const c = built.accuracy;
    expect(c.primary_metric.gate_basis).toBe('delta_ci_low');
    expect(c.primary_metric.ratio).toBeNull();
    expect(c.validation.drift_acceptable).toBeNull();
    expect(c.windows.final.delta.every((d) => d === 0 || d === 100 || d === -100)).toBe(true);
    expect(c.primary_metric.gate_value).toBe(c.primary_metric.delta_ci?.[0]);
  });

  it('never passes a guard that did not run, and says why', () => {
    const c = built.error;
    expect(c.guards.rmt).toMatchObject({ evaluated: false, status: 'not_evaluated' });
    expect(c.validation.rmt_stable).toBeNull();
    expect(c.verdict.reasons.some((r) => r.gate === 'rmt' && r.code === 'required_check_not_evaluated')).toBe(true);
  });

  it('gives identical arms a ratio of exactly 1 with a degenerate interval', () => {
    const input = sampleInputs().dev;
    const same = (arm: CertificateInput['windows']['final']): CertificateInput['windows']['final'] => ({ ...arm, subject: arm.baseline });
    const cert = buildCertificate({ ...input, windows: { preview: same(input.windows.preview), final: same(input.windows.final) } });
    expect(cert.primary_metric.ratio).toBe(1);
    expect(cert.primary_metric.ratio_ci).toEqual([1, 1]);
    expect(cert.primary_metric.ci_method).toBe('degenerate');
    expect(cert.tail.mass).toBe(0);
  });

  it('refuses a non-finite loss naming the window', () => {
    const input = sampleInputs().pass;
    const subject = [...input.windows.final.subject];
    subject[3] = Number.NaN;
    try {
      buildCertificate({ ...input, windows: { ...input.windows, final: { ...input.windows.final, subject } } });
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_NONFINITE_LOSS')).toBe(true);
      expect((error as { details: { window: string } }).details.window).toBe(input.windows.final.ids[3]);
    }
  });

  it('refuses a bootstrap seed that is not derived from the run seed', () => {
    const input = sampleInputs().pass;
    const seeds = { ...input.provenance.seeds, bootstrap: input.provenance.seeds.bootstrap + 1 };
    try {
      buildCertificate({ ...input, provenance: { ...input.provenance, seeds } });
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_INTERNAL')).toBe(true);
      expect((error as { details: { field: string } }).details.field).toBe('provenance.seeds.bootstrap');
    }
  });

  it('refuses a guard that did not run but claims a status', () => {
    const input = sampleInputs().pass;
    const guards = { ...input.guards, rmt: { ...input.guards.rmt, evaluated: false } };
    try {
      buildCertificate({ ...input, guards });
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_INTERNAL')).toBe(true);
      expect((error as { details: { field: string; expected: string } }).details).toMatchObject({ field: 'guards.rmt.status', expected: 'not_evaluated' });
    }
  });

  it('records a skipped run (a fork pull request) with its reason and no statistics', () => {
    const input = sampleInputs().pass;
    const empty = { ids: [], weights: [], baseline: [], subject: [] };
    const off = { status: 'not_evaluated', evaluated: false, reason: 'skipped', measurements: null, violations: [] } as const;
    const cert = buildCertificate({
      ...input,
      outcome: { status: 'skipped', code: 'fork_pull_request', message: 'pull requests from forks do not run GPU work' },
      windows: { preview: empty, final: empty },
      pairing: { match: null, overlap: null, duplicates: 0, counts: { baseline: { preview: 0, final: 0 }, subject: { preview: 0, final: 0 } }, reason: 'not run' },
      guards: { invariants: off, spectral: off, rmt: off, variance: off },
    });
    expect(cert.verdict.status).toBe('skipped');
    expect(cert.verdict.reasons[0]).toEqual({ code: 'fork_pull_request', gate: 'run', message: 'pull requests from forks do not run GPU work' });
    expect(Object.values(cert.validation).every((v) => v === null)).toBe(true);
    expect(cert.primary_metric.ratio).toBeNull();
    expect(verifyCertificate(cert, { policy: BUNDLED_POLICIES }).exitCode).toBe(0);
  });

  it('refuses a value JSON cannot carry instead of writing null', () => {
    const input = sampleInputs().warn;
    try {
      buildCertificate({ ...input, guardOverhead: { evaluated: true, bare: 30, guarded: Number.POSITIVE_INFINITY } });
      expect.unreachable();
    } catch (error) {
      // A non-finite perplexity is the model's failure, a typed runtime error (#13), not a bug.
      expect(isInvarlockError(error, 'E_NONFINITE_LOSS')).toBe(true);
    }
  });

  it('derives a short model label from the reference', () => {
    expect(defaultLabel('hf:openai-community/gpt2@main')).toBe('gpt2');
    expect(defaultLabel('./models/gpt2-int8/model.onnx')).toBe('gpt2-int8');
    expect(defaultLabel('./gpt2-onnx/')).toBe('gpt2-onnx');
    expect(defaultLabel('C:\\models\\phi\\model.onnx')).toBe('phi');
    expect(built.pass.models.subject.label).toBe('gpt2-int8');
  });
});
