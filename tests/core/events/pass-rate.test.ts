import { describe, expect, it } from 'vitest';
import { certify, passRate, type RunEvent } from '../../../src/core/index.js';
import { GPT2, runConfig } from '../runner/runner-fixtures.js';

describe('passRate', () => {
  it('gives tokens per second so far and the time left at that rate', () => {
    expect(passRate(4, 10, 512, 2000)).toEqual({ tokensPerSecond: 256, etaMs: 3000 });
    expect(passRate(10, 10, 1280, 5000)).toEqual({ tokensPerSecond: 256, etaMs: 0 });
  });

  it('is null before anything is done or timed', () => {
    expect(passRate(0, 10, 0, 100)).toBeNull();
    expect(passRate(3, 10, 384, 0)).toBeNull();
  });
});

describe('batch events of a certify run', () => {
  it('carry tokens per second and an ETA that reaches 0 at the end of each pass', async () => {
    const events: RunEvent[] = [];
    await certify(runConfig({ baseline: GPT2, seed: 1, edit: { name: 'noop', config: {} }, guards: { spectral: 'off', rmt: 'off', variance: 'off', invariants: 'off' } }, 'pass rate'), {
      cwd: process.cwd(),
      onEvent: (e) => events.push(e),
    });
    const batches = events.filter((e): e is Extract<RunEvent, { type: 'batch' }> => e.type === 'batch');
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) {
      expect(b.tokensPerSecond).toBeGreaterThan(0);
      expect(b.etaMs).toBeGreaterThanOrEqual(0);
      if (b.done === b.total) expect(b.etaMs).toBe(0);
    }
  }, 120_000);
});
