import { InvarlockError } from '../../errors/index.js';

/** At most this many record problems are listed in one error. */
const MAX_PROBLEMS = 20;

/** One non-blank line of a JSONL file with its 1-based line number. */
interface JsonlRecord {
  readonly line: number;
  readonly value: unknown;
}

function collect(text: string, file: string, check: (record: JsonlRecord) => string | undefined): JsonlRecord[] {
  const records: JsonlRecord[] = [];
  const problems: { line: number; message: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim().length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      problems.push({ line: i + 1, message: `not valid JSON (${error instanceof Error ? error.message : String(error)})` });
      continue;
    }
    const record = { line: i + 1, value };
    const problem = check(record);
    if (problem === undefined) records.push(record);
    else problems.push({ line: i + 1, message: problem });
  }
  const first = problems[0];
  if (first !== undefined) {
    throw new InvarlockError('E_DATASET_INVALID', `${file}: line ${first.line}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
      details: { file, line: first.line, problems: problems.slice(0, MAX_PROBLEMS).map((p) => `line ${p.line}: ${p.message}`) },
    });
  }
  return records;
}

function field(value: unknown, name: string): { present: boolean; value: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { present: false, value: undefined };
  const v: unknown = Reflect.get(value, name);
  return Object.hasOwn(value, name) ? { present: true, value: v } : { present: false, value: undefined };
}

function describeType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/**
 * The string field `name` of every record of a JSONL text (blank lines skipped), in order.
 * @throws `E_DATASET_INVALID` listing each line (1-based, details.line = the first) that is not JSON,
 *   not an object, lacks the field or holds a non-string there.
 */
export function parseJsonlTexts(text: string, name: string, file: string): { texts: string[]; rows: number } {
  const records = collect(text, file, ({ value }) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `a record must be a JSON object, not ${describeType(value)}`;
    const f = field(value, name);
    if (!f.present) return `missing field "${name}"`;
    return typeof f.value === 'string' ? undefined : `field "${name}" must be a string, not ${describeType(f.value)}`;
  });
  return { texts: records.map(({ value }) => String(field(value, name).value)), rows: records.length };
}

/**
 * Source and target strings of every record of a JSONL text.
 * @throws `E_DATASET_INVALID` listing each bad line, as {@link parseJsonlTexts}.
 */
export function parseJsonlPairs(
  text: string,
  names: { readonly sourceField: string; readonly targetField: string },
  file: string,
): { pairs: { source: string; target: string }[]; rows: number } {
  const records = collect(text, file, ({ value }) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `a record must be a JSON object, not ${describeType(value)}`;
    for (const name of [names.sourceField, names.targetField]) {
      const f = field(value, name);
      if (!f.present) return `missing field "${name}"`;
      if (typeof f.value !== 'string') return `field "${name}" must be a string, not ${describeType(f.value)}`;
    }
    return undefined;
  });
  return {
    pairs: records.map(({ value }) => ({ source: String(field(value, names.sourceField).value), target: String(field(value, names.targetField).value) })),
    rows: records.length,
  };
}

function isLabel(value: unknown): value is number | string {
  return (typeof value === 'number' && Number.isInteger(value) && value >= 0) || (typeof value === 'string' && value.length > 0);
}

/**
 * Text and label of every record of a JSONL text. A label is a non-negative integer (class id) or a
 * non-empty string (class name).
 * @throws `E_DATASET_INVALID` listing each bad line, as {@link parseJsonlTexts}.
 */
export function parseJsonlExamples(
  text: string,
  names: { readonly textField: string; readonly labelField: string },
  file: string,
): { examples: { text: string; label: number | string }[]; rows: number } {
  const records = collect(text, file, ({ value }) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `a record must be a JSON object, not ${describeType(value)}`;
    const t = field(value, names.textField);
    if (!t.present) return `missing field "${names.textField}"`;
    if (typeof t.value !== 'string') return `field "${names.textField}" must be a string, not ${describeType(t.value)}`;
    const l = field(value, names.labelField);
    if (!l.present) return `missing field "${names.labelField}"`;
    return isLabel(l.value) ? undefined : `field "${names.labelField}" must be a non-negative integer or a non-empty string, got ${JSON.stringify(l.value)}`;
  });
  return {
    examples: records.map(({ value }) => {
      const label = field(value, names.labelField).value;
      return { text: String(field(value, names.textField).value), label: isLabel(label) ? label : String(label) };
    }),
    rows: records.length,
  };
}
