/**
 * A guard made advisory by the tier (tiers.json `<guard>.mode`, issue 14): measured and shown in
 * every report, never failing the run; `verify` re-derives the same verdict from the recorded policy.
 */
import { describe, expect, it } from 'vitest';
import { buildCertificate, buildGateRows, renderMarkdown, serializeCertificate, verifyCertificate, type CertificateInput, type GuardMode } from '../../src/report/index.js';
import { sampleInputs } from './sample-inputs.js';

const samples = sampleInputs();

/** The passing sample with the failing sample's RMT block (edge growth 0.045 > ε 0.01) under the given RMT mode. */
function withFailingRmt(mode: GuardMode): CertificateInput {
  const t = samples.pass.policy.thresholds;
  return {
    ...samples.pass,
    policy: { ...samples.pass.policy, thresholds: { ...t, rmt: { ...t.rmt, mode } } },
    guards: { ...samples.pass.guards, rmt: samples.fail.guards.rmt },
  };
}

describe('advisory guard', () => {
  it('fails the run when the guard gates', () => {
    const cert = buildCertificate(withFailingRmt('gate'));
    expect(cert.guards.rmt.status).toBe('fail');
    expect(cert.verdict.status).toBe('fail');
    expect(cert.verdict.reasons.map((r) => r.code)).toContain('guard_failed');
  });

  it('warns, says advisory in the reason, the dashboard and the policy table, and verifies', () => {
    const cert = buildCertificate(withFailingRmt('advisory'));
    // the guard's own finding is recorded as it is; only its weight in the verdict changes
    expect(cert.guards.rmt.status).toBe('fail');
    expect(cert.validation.rmt_stable).toBe(false);
    expect(cert.verdict.status).toBe('warn');
    const reason = cert.verdict.reasons.find((r) => r.gate === 'rmt');
    expect(reason).toMatchObject({ code: 'guard_advisory' });
    expect(reason?.message).toMatch(/^RMT \(advisory, not gating\): /);
    const row = buildGateRows(cert).find((r) => r.gate === 'rmt');
    expect(row).toMatchObject({ status: 'warn' });
    expect(row?.threshold).toContain('advisory, never fails the run');
    const report = renderMarkdown(cert, { surface: 'report' }).text;
    expect(report).toContain('(advisory, not gating)');
    expect(report).toContain('(advisory)');
    const verified = verifyCertificate(serializeCertificate(cert), { policy: { kind: 'fixed', source: 'policy.json', policy: cert.policy } });
    expect(verified.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(verified.exitCode).toBe(0);
    expect(verified.verdict).toBe('warn');
  });

  it('refuses a certificate whose verdict ignores its advisory policy', () => {
    const gated = buildCertificate(withFailingRmt('gate'));
    // the recorded policy says advisory but the verdict was decided as if the guard gated
    const t = gated.policy.thresholds;
    const forged = { ...gated, policy: { ...gated.policy, thresholds: { ...t, rmt: { ...t.rmt, mode: 'advisory' as const } } } };
    const report = verifyCertificate(serializeCertificate(forged), { policy: { kind: 'fixed', source: 'policy.json', policy: forged.policy } });
    expect(report.exitCode).toBe(1);
    expect(report.checks.some((c) => c.status === 'fail')).toBe(true);
  });
});
