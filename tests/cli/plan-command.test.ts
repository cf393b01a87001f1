import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { planWindows, resolvePolicy } from '../../src/core/index.js';
import { cliIo } from '../core/runner/runner-fixtures.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/certificates');

describe('planWindows', () => {
  const ci = resolvePolicy({ tier: 'balanced', profile: 'ci' });
  const dev = resolvePolicy({ tier: 'balanced', profile: 'dev' });
  // Δ alternating mean ± 0.05: sd 0.05 (with n/(n − 1)), mean log 1.03
  const sample = (mean: number, n = 40) => ({ deltas: Array.from({ length: n }, (_, i) => Math.log(mean) + (i % 2 === 0 ? 0.05 : -0.05)), weights: Array.from({ length: n }, () => 127) });

  it('needs ⌈(z·sd/gap)²⌉ windows for the fixed-sample gate', () => {
    const plan = planWindows(sample(1.03), [ci, dev], null);
    const sd = 0.05 * Math.sqrt(40 / 39);
    const gap = Math.log(1.102 / 1.03);
    expect(plan.sd).toBeCloseTo(sd, 12);
    expect(plan.side).toBe('pass');
    expect(plan.profiles[0]).toMatchObject({ profile: 'ci', planned: 200, needed: Math.ceil(((1.959964 * sd) / gap) ** 2), resolves: true, sequential: null });
  });

  it('finds the look sequential looks are expected to stop at', () => {
    const plan = planWindows(sample(1.03), [ci], 4);
    // c₁·sd/√50 = 4.33·0.0506/7.07 = 0.031 < gap 0.068: look 1
    expect(plan.profiles[0]!.sequential).toEqual({ looks: 4, stopLook: 1, windows: 50 });
    const near = planWindows(sample(1.095), [ci], 4);
    expect(near.profiles[0]!.sequential!.stopLook).toBeNull();
    expect(near.profiles[0]!.resolves).toBe(false);
  });

  it('never resolves a ratio on the bound, and refuses a sample of one window', () => {
    expect(planWindows({ deltas: [Math.log(1.102), Math.log(1.102)], weights: [1, 1] }, [ci], null).profiles[0]!.needed).toBeNull();
    expect(() => planWindows({ deltas: [0], weights: [1] }, [ci], null)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});

describe('invarlock plan', () => {
  it('prints one line per profile from a certificate', async () => {
    const io = cliIo({ cwd: FIXTURES });
    const code = await runCli(['plan', '--from', 'pass.cert.json', '--sequential', '4'], io);
    expect(code).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines[0]).toMatch(/^from \d+ preview windows: ratio ×\d\.\d{4}, sd of per-window Δ .* nats; balanced bound 1.102 \(expected (PASS|FAIL)\)$/);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/)[0])).toEqual(['dev', 'ci_cpu', 'ci', 'release']);
  });

  it('refuses a bad --sequential with exit 2', async () => {
    const io = cliIo({ cwd: FIXTURES });
    expect(await runCli(['plan', '--from', 'pass.cert.json', '--sequential', '1'], io)).toBe(2);
    expect(io.err()).toContain('--sequential expects an integer from 2 to 10');
  });
});
