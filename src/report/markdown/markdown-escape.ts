/**
 * Escaping for GitHub-flavoured markdown. Text from a certificate (model names, module names,
 * reasons) is untrusted: it must not end a table cell, start a new row, open HTML, close a
 * `<details>` block or format itself. The bug class this prevents: escaping only the first `|`
 * (dorny/test-reporter `tableEscape`).
 */
import { shortenText } from '../text/format-values.js';

// The characters that can act inline in GitHub markdown: escapes, code, emphasis, strikethrough,
// links and images, raw HTML and comments, entities, table pipes, issue references, mentions,
// math and emoji shortcodes. Untrusted text never starts a line (every block starts with our own
// text), so block markers (`-`, `+`, `1.`, `=`) need no escape; any ASCII punctuation may be
// backslash-escaped in CommonMark, so the escapes are always literal.
const PUNCTUATION = /[\\`*_~[\]<>&|!#@$:]/g;
// Line breaks of every kind, other C0/C1 controls and bidi overrides read as one space: a row must
// stay on one line and render in logical order.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BREAKS_AND_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/** Escapes text for inline use in markdown (headings, list items, table cells): one line, literal. @internal */
export function escapeMarkdown(text: string): string {
  return text.replace(BREAKS_AND_CONTROLS, ' ').replace(PUNCTUATION, (c) => `\\${c}`);
}

/** Escapes text, then shortens it to `maxChars` code points with an ellipsis, between words where it can ({@link shortenText}; never splits an escape or a surrogate pair). @internal */
export function escapeMarkdownShort(text: string, maxChars: number): string {
  return escapeMarkdown(shortenText(text.replace(BREAKS_AND_CONTROLS, ' '), maxChars));
}

/** A code span for text known to be hex, digits or a version string; anything else is escaped instead. @internal */
export function codeSpan(text: string): string {
  return /^[0-9A-Za-z.:+_-]*$/.test(text) && text !== '' ? `\`${text}\`` : escapeMarkdown(text);
}

/**
 * A GFM table. Cells are pre-rendered markdown (callers escape untrusted text with
 * {@link escapeMarkdown}); a cell that still contains a line break or unescaped pipe is a caller bug,
 * so this function escapes both defensively.
 * @internal
 */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('left' | 'right' | 'center')[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(guardCell).join(' | ')} |`;
  const rule = headers.map((_, i) => {
    switch (align?.[i] ?? 'left') {
      case 'left':
        return '---';
      case 'right':
        return '---:';
      case 'center':
        return ':---:';
    }
  });
  return [line(headers), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

function guardCell(cell: string): string {
  const oneLine = cell.replace(BREAKS_AND_CONTROLS, ' ');
  // A pipe preceded by an even number of backslashes is unescaped.
  const piped = oneLine.replace(/(\\*)\|/g, (match: string, slashes: string) => (slashes.length % 2 === 0 ? `${slashes}\\|` : match));
  return piped === '' ? ' ' : piped;
}
