import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where a key is written: 1-based line and column of the key (or of the item, for a list entry). */
export interface SourceLocation {
  readonly line: number;
  readonly column: number;
}

function walk(node: Node | null | undefined, prefix: string, counter: LineCounter, out: Map<string, SourceLocation>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : null;
      if (key === null) continue;
      const dotted = prefix === '' ? key : `${prefix}.${key}`;
      const offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (offset !== undefined && !out.has(dotted)) {
        const pos = counter.linePos(offset);
        out.set(dotted, { line: pos.line, column: pos.col });
      }
      walk(isMap(pair.value) || isSeq(pair.value) ? pair.value : null, dotted, counter, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const dotted = `${prefix}.${index}`;
      const offset = isMap(item) || isSeq(item) || isScalar(item) ? item.range?.[0] : undefined;
      if (offset !== undefined && !out.has(dotted)) {
        const pos = counter.linePos(offset);
        out.set(dotted, { line: pos.line, column: pos.col });
      }
      walk(isMap(item) || isSeq(item) ? item : null, dotted, counter, out);
    });
  }
}

/**
 * Maps every key of a YAML/JSON config to where it is written, by dotted path
 * (`baseline`, `subjects.0.model`, `guards.spectral`). Text that does not parse gives an empty map:
 * locations only place annotations and never fail a run.
 */
export function locateConfigKeys(text: string): ReadonlyMap<string, SourceLocation> {
  const out = new Map<string, SourceLocation>();
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  if (doc.errors.length > 0) return out;
  walk(doc.contents, '', counter, out);
  return out;
}

/**
 * Finds where a workflow sets this Action's inputs: keys of `with:` in steps whose `uses` is `./`
 * or names an `invarlock` action. Returns input name → location of the first such key.
 */
export function locateWorkflowInputs(text: string): ReadonlyMap<string, SourceLocation> {
  const keys = locateConfigKeys(text);
  const doc = parseDocument(text, { uniqueKeys: false });
  const out = new Map<string, SourceLocation>();
  const root: unknown = doc.errors.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 });
  const jobs = isRecord(root) ? root['jobs'] : undefined;
  if (!isRecord(jobs)) return out;
  for (const [jobName, job] of Object.entries(jobs)) {
    const steps = isRecord(job) ? job['steps'] : undefined;
    if (!Array.isArray(steps)) continue;
    steps.forEach((step: unknown, index) => {
      const uses = isRecord(step) ? step['uses'] : undefined;
      if (typeof uses !== 'string' || !(uses === './' || /invarlock/i.test(uses))) return;
      const prefix = `jobs.${jobName}.steps.${index}.with.`;
      for (const [path, location] of keys) {
        if (!path.startsWith(prefix)) continue;
        const input = path.slice(prefix.length);
        if (!input.includes('.') && !out.has(input)) out.set(input, location);
      }
    });
  }
  return out;
}
