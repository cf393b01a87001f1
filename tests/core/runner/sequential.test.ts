/**
 * Early stopping end to end (issue 14 item 5): certify with `sequential: { looks: 4 }` on the
 * gpt2-tiny fixture stops at an interim look on a clear pass (a null edit) and on a clear fail
 * (3-bit RTN on every weight); the certificates verify, and verify rejects a tampered look or a
 * tampered stop.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { certify, BUNDLED_POLICIES } from '../../../src/core/index.js';
import { certificateDigest, verifyCertificate, type Certificate } from '../../../src/report/index.js';
import { GPT2, eventLog, runConfig } from './runner-fixtures.js';

const RUN_TIMEOUT = 240_000;

async function sequentialRun(name: 'noop' | 'quant_rtn', config: Record<string, unknown>) {
  const log = eventLog();
  const run = await certify(runConfig({ baseline: GPT2, edit: { name, config }, sequential: { looks: 4 } }, `sequential ${name}`), { cwd: process.cwd(), onEvent: log.onEvent });
  expect(run.subjects).toHaveLength(1);
  return { cert: run.subjects[0]!.certificate, events: log.events };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a tampered copy is any JSON shape
type Json = any;

/** A copy with `mutate` applied and the digest recomputed, so only the re-derivation can catch it. */
function tampered(cert: Certificate, mutate: (c: Json) => void): Certificate {
  const copy = JSON.parse(JSON.stringify(cert)) as Json;
  mutate(copy);
  const { digest: _digest, ...body } = copy;
  return { ...(body as Certificate), digest: certificateDigest(body as Certificate) };
}

describe('sequential looks: a clear pass (noop) stops at look 1', () => {
  let cert: Certificate;
  let events: readonly { type: string; message?: string }[];
  beforeAll(async () => {
    ({ cert, events } = await sequentialRun('noop', {}));
  }, RUN_TIMEOUT);

  it('passes at look 1 of 4 and scores a quarter of the final windows', () => {
    const s = cert.sequential!;
    expect(cert.policy.sequential).toEqual({ looks: 4, spending: 'obrien_fleming' });
    expect(cert.verdict.status).toBe('pass');
    expect(s.stopped_at).toBe(1);
    expect(s.looks).toHaveLength(1);
    expect(s.looks[0]).toMatchObject({ look: 1, windows: 8, decision: 'pass' });
    expect(s.planned).toMatchObject({ looks: 4, windows: 32 });
    expect(s.windows_saved).toBe(24);
    expect(cert.windows.final.ids).toHaveLength(8);
    expect(cert.primary_metric.windows.final).toBe(8);
    expect(cert.primary_metric.ci_method).toBe('normal');
    expect(cert.validation.pairing_ok).toBe(true);
    expect(events.some((e) => e.type === 'info' && /sequential look 1 of 4 at 8 of 32 windows/.test(e.message ?? ''))).toBe(true);
  });

  it('verifies against the bundled policies', () => {
    const report = verifyCertificate(JSON.stringify(cert), { policy: BUNDLED_POLICIES });
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.exitCode).toBe(0);
  });
});

describe('sequential looks: a clear fail (3-bit RTN, all weights) stops early', () => {
  let cert: Certificate;
  beforeAll(async () => {
    ({ cert } = await sequentialRun('quant_rtn', { bits: 3, scope: 'all' }));
  }, RUN_TIMEOUT);

  it('fails the primary metric at an interim look with the lower bound above the bound', () => {
    const s = cert.sequential!;
    console.log(`[sequential] 3-bit: ${JSON.stringify(s.looks)} stopped_at=${s.stopped_at} saved=${s.windows_saved}`);
    expect(cert.verdict.status).toBe('fail');
    expect(s.stopped_at).not.toBeNull();
    expect(s.stopped_at!).toBeLessThan(4);
    const last = s.looks[s.looks.length - 1]!;
    expect(last.decision).toBe('fail');
    expect(last.ratio_ci[0]).toBeGreaterThan(s.bound);
    expect(s.windows_saved).toBeGreaterThan(0);
    expect(cert.verdict.reasons.some((r) => r.gate === 'primary_metric' && r.code === 'ratio_ci_above_limit')).toBe(true);
  });

  it('verifies, and verify rejects a tampered look, a tampered stop and dropped windows', () => {
    expect(verifyCertificate(JSON.stringify(cert), { policy: BUNDLED_POLICIES }).exitCode).toBe(0);
    const look = tampered(cert, (c) => {
      c.sequential.looks[0].critical = 1.5;
    });
    const lookReport = verifyCertificate(look, { policy: BUNDLED_POLICIES });
    expect(lookReport.exitCode).toBe(1);
    expect(lookReport.checks.find((c) => c.status === 'fail')).toMatchObject({ id: 'statistics', path: expect.stringContaining('sequential') });
    const stop = tampered(cert, (c) => {
      c.sequential.stopped_at = null;
    });
    expect(verifyCertificate(stop, { policy: BUNDLED_POLICIES }).exitCode).toBe(1);
    // a final arm cut short of the look that decided: the looks cannot be replayed
    const cut = tampered(cert, (c) => {
      for (const key of ['ids', 'weights', 'baseline', 'subject', 'delta']) c.windows.final[key] = c.windows.final[key].slice(0, 5);
    });
    const cutReport = verifyCertificate(cut, { policy: BUNDLED_POLICIES });
    expect(cutReport.exitCode).toBe(1);
    // more looks than the tiers file allows are not the run's own choice
    const looks = tampered(cert, (c) => {
      c.policy.sequential.looks = 9;
    });
    expect(verifyCertificate(looks, { policy: BUNDLED_POLICIES }).checks.find((c) => c.id === 'policy')?.status).toBe('fail');
  });
});
