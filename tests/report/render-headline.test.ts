import { describe, expect, it } from 'vitest';
import { buildCertificate, renderHeadline, renderTitle } from '../../src/report/index.js';
import { sampleInputs } from './sample-inputs.js';

const samples = sampleInputs();

describe('renderHeadline', () => {
  it('leads with the verdict, the ratio and its CI against the limit, the policy and the model pair', () => {
    expect(renderHeadline(buildCertificate(samples.pass))).toBe('✅ PASS · ppl ×1.009 [1.006, 1.012] ≤ 1.10 · balanced/ci · gpt2 → gpt2-int8');
    expect(renderTitle(buildCertificate(samples.pass))).toBe('PASS · ppl ×1.009 [1.006, 1.012] ≤ 1.10');
  });

  it('shows accuracy in points, a catastrophe, an error and dev evidence', () => {
    expect(renderHeadline(buildCertificate(samples.accuracy))).toMatch(/^✅ PASS · acc Δ 0\.00 pp \[−\d\.\d\d, \d\.\d\d\] ≥ −1\.00 pp · balanced\/ci · /);
    expect(renderHeadline(buildCertificate(samples.catastrophe))).toMatch(/^❌ FAIL · ppl ×2\.\d{3} on preview > 2\.00: stopped \(catastrophic spike\) · /);
    expect(renderHeadline(buildCertificate(samples.error))).toMatch(/^🛑 ERROR · E_RUNTIME_RUN: onnxruntime failed while running batch 17/);
    expect(renderHeadline(buildCertificate(samples.dev))).toContain('· balanced/dev (dev evidence) ·');
  });
});
