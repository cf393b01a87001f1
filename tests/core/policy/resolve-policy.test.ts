import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES, TIER_NAMES, resolvePolicy, type PolicyOverrides } from '../../../src/core/policy/index.js';
import { InvarlockError } from '../../../src/errors/index.js';

function thrown(fn: () => unknown): InvarlockError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvarlockError) return error;
    throw error;
  }
  throw new Error('expected an InvarlockError');
}

function leaves(value: unknown, path = ''): [string, unknown][] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, path === '' ? k : `${path}.${k}`));
  }
  return [[path, value]];
}

describe('resolvePolicy', () => {
  it.each(TIER_NAMES.flatMap((tier) => PROFILE_NAMES.map((profile) => [tier, profile] as const)))(
    'resolves %s/%s with every value defined and the record frozen',
    (tier, profile) => {
      const policy = resolvePolicy({ tier, profile });
      expect(policy).toMatchObject({ schema_version: 1, tier, profile, overridden: [] });
      for (const [path, value] of leaves(policy)) {
        expect(value, path).not.toBeUndefined();
        // sequential looks are the run's choice: null unless it asks for them
        if (path !== 'sequential') expect(value, path).not.toBeNull();
      }
      expect(policy.sequential).toBeNull();
      expect(Object.isFrozen(policy)).toBe(true);
      expect(Object.isFrozen(policy.thresholds.primary_metric)).toBe(true);
      expect(Object.isFrozen(policy.thresholds.drift_band)).toBe(true);
      expect(Object.isFrozen(policy.guards.variance.scope)).toBe(true);
    },
  );

  it('records sequential looks a run asks for, within the tiers file’s allowance', () => {
    expect(resolvePolicy({ tier: 'balanced', profile: 'ci', sequential: { looks: 4 } }).sequential).toEqual({ looks: 4, spending: 'obrien_fleming' });
    for (const looks of [1, 9, 2.5]) {
      expect(() => resolvePolicy({ tier: 'balanced', profile: 'ci', sequential: { looks } })).toThrow(expect.objectContaining({ code: 'E_CONFIG_INVALID' }));
    }
  });

  it('marks dev as not release evidence with informational floors', () => {
    const dev = resolvePolicy({ tier: 'balanced', profile: 'dev' });
    expect(dev.evidence).toBe('dev');
    expect(dev.thresholds.primary_metric.floors).toBe('informational');
  });

  it('throws E_PROFILE_UNKNOWN naming the field and the choices', () => {
    const tier = thrown(() => resolvePolicy({ tier: 'strict', profile: 'ci' }));
    expect(tier.code).toBe('E_PROFILE_UNKNOWN');
    expect(tier.details).toEqual({ field: 'tier', actual: 'strict', expected: 'balanced, conservative, aggressive' });
    const profile = thrown(() => resolvePolicy({ tier: 'balanced', profile: 'prod' }));
    expect(profile.details).toMatchObject({ field: 'profile', actual: 'prod' });
    expect(thrown(() => resolvePolicy({ tier: 'toString', profile: 'ci' })).code).toBe('E_PROFILE_UNKNOWN');
  });

  it('applies overrides, replacing arrays whole, and records their paths sorted', () => {
    const overrides: PolicyOverrides = {
      windows: { preview_n: 300, final_n: 300 },
      thresholds: { drift_band: [0.9, 1.1], primary_metric: { ratio_limit: 1.08 }, tail: { mode: 'fail' } },
      guards: { variance: { scope: ['ffn', 'attn_out'] } },
    };
    const p = resolvePolicy({ tier: 'balanced', profile: 'ci', overrides });
    expect(p.windows).toEqual({ preview_n: 300, final_n: 300 });
    expect(p.thresholds.drift_band).toEqual([0.9, 1.1]);
    expect(p.thresholds.primary_metric.ratio_limit).toBe(1.08);
    expect(p.thresholds.primary_metric.hysteresis).toBe(0.002);
    expect(p.thresholds.tail).toEqual({ p95_limit: 0.2, mass_threshold: 1e-4, mode: 'fail' });
    expect(p.guards.variance.scope).toEqual(['ffn', 'attn_out']);
    expect(p.overridden).toEqual([
      'guards.variance.scope',
      'thresholds.drift_band',
      'thresholds.primary_metric.ratio_limit',
      'thresholds.tail.mode',
      'windows.final_n',
      'windows.preview_n',
    ]);
  });

  it('leaves the tiers untouched by earlier overrides', () => {
    resolvePolicy({ tier: 'balanced', profile: 'ci', overrides: { thresholds: { primary_metric: { ratio_limit: 1.5 } } } });
    expect(resolvePolicy({ tier: 'balanced', profile: 'ci' }).thresholds.primary_metric.ratio_limit).toBe(1.1);
  });

  it('ignores undefined override members', () => {
    const p = resolvePolicy({ tier: 'balanced', profile: 'ci', overrides: JSON.parse('{"windows":{}}') as PolicyOverrides });
    expect(p.overridden).toEqual([]);
  });

  it('rejects unknown override keys and invalid values with E_CONFIG_INVALID listing the problem', () => {
    const unknown = thrown(() => resolvePolicy({ tier: 'balanced', profile: 'ci', overrides: JSON.parse('{"thresholds":{"tail":{"p99_limit":1}}}') as PolicyOverrides }));
    expect(unknown.code).toBe('E_CONFIG_INVALID');
    expect(unknown.details.problems).toContain("/thresholds/tail: must NOT have additional properties 'p99_limit'");
    const invalid = thrown(() => resolvePolicy({ tier: 'balanced', profile: 'ci', overrides: { thresholds: { primary_metric: { ratio_limit: -1 } } } }));
    expect(invalid.code).toBe('E_CONFIG_INVALID');
    expect(invalid.details.problems?.some((p) => p.startsWith('/thresholds/primary_metric/ratio_limit'))).toBe(true);
    const shape = thrown(() => resolvePolicy({ tier: 'balanced', profile: 'ci', overrides: { windows: { preview_n: 2.5 } } }));
    expect(shape.code).toBe('E_CONFIG_INVALID');
  });

  it('refuses to override what follows from the tier and profile', () => {
    const floors = thrown(() =>
      resolvePolicy({ tier: 'balanced', profile: 'ci', overrides: JSON.parse('{"thresholds":{"primary_metric":{"floors":"informational"}}}') as PolicyOverrides }),
    );
    expect(floors).toMatchObject({ code: 'E_CONFIG_INVALID', details: { field: 'thresholds.primary_metric.floors' } });
    for (const key of ['tier', 'evidence', 'seed_offsets', 'overridden']) {
      const error = thrown(() => resolvePolicy({ tier: 'balanced', profile: 'ci', overrides: JSON.parse(`{"${key}":"x"}`) as PolicyOverrides }));
      expect(error).toMatchObject({ code: 'E_CONFIG_INVALID', details: { field: key } });
    }
  });
});
