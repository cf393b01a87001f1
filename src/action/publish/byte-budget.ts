/** Text cut to a byte budget, and how many bytes of the original were dropped (0 when it fit). */
export interface FittedText {
  readonly text: string;
  readonly omittedBytes: number;
}

const encoder = new TextEncoder();

/** UTF-8 length of a string, in bytes. */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/**
 * How a budget is counted: UTF-8 bytes (check run output, job summary) or UTF-16 code units
 * (issue comments: GitHub counts characters, and code units are never fewer than code points).
 */
export type SizeUnit = 'utf8-bytes' | 'utf16-units';

/** Size of `text` in `unit`. */
export function measure(text: string, unit: SizeUnit): number {
  return unit === 'utf8-bytes' ? utf8Bytes(text) : text.length;
}

/** The longest prefix of `text` whose size fits `max`, never splitting a code point. */
function prefixWithin(text: string, max: number, unit: SizeUnit): string {
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = measure(ch, unit);
    if (bytes + size > max) break;
    bytes += size;
    end += ch.length;
  }
  return text.slice(0, end);
}

/**
 * Fits markdown into `maxBytes` UTF-8 bytes, as a last resort after the renderer's own budgeting.
 * Cuts at a blank line (so never inside a table or a paragraph), falling back to a line break,
 * closes `<details>` blocks and code fences left open, and ends with a note saying how much was cut.
 * The result is always within the budget; `maxBytes` below 256 only guarantees the byte bound.
 */
export function fitMarkdownToBytes(text: string, maxBytes: number): FittedText {
  return fitMarkdown(text, maxBytes, 'utf8-bytes');
}

/**
 * {@link fitMarkdownToBytes} for any {@link SizeUnit}; `omittedBytes` is then in that unit.
 */
export function fitMarkdown(text: string, max: number, unit: SizeUnit): FittedText {
  const total = measure(text, unit);
  if (total <= max) return { text, omittedBytes: 0 };
  const what = unit === 'utf8-bytes' ? 'bytes' : 'characters';
  const note = (omitted: number): string => `\n\n> ✂️ ${omitted} ${what} cut to fit GitHub's limit; the full report is in the artifact.\n`;
  let room = max - measure(note(total), unit);
  while (room > 0) {
    const result = cutAt(text, room, unit);
    const omitted = total - measure(result.head, unit);
    const fitted = `${result.head}${result.closers}${note(omitted)}`;
    const size = measure(fitted, unit);
    if (size <= max) return { text: fitted, omittedBytes: omitted };
    // Closing tags did not fit: cut that much more and try again.
    room -= size - max;
  }
  // Budgets too small for the note: a hard prefix is all that fits.
  const hard = prefixWithin(text, max, unit);
  return { text: hard, omittedBytes: total - measure(hard, unit) };
}

function cutAt(text: string, room: number, unit: SizeUnit): { head: string; closers: string } {
  let head = prefixWithin(text, room, unit);
  const paragraph = head.lastIndexOf('\n\n');
  const line = head.lastIndexOf('\n');
  if (paragraph > 0) {
    head = head.slice(0, paragraph);
  } else if (line > 0) {
    // Cut inside a block: a table losing rows would mislead, so drop the trailing table rows.
    const lines = head.slice(0, line).split('\n');
    while (lines.length > 0 && (lines[lines.length - 1] ?? '').trimStart().startsWith('|')) lines.pop();
    head = lines.join('\n');
  }
  let closers = '';
  const fences = head.split('\n').filter((l) => l.trimStart().startsWith('```')).length;
  if (fences % 2 === 1) closers += '\n```';
  const opened = (head.match(/<details\b/g) ?? []).length;
  const closed = (head.match(/<\/details>/g) ?? []).length;
  for (let i = closed; i < opened; i += 1) closers += '\n</details>';
  return { head, closers };
}

/** Cuts a one-line string to at most `maxChars` characters (code points), ending with `…` when cut. */
export function truncateChars(text: string, maxChars: number): string {
  const chars = [...text];
  return chars.length <= maxChars ? text : `${chars.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}
