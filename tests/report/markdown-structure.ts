import fc from 'fast-check';
/**
 * A small GFM structure reader for renderer tests: splits table rows into cells the way GitHub
 * does (a pipe preceded by an even number of backslashes separates cells) and lists the tables,
 * so tests can assert every row has its header's cell count and no table was cut.
 */

/** Cells of one table row (outer pipes removed). */
export function rowCells(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  let slashes = 0;
  for (const ch of line.trim().replace(/^\|/, '')) {
    if (ch === '|' && slashes % 2 === 0) {
      cells.push(current);
      current = '';
    } else current += ch;
    slashes = ch === '\\' ? slashes + 1 : 0;
  }
  if (current.trim() !== '') cells.push(current);
  return cells;
}

/** Every table (runs of lines starting with `|`), as arrays of rows of cells. */
export function tables(markdown: string): string[][][] {
  const out: string[][][] = [];
  let current: string[][] = [];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) current.push(rowCells(line));
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Problems with the document's structure: ragged or header-only tables, unbalanced `<details>`. */
export function structureProblems(markdown: string): string[] {
  const problems: string[] = [];
  tables(markdown).forEach((table, t) => {
    const width = table[0]?.length ?? 0;
    if (table.length < 2 || !(table[1] ?? []).every((c) => /^\s*:?-{3,}:?\s*$/.test(c))) problems.push(`table ${t} has no delimiter row`);
    table.forEach((row, r) => {
      if (row.length !== width) problems.push(`table ${t} row ${r} has ${row.length} cells, header has ${width}`);
    });
  });
  const open = (markdown.match(/^<details>$/gm) ?? []).length;
  const close = (markdown.match(/^<\/details>$/gm) ?? []).length;
  if (open !== close) problems.push(`${open} <details> but ${close} </details>`);
  if (/<\/?details>/.test(markdown.replace(/^<\/?details>$/gm, ''))) problems.push('a details tag outside its own line');
  return problems;
}

/**
 * Lines with a raw `<` (one not escaped by an odd number of backslashes), other than our own
 * `<details>`/`<summary>` lines and the hidden marker: untrusted text must never open HTML.
 */
export function rawHtmlLines(markdown: string): string[] {
  return markdown.split('\n').filter((line) => {
    if (/^<\/?details>$/.test(line) || /^<summary>[^<]*<\/summary>$/.test(line) || /^<!-- invarlock:cert v1 sha256=[0-9a-f]{64} -->$/.test(line)) return false;
    return /(^|[^\\])(\\\\)*</.test(line);
  });
}

/** fast-check text built from markdown's active characters, controls and any grapheme: what untrusted names may hold. */
export function hostileText(maxLength: number): fc.Arbitrary<string> {
  const special = fc.constantFrom('|', '\\', '`', '<', '>', '&', '*', '_', '~', '[', ']', '(', ')', '!', '#', '@', '$', ':', '\n', '\r', '\u2028', '\u202e', '\u0000', '<details>', '</details>', '<!--', '-->', '```');
  return fc.string({ unit: fc.oneof(special, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength });
}
