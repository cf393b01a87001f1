import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redecideGuards, redecideInvariants, redecideRmt, redecideSpectral } from '../../src/report/derive/decide-guards.js';
import type { Certificate } from '../../src/report/index.js';

const fixture = (name: string): Certificate => JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/certificates', `${name}.cert.json`), 'utf8')) as Certificate;
const tokenizers = (c: Certificate) => ({ baseline: c.models.baseline.tokenizer_hash, subject: c.models.subject.tokenizer_hash });

describe('guard statuses re-decided from recorded measurements', () => {
  it('agrees with every fixture', () => {
    for (const name of ['pass', 'warn', 'fail', 'catastrophe', 'accuracy', 'error', 'dev']) {
      const c = fixture(name);
      const r = redecideGuards(c.guards, c.policy, tokenizers(c));
      for (const g of ['invariants', 'spectral', 'rmt', 'variance'] as const) {
        expect(r[g].status, `${name} ${g}`).toBe(c.guards[g].evaluated ? c.guards[g].status : 'not_evaluated');
        expect(r[g].mismatches, `${name} ${g}`).toEqual([]);
      }
    }
  });

  it('spectral: caps over the budget fail whatever is recorded, and the recorded caps must be the counted ones', () => {
    const c = fixture('fail');
    const cleared = { ...c.guards.spectral, status: 'pass' as const, violations: [] };
    expect(redecideSpectral(cleared, c.policy).status).toBe('fail');
    const recount = { ...cleared, measurements: { ...c.guards.spectral.measurements!, caps: 0 } };
    expect(redecideSpectral(recount, c.policy).mismatches).toEqual([{ path: 'guards.spectral.measurements.caps', expected: 7, actual: 0 }]);
    const collapsed = { ...cleared, measurements: { ...c.guards.spectral.measurements!, modules: [{ ...c.guards.spectral.measurements!.modules[0]!, ratio: 1, stable_rank_ratio: 0.1 }], caps: 0, fatal: 0 } };
    expect(redecideSpectral(collapsed, c.policy)).toMatchObject({ status: 'fail', mismatches: [{ path: 'guards.spectral.measurements.fatal' }] });
  });

  it('rmt: edge growth beyond 1 + ε fails, and a family must record the maximum of its modules', () => {
    const c = fixture('fail');
    const cleared = { ...c.guards.rmt, status: 'pass' as const, violations: [] };
    expect(redecideRmt(cleared, c.policy).status).toBe('fail');
    const m = c.guards.rmt.measurements!;
    const lowered = { ...cleared, measurements: { ...m, families: m.families.map((f) => ({ ...f, subject: f.baseline })) } };
    const r = redecideRmt(lowered, c.policy);
    expect(r.status).toBe('pass');
    expect(r.mismatches.map((x) => x.path)).toContain('guards.rmt.measurements.families[0].subject');
  });

  it('invariants: NaN weights or a changed tokenizer fail; structural changes warn, and fail in strict mode', () => {
    const c = fixture('pass');
    const m = c.guards.invariants.measurements!;
    const block = (changes: Partial<typeof m>) => ({ ...c.guards.invariants, measurements: { ...m, ...changes } });
    expect(redecideInvariants(block({ nonfinite_weights: 3 }), c.policy, tokenizers(c)).status).toBe('fail');
    expect(redecideInvariants(block({}), c.policy, { baseline: 'a'.repeat(64), subject: 'b'.repeat(64) }).status).toBe('fail');
    const grown = block({ param_count: { baseline: 1, subject: 2 } });
    expect(redecideInvariants(grown, c.policy, tokenizers(c)).status).toBe('warn');
    const strict = { ...c.policy, thresholds: { ...c.policy.thresholds, invariants: { mode: 'strict' as const } } };
    expect(redecideInvariants(grown, strict, tokenizers(c)).status).toBe('fail');
  });
});
