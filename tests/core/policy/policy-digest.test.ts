import { describe, expect, it } from 'vitest';
import { policyDigest, resolvePolicy, type Policy } from '../../../src/core/policy/index.js';
import { canonicalJson, sha256Hex } from '../../../src/contracts/index.js';

describe('policyDigest', () => {
  const policy = resolvePolicy({ tier: 'balanced', profile: 'ci' });

  it('is the sha256 of the canonical JSON, 64 lowercase hex digits', () => {
    expect(policyDigest(policy)).toMatch(/^[0-9a-f]{64}$/);
    expect(policyDigest(policy)).toBe(sha256Hex(canonicalJson(policy)));
  });

  it('survives a JSON round trip and key reordering (what verify recomputes from a certificate)', () => {
    const roundTrip = JSON.parse(JSON.stringify(policy)) as Policy;
    expect(policyDigest(roundTrip)).toBe(policyDigest(policy));
    const reordered = Object.fromEntries(Object.entries(policy).reverse()) as unknown as Policy;
    expect(policyDigest(reordered)).toBe(policyDigest(policy));
  });

  it('is equal for equal resolutions and differs for another tier, profile or override', () => {
    expect(policyDigest(resolvePolicy({ tier: 'balanced', profile: 'ci' }))).toBe(policyDigest(policy));
    const others = [
      resolvePolicy({ tier: 'conservative', profile: 'ci' }),
      resolvePolicy({ tier: 'balanced', profile: 'release' }),
      resolvePolicy({ tier: 'balanced', profile: 'ci', overrides: { thresholds: { primary_metric: { hysteresis: 0.003 } } } }),
    ].map(policyDigest);
    expect(new Set([policyDigest(policy), ...others]).size).toBe(4);
  });
});
