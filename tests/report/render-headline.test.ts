import { describe, expect, it } from 'vitest';
import { buildCertificate, renderHeadline, renderTitle, type CertificateInput } from '../../src/report/index.js';
import { describeWeightFormats } from '../../src/report/text/render-headline.js';
import { sampleInputs } from './sample-inputs.js';

const samples = sampleInputs();

/** The pass sample with other guard blocks, windows or change (a fresh copy each time). */
function passWith(patch: (input: CertificateInput) => CertificateInput): CertificateInput {
  return patch(sampleInputs().pass);
}

/** The input under a policy whose RMT guard gates (balanced makes it advisory). */
function rmtGates(input: CertificateInput): CertificateInput {
  const t = input.policy.thresholds;
  return { ...input, policy: { ...input.policy, thresholds: { ...t, rmt: { ...t.rmt, mode: 'gate' } } } };
}

describe('renderHeadline', () => {
  it('leads with the verdict, the ratio and the upper bound held against the limit, the policy and the model pair', () => {
    expect(renderHeadline(buildCertificate(samples.pass))).toBe('✅ PASS · ppl ×1.009, upper bound 1.012 ≤ 1.10 · balanced/ci · gpt2 → gpt2-int8');
    expect(renderTitle(buildCertificate(samples.pass))).toBe('PASS · ppl ×1.009, upper bound 1.012 ≤ 1.10');
  });

  it('says which bound failed and by how much when the primary metric fails, and never names a warning-only gate', () => {
    const cert = buildCertificate(samples.fail);
    // The fail sample also fails spectral and RMT and warns on the tail; the metric decided it.
    expect(renderHeadline(cert)).toBe('❌ FAIL · ppl ×1.128, upper bound 1.137 > 1.10 · balanced/ci · gpt2 → gpt2-int4');
    expect(renderHeadline(cert)).not.toMatch(/Tail|P95/);
  });

  it('names the failing guard with its finding when the primary metric passes', () => {
    const failing = sampleInputs().fail.guards.rmt;
    const cert = buildCertificate(passWith((input) => rmtGates({ ...input, guards: { ...input.guards, rmt: failing } })));
    expect(cert.verdict.status).toBe('fail');
    expect(renderHeadline(cert)).toMatch(/^❌ FAIL · RMT: attn edge ratio ×1\.037 > 1\.01 \(activation edge ratio 1\.59115, baseline 1\.53422\) \(\+3 more\) · ppl ×1\.009, upper bound 1\.012 ≤ 1\.10 · /);
    expect(renderTitle(cert)).toMatch(/^FAIL · RMT: attn edge ratio ×1\.037 > 1\.01 .* · ppl ×1\.009, upper bound 1\.012 ≤ 1\.10$/);
  });

  it('names the first warning of a warn verdict, and shows a quant_rtn edit with bits, group and scope', () => {
    const cert = buildCertificate(samples.warn);
    expect(renderHeadline(cert)).toBe('⚠️ WARN · Spectral: σmax ratio 1.137 is outside 1 ± 0.1 (+2 more) · ppl ×1.052, upper bound 1.070 ≤ 1.10 · balanced/ci · gpt2 → gpt2 + quant_rtn 8-bit g128 ffn');
  });

  it('names a tail warning as a warning, never as the cause of a failure', () => {
    const warnWindows = sampleInputs().warn.windows;
    const tailOnly = buildCertificate(passWith((input) => ({ ...input, windows: warnWindows })));
    expect(tailOnly.verdict.reasons.map((r) => r.gate)).toEqual(['tail']);
    expect(renderHeadline(tailOnly)).toBe('⚠️ WARN · Tail: P95 of per-window Δ 0.348252 > 0.2 · ppl ×1.052, upper bound 1.070 ≤ 1.10 · balanced/ci · gpt2 → gpt2-int8');
    const failing = sampleInputs().fail.guards.rmt;
    const rmtAndTail = buildCertificate(passWith((input) => rmtGates({ ...input, windows: warnWindows, guards: { ...input.guards, rmt: failing } })));
    expect(rmtAndTail.verdict.reasons.map((r) => r.gate)).toEqual(['rmt', 'tail']);
    expect(renderHeadline(rmtAndTail)).toMatch(/^❌ FAIL · RMT: attn edge ratio/);
    expect(renderHeadline(rmtAndTail)).not.toMatch(/Tail|P95/);
  });

  it('shows the hysteresis band when the bound passes above the limit itself', () => {
    const cert = buildCertificate(samples.pass);
    const nudged = { ...cert, primary_metric: { ...cert.primary_metric, ratio_ci: [1.0, 1.1013] as const, ratio: 1.05 } };
    expect(renderTitle(nudged)).toBe('PASS · ppl ×1.050, upper bound 1.101 ≤ 1.10 + 0.002');
    const over = { ...cert, verdict: { ...cert.verdict, status: 'fail' as const }, primary_metric: { ...cert.primary_metric, ratio_ci: [1.0, 1.1021] as const, ratio: 1.05 } };
    // 1.1021 rounds to 1.102, which would read as equal to the allowed 1.102: one more digit.
    expect(renderTitle(over)).toBe('FAIL · ppl ×1.050, upper bound 1.1021 > 1.10');
  });

  it('shows accuracy in points against its lower bound, a catastrophe, an error and dev evidence', () => {
    expect(renderHeadline(buildCertificate(samples.accuracy))).toMatch(/^✅ PASS · acc Δ 0\.00 pp, lower bound −\d\.\d\d ≥ −1\.00 pp · balanced\/ci · /);
    expect(renderHeadline(buildCertificate(samples.catastrophe))).toMatch(/^❌ FAIL · ppl ×2\.\d{3} on preview > 2\.00: stopped \(catastrophic spike\) · balanced\/ci · gpt2 → gpt2 \+ quant_rtn 2-bit per-channel all \(rolled back\)$/);
    expect(renderHeadline(buildCertificate(samples.error))).toMatch(/^🛑 ERROR · E_RUNTIME_RUN: onnxruntime failed while running batch 17/);
    expect(renderHeadline(buildCertificate(samples.dev))).toContain('· balanced/dev (dev evidence) ·');
  });

  it('says a quant_rtn edit kept the storage format and rounded the values, instead of a bare float32 → float32', () => {
    expect(describeWeightFormats(buildCertificate(samples.warn))).toBe('float32 → float32 (stored as before; values rounded by quant_rtn 8-bit g128 ffn)');
    expect(describeWeightFormats(buildCertificate(samples.pass))).toBe('float32 → dynamic_int8');
  });
});
