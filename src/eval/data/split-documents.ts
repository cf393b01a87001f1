/** A top-level WikiText heading: `= Title =` (level-2 headings read `= = Title = =`). */
function isArticleHeading(line: string): boolean {
  return line.length >= 5 && line.startsWith('= ') && line.endsWith(' =') && !line.startsWith('= =');
}

/**
 * Splits WikiText raw text into articles: a document starts at each top-level heading `= Title =`
 * and runs to the next one; text before the first heading is a document of its own. Every line is
 * trimmed and blank lines are dropped, so the original release (blank lines between paragraphs,
 * lines starting with a space) and the hub's one-row-per-line form give identical documents; lines
 * of a document are joined with `\n`. `rows` counts the non-blank lines.
 */
export function splitWikitextArticles(text: string): { documents: string[]; rows: number } {
  const documents: string[] = [];
  let current: string[] = [];
  let rows = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length === 0) continue;
    rows++;
    if (isArticleHeading(line) && current.length > 0) {
      documents.push(current.join('\n'));
      current = [];
    }
    current.push(line);
  }
  if (current.length > 0) documents.push(current.join('\n'));
  return { documents, rows };
}

/**
 * Splits text into documents at blank (empty or whitespace-only) lines; each document keeps its
 * lines joined with `\n` and is trimmed at both ends.
 */
export function splitOnBlankLines(text: string): string[] {
  const documents: string[] = [];
  let current: string[] = [];
  const flush = (): void => {
    const doc = current.join('\n').trim();
    if (doc.length > 0) documents.push(doc);
    current = [];
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim().length === 0) flush();
    else current.push(line);
  }
  flush();
  return documents;
}
