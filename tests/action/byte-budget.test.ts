import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitMarkdown, fitMarkdownToBytes, truncateChars, utf8Bytes } from '../../src/action/publish/byte-budget.js';

describe('fitMarkdownToBytes', () => {
  it('returns text that fits unchanged', () => {
    expect(fitMarkdownToBytes('# ok\n', 100)).toEqual({ text: '# ok\n', omittedBytes: 0 });
  });

  it('cuts multi-byte text to the byte budget at a blank line and says what was cut', () => {
    const para = `${'é€😀'.repeat(200)}\n\n`;
    const text = para.repeat(100);
    const fitted = fitMarkdownToBytes(text, 65_535);
    expect(utf8Bytes(text)).toBeGreaterThan(65_535);
    expect(utf8Bytes(fitted.text)).toBeLessThanOrEqual(65_535);
    expect(fitted.text).toContain('bytes cut');
    expect(fitted.omittedBytes).toBeGreaterThan(0);
    expect(fitted.text).not.toContain('\uFFFD');
  });

  it('never leaves a partial table, an open <details> or an open code fence', () => {
    const table = ['| a | b |', '| --- | --- |', ...Array.from({ length: 400 }, (_, i) => `| ${i} | ${'x'.repeat(40)} |`)].join('\n');
    const text = `intro\n\n<details><summary>more</summary>\n\n\`\`\`\ncode\n${'y'.repeat(50)}\n${table}`;
    const fitted = fitMarkdownToBytes(text, 4000);
    expect(utf8Bytes(fitted.text)).toBeLessThanOrEqual(4000);
    expect(fitted.text).not.toContain('| 399 |');
    expect((fitted.text.match(/<details/g) ?? []).length).toBe((fitted.text.match(/<\/details>/g) ?? []).length);
    expect((fitted.text.match(/```/g) ?? []).length % 2).toBe(0);
  });

  it('stays within any budget for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 3000 }), fc.integer({ min: 0, max: 4000 }), (text, budget) => {
        const fitted = fitMarkdownToBytes(text, budget);
        expect(utf8Bytes(fitted.text)).toBeLessThanOrEqual(Math.max(budget, 0));
        expect(fitted.text).not.toContain('\uFFFD');
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('counts comments in UTF-16 code units', () => {
    const text = '😀'.repeat(40_000);
    const fitted = fitMarkdown(text, 65_536, 'utf16-units');
    expect(fitted.text.length).toBeLessThanOrEqual(65_536);
    expect(utf8Bytes(fitted.text)).toBeGreaterThan(65_536);
  });
});

describe('truncateChars', () => {
  it('cuts by code points and marks the cut', () => {
    expect(truncateChars('😀😀😀', 2)).toBe('😀…');
    expect(truncateChars('abc', 3)).toBe('abc');
  });
});
