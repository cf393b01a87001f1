/**
 * Fitting markdown into a surface's size limit by re-rendering with less detail: each section
 * offers renderings from most to least detailed; the lowest-priority section is reduced first, a
 * level at a time, then dropped. Sections are whole blocks, so a table is never cut in the middle.
 */

/** One block of the document with its renderings, most detailed first. @internal */
export interface BudgetSection {
  /** Stable id (for tests and `omitted`). */
  readonly id: string;
  /** What a reader is told was cut, e.g. `Spectral modules`. */
  readonly title: string;
  /** Lower is reduced first; `Infinity` is never reduced. */
  readonly priority: number;
  /** Renderings, most detailed first; every one a complete block. Empty strings are skipped. */
  readonly levels: readonly string[];
  /** For levels after the first: what the reduction left out (`showing 10 of 312 rows`). */
  readonly levelNotes?: readonly string[];
}

/** How a surface counts size. @internal */
export type SizeUnit = 'utf8-bytes' | 'utf16-units';

/** The fitted document and what was cut, one phrase per reduced or dropped section. @internal */
export interface FittedDocument {
  readonly text: string;
  readonly omitted: readonly string[];
}

/** Size of `text` in `unit`. @internal */
export function measureText(text: string, unit: SizeUnit): number {
  switch (unit) {
    case 'utf8-bytes':
      return Buffer.byteLength(text, 'utf8');
    case 'utf16-units':
      return text.length;
  }
}

/**
 * Joins sections (blank line between blocks) within `limit`. `noteFor(omitted)` renders the block
 * that says what was cut; it is placed before the section with id `tailId` (the hidden marker),
 * or at the end. Throws nothing: when even the unreducible sections exceed the limit, the text is
 * cut at the last line break that fits and the cut is reported.
 * @internal
 */
export function fitSections(
  sections: readonly BudgetSection[],
  options: { readonly limit: number; readonly unit: SizeUnit; readonly noteFor: (omitted: readonly string[]) => string; readonly tailId?: string },
): FittedDocument {
  const levels = sections.map(() => 0);
  const order = sections
    .map((section, index) => ({ section, index }))
    .filter(({ section }) => Number.isFinite(section.priority))
    .sort((a, b) => a.section.priority - b.section.priority || b.index - a.index);

  const compose = (): FittedDocument => {
    const omitted: string[] = [];
    const blocks: string[] = [];
    sections.forEach((section, i) => {
      const level = levels[i] ?? 0;
      if (level >= section.levels.length) omitted.push(section.title);
      else if (level > 0) omitted.push(`${section.title} (${section.levelNotes?.[level - 1] ?? 'shortened'})`);
    });
    sections.forEach((section, i) => {
      if (section.id === options.tailId && omitted.length > 0) blocks.push(options.noteFor(omitted));
      const block = section.levels[levels[i] ?? 0];
      if (block !== undefined && block !== '') blocks.push(block);
    });
    if (options.tailId === undefined && omitted.length > 0) blocks.push(options.noteFor(omitted));
    return { text: `${blocks.join('\n\n')}\n`, omitted };
  };

  let doc = compose();
  for (const { section, index } of order) {
    while (measureText(doc.text, options.unit) > options.limit && (levels[index] ?? 0) < section.levels.length) {
      levels[index] = (levels[index] ?? 0) + 1;
      doc = compose();
    }
    if (measureText(doc.text, options.unit) <= options.limit) return doc;
  }
  if (measureText(doc.text, options.unit) <= options.limit) return doc;
  return hardCut(sections, levels, options);
}

// Last resort, reachable only with limits far below any GitHub surface: keep whole blocks, in
// order, while they fit beside a note that names every block not (yet) kept.
function hardCut(
  sections: readonly BudgetSection[],
  levels: readonly number[],
  options: { readonly limit: number; readonly unit: SizeUnit; readonly noteFor: (omitted: readonly string[]) => string },
): FittedDocument {
  const blocks = sections.map((section, i) => section.levels[levels[i] ?? 0] ?? '');
  const kept = new Set<number>();
  const noteSize = (list: readonly string[]): number => measureText(`\n\n${options.noteFor(list)}\n`, options.unit);
  const left = (): string[] => sections.filter((_, i) => !kept.has(i) && (blocks[i] !== '' || (levels[i] ?? 0) > 0)).map((s) => s.title);
  let size = 0;
  blocks.forEach((block, i) => {
    if (block === '') return;
    const next = measureText(block, options.unit) + (kept.size > 0 ? 2 : 0);
    const others = left().filter((title) => title !== sections[i]?.title);
    if (size + next + noteSize(others) <= options.limit) {
      kept.add(i);
      size += next;
    }
  });
  const omitted = left();
  const text = `${[...blocks.filter((_, i) => kept.has(i)), options.noteFor(omitted)].join('\n\n')}\n`;
  return { text: measureText(text, options.unit) <= options.limit ? text : '', omitted };
}
