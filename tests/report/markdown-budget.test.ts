import { describe, expect, it } from 'vitest';
import { fitSections, measureText, type BudgetSection } from '../../src/report/markdown/markdown-budget.js';

const noteFor = (omitted: readonly string[]): string => `cut: ${omitted.join(', ')}`;

const sections: BudgetSection[] = [
  { id: 'head', title: 'Head', priority: Number.POSITIVE_INFINITY, levels: ['# head'] },
  { id: 'rows', title: 'Rows', priority: 2, levels: ['r'.repeat(300), 'r'.repeat(100)], levelNotes: ['showing 1 of 3'] },
  { id: 'small', title: 'Small', priority: 1, levels: ['s'.repeat(50)] },
  { id: 'marker', title: 'marker', priority: Number.POSITIVE_INFINITY, levels: ['<!-- m -->'] },
];

describe('fitSections', () => {
  it('keeps everything when it fits', () => {
    const doc = fitSections(sections, { limit: 1000, unit: 'utf8-bytes', noteFor, tailId: 'marker' });
    expect(doc.omitted).toEqual([]);
    expect(doc.text).toBe(`# head\n\n${'r'.repeat(300)}\n\n${'s'.repeat(50)}\n\n<!-- m -->\n`);
  });

  it('drops the lowest priority first, then reduces the next, and puts the note before the marker', () => {
    const doc = fitSections(sections, { limit: 200, unit: 'utf8-bytes', noteFor, tailId: 'marker' });
    expect(doc.omitted).toEqual(['Rows (showing 1 of 3)', 'Small']);
    expect(doc.text).toBe(`# head\n\n${'r'.repeat(100)}\n\ncut: Rows (showing 1 of 3), Small\n\n<!-- m -->\n`);
  });

  it('keeps whole blocks only when even the fixed blocks exceed the limit', () => {
    const doc = fitSections(sections, { limit: 36, unit: 'utf8-bytes', noteFor, tailId: 'marker' });
    expect(doc).toEqual({ text: '# head\n\ncut: Rows, Small, marker\n', omitted: ['Rows', 'Small', 'marker'] });
  });

  it('measures characters as UTF-16 code units or bytes', () => {
    expect(measureText('🙂é', 'utf16-units')).toBe(3);
    expect(measureText('🙂é', 'utf8-bytes')).toBe(6);
  });
});
