import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeSpan, escapeMarkdown, escapeMarkdownShort, markdownTable } from '../../src/report/markdown/markdown-escape.js';
import { hostileText, rawHtmlLines, rowCells, structureProblems } from './markdown-structure.js';

describe('escapeMarkdown', () => {
  it('escapes every character that can act inline, not only the first pipe', () => {
    expect(escapeMarkdown('a|b|c')).toBe('a\\|b\\|c');
    expect(escapeMarkdown('`x` *y* _z_ ~w~ [l](u) ![i](u) <b>&amp; #1 @me $x$ :tada: \\')).toBe(
      '\\`x\\` \\*y\\* \\_z\\_ \\~w\\~ \\[l\\](u) \\!\\[i\\](u) \\<b\\>\\&amp; \\#1 \\@me \\$x\\$ \\:tada\\: \\\\',
    );
  });

  it('turns line breaks, controls and bidi overrides into one space', () => {
    expect(escapeMarkdown('a\r\nb\u2028c\u0000d\u202ee')).toBe('a b c d e');
  });

  it('shortens by code points without splitting a surrogate pair or an escape', () => {
    expect(escapeMarkdownShort('🙂🙂🙂🙂', 3)).toBe('🙂🙂…');
    expect(escapeMarkdownShort('ab|cd', 3)).toBe('ab…');
    expect(escapeMarkdownShort('a|', 5)).toBe('a\\|');
  });

  it('uses a code span only for hex, digits and version-like text', () => {
    expect(codeSpan('sha256:abc123')).toBe('`sha256:abc123`');
    expect(codeSpan('a`b')).toBe('a\\`b');
  });

  it('keeps any string inside one table cell and opens no HTML (property)', () => {
    fc.assert(
      fc.property(fc.array(hostileText(40), { minLength: 1, maxLength: 4 }), (cells) => {
        const table = markdownTable(
          cells.map((_, i) => `h${i}`),
          [cells.map(escapeMarkdown)],
        );
        const lines = table.split('\n');
        return lines.length === 3 && rowCells(lines[2] ?? '').length === cells.length && structureProblems(table).length === 0 && rawHtmlLines(table).length === 0;
      }),
      { seed: 42, numRuns: 400 },
    );
  });
});

describe('markdownTable', () => {
  it('escapes a stray pipe or line break a caller left in a cell', () => {
    expect(markdownTable(['a', 'b'], [['x|y', 'p\nq']], ['left', 'right'])).toBe('| a | b |\n| --- | ---: |\n| x\\|y | p q |');
  });
});
