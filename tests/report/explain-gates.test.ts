import { describe, expect, it } from 'vitest';
import { buildCertificate, explainGates, renderGateExplanation } from '../../src/report/index.js';
import { sampleInputs } from './sample-inputs.js';

const samples = sampleInputs();

describe('explainGates', () => {
  it('gives a margin that is ≥ 0 exactly when the gate passes', () => {
    for (const [name, input] of Object.entries(samples)) {
      const cert = buildCertificate(input);
      // a warning-only gate (the tail) and an advisory guard warn where they would have failed
      const warnsInsteadOfFailing = (gate: string): boolean =>
        gate === 'tail' || ((gate === 'spectral' || gate === 'rmt') && cert.policy.thresholds[gate].mode === 'advisory');
      for (const e of explainGates(cert)) {
        if (e.margin === null || e.outcome === 'not_evaluated') continue;
        // their warning is either a finding within the budget or a failure shown as a warning: either sign
        if (warnsInsteadOfFailing(e.gate) && e.outcome === 'warn' && e.gate !== 'tail') continue;
        expect(e.margin >= 0, `${name} ${e.gate}: margin ${e.margin}, outcome ${e.outcome}`).toBe(e.outcome !== 'fail' && !(e.gate === 'tail' && e.outcome === 'warn'));
      }
    }
  });

  it('measures the primary metric margin from the upper CI bound to limit + hysteresis', () => {
    const cert = buildCertificate(samples.fail);
    const primary = explainGates(cert).find((e) => e.gate === 'primary_metric');
    const high = cert.primary_metric.ratio_ci?.[1] ?? 0;
    expect(primary).toMatchObject({ outcome: 'fail', margin: 1.1 + 0.002 - high });
    expect(primary?.inputs).toMatchObject({ ci_high: high, limit: 1.1, hysteresis: 0.002, floors: 'enforced' });
    expect(primary?.marginText).toMatch(/above the limit$/);
  });

  it('counts caps left before the spectral budget fails', () => {
    const spectral = explainGates(buildCertificate(samples.warn)).find((e) => e.gate === 'spectral');
    expect(spectral).toMatchObject({ outcome: 'warn', margin: 2, marginText: '3 more cap(s) would fail' });
  });

  it('says why a gate was not evaluated', () => {
    const overhead = explainGates(buildCertificate(samples.pass)).find((e) => e.gate === 'guard_overhead');
    expect(overhead).toMatchObject({ outcome: 'not_evaluated', margin: null, marginText: 'not evaluated: no guard adjusted the subject (compare mode)' });
  });

  it('renders plain text, one paragraph per gate', () => {
    const text = renderGateExplanation(explainGates(buildCertificate(samples.pass)));
    expect(text.split('\n\n')).toHaveLength(8);
    expect(text).toMatch(/^Primary metric: pass\n {2}rule: exp\(CI high of mean Δ\) ≤ 1\.10 \+ 0\.002/);
    expect(text).toContain('Pairing: pass\n  rule: match = 1, overlap = 0');
  });
});
