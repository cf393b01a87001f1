import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatFixed, formatInterval, formatLimit, formatNumber, formatSigned, shortenText, shortHash } from '../../src/report/text/format-values.js';

describe('format values', () => {
  it('prints thresholds with two decimals at least and no float noise', () => {
    expect([1.1, 1.05, 0.002, 2, -1, 0.05000000000000004].map(formatLimit)).toEqual(['1.10', '1.05', '0.002', '2.00', '−1.00', '0.05']);
  });

  it('prints signs with a true minus and leaves zero unsigned', () => {
    expect([formatSigned(0.0134), formatSigned(-0.004), formatSigned(-0.0001), formatFixed(-0.25, 2), formatFixed(-0.001, 2)]).toEqual(['+0.013', '−0.004', '0.000', '−0.25', '0.00']);
    expect(formatInterval([-0.5, 0.25], (x) => formatFixed(x, 2))).toBe('[−0.50, 0.25]');
    expect(formatInterval(null)).toBe('n/a');
  });

  it('prints measurements to four significant digits', () => {
    expect([formatNumber(0.0502512), formatNumber(-1234.5678), formatNumber(1.5e-7), formatNumber(0), formatNumber(null)]).toEqual(['0.05025', '−1235', '1.500e-7', '0', 'n/a']);
  });

  it('prints hashes, durations and sizes for people', () => {
    expect(shortHash(`sha256:${'ab'.repeat(32)}`)).toBe('abababababab');
    expect([formatDuration(850), formatDuration(12_340), formatDuration(271_250)]).toEqual(['850 ms', '12.3 s', '4 min 31 s']);
    expect([formatBytes(512), formatBytes(85_520_809_984)]).toEqual(['512 B', '79.6 GiB']);
  });
});

describe('shortenText', () => {
  it('keeps a text that fits', () => {
    expect(shortenText('8128 scored tokens < floor 50000', 40)).toBe('8128 scored tokens < floor 50000');
  });

  it('cuts between words, never mid-word, and drops the punctuation before the ellipsis', () => {
    const text = '8128 scored tokens < floor 50000 (informational: floors are not gated in this profile); 500 bootstrap replicates < floor 1200 (informational: floors are not gated)';
    for (let max = 20; max < text.length; max++) {
      const short = shortenText(text, max);
      expect(Array.from(short).length).toBeLessThanOrEqual(max);
      expect(short.endsWith('…')).toBe(true);
      const head = short.slice(0, -1);
      // what is kept is whole words of the text: the next character of the text is a space or punctuation
      expect(text.startsWith(head)).toBe(true);
      expect(text[head.length]).toMatch(/[\s,;:(]/);
    }
    expect(shortenText(text, 126)).toBe('8128 scored tokens < floor 50000 (informational: floors are not gated in this profile); 500 bootstrap replicates < floor 1200…');
  });

  it('cuts a text without spaces (a module name) where it must, never inside a surrogate pair', () => {
    expect(shortenText('transformer.h.11.mlp.c_proj', 12)).toBe('transformer…');
    expect(shortenText('a😀😀😀😀', 3)).toBe('a😀…');
  });
});
