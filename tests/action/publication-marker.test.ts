import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataMarker, isStickyFor, parseDataMarker, stickyMarker } from '../../src/action/publish/publication-marker.js';
import { deltaLine } from '../../src/action/publish/markdown-compose.js';
import type { PreviousPublication } from '../../src/action/types.js';

const PUB: PreviousPublication = { digest: 'd'.repeat(64), verdict: 'pass', ratio: 1.012, ciLow: 1.004, ciHigh: 1.021, headSha: 'a'.repeat(40) };

describe('publication markers', () => {
  it('round-trips the data marker and keeps -- out of the HTML comment', () => {
    const marker = dataMarker(PUB);
    expect(marker.slice(4, -3)).not.toContain('--');
    expect(parseDataMarker(`text\n${marker}\nmore`)).toEqual(PUB);
  });

  it('keys sticky comments by check name', () => {
    const body = `${stickyMarker('InvarLock / gpt2 --int8')}\nbody`;
    expect(isStickyFor(body, 'InvarLock / gpt2 --int8')).toBe(true);
    expect(isStickyFor(body, 'InvarLock / certify')).toBe(false);
  });

  it('reads anything malformed as no previous publication (property)', () => {
    fc.assert(
      fc.property(fc.string(), (payload) => {
        const body = `<!-- invarlock:data v1 ${Buffer.from(payload).toString('base64url')} -->`;
        const parsed = parseDataMarker(body);
        expect(parsed === null || typeof parsed.digest === 'string').toBe(true);
      }),
      { seed: 3, numRuns: 200 },
    );
    expect(parseDataMarker(dataMarker({ ...PUB, digest: 'nope' }))).toBeNull();
  });
});

describe('deltaLine', () => {
  it('states the ratio and verdict change since the previous push', () => {
    const line = deltaLine(PUB, { ...PUB, digest: 'e'.repeat(64), verdict: 'warn', ratio: 1.05 });
    expect(line).toContain('×1.0120 → ×1.0500');
    expect(line).toContain('PASS → WARN');
    expect(line).toContain('`aaaaaaa`');
    expect(deltaLine(PUB, PUB)).toContain('Same certificate');
    expect(deltaLine(null, PUB)).toBe('');
  });
});
