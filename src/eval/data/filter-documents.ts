/** Documents shorter than this many characters (Unicode code points, after trimming) are dropped. */
export const MIN_DOCUMENT_CHARS = 20;

const LETTER = /\p{L}/u;

/** True when `text` has at least one letter (any script). */
export function hasLetter(text: string): boolean {
  return LETTER.test(text);
}

/**
 * Drops documents under {@link MIN_DOCUMENT_CHARS} characters or without a letter, then (with
 * `dedupe: 'exact'`) documents equal to an earlier one, keeping the first. Order is preserved.
 */
export function filterDocuments(
  documents: readonly string[],
  dedupe: 'exact' | 'none',
): { kept: string[]; droppedShort: number; droppedDuplicates: number } {
  const kept: string[] = [];
  const seen = new Set<string>();
  let droppedShort = 0;
  let droppedDuplicates = 0;
  for (const doc of documents) {
    const trimmed = doc.trim();
    // Count code points, not UTF-16 units, so 20 CJK or emoji characters count as 20.
    let chars = 0;
    for (const _ of trimmed) if (++chars >= MIN_DOCUMENT_CHARS) break;
    if (chars < MIN_DOCUMENT_CHARS || !hasLetter(trimmed)) {
      droppedShort++;
      continue;
    }
    if (dedupe === 'exact') {
      if (seen.has(trimmed)) {
        droppedDuplicates++;
        continue;
      }
      seen.add(trimmed);
    }
    kept.push(trimmed);
  }
  return { kept, droppedShort, droppedDuplicates };
}
