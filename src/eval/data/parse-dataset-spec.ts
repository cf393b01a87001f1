import { InvarlockError } from '../../errors/index.js';
import type { DatasetSpec } from './types.js';

const FORMS = 'wikitext2, text:PATH, jsonl:PATH#FIELD, jsonl:PATH#text=FIELD,label=FIELD or jsonl:PATH#src=FIELD,tgt=FIELD[,prefix=TEXT]';
const PAIR_KEYS = new Set(['src', 'tgt', 'prefix']);
const FIELD = /^[^\s=,#]+$/;

function specError(spec: string, message: string, field: string): InvarlockError {
  return new InvarlockError('E_DATASET_SPEC', `Dataset spec ${JSON.stringify(spec)}: ${message}`, {
    details: { actual: spec, expected: FORMS, field },
    hint: `Write ${FORMS}.`,
  });
}

function parseJsonlFields(spec: string, path: string, fields: string): DatasetSpec {
  if (!fields.includes('=')) {
    if (!FIELD.test(fields)) throw specError(spec, `"${fields}" is not a field name`, 'field');
    return { kind: 'jsonl', path, field: fields };
  }
  const named = new Map<string, string>();
  const isPairs = /(^|,)(src|tgt)=/.test(fields);
  for (const part of fields.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (isPairs) {
      if (eq === -1 || !PAIR_KEYS.has(key)) throw specError(spec, `"${part}" is not src=FIELD, tgt=FIELD or prefix=TEXT`, 'field');
      if (named.has(key)) throw specError(spec, `${key}= is given twice`, 'field');
      if (key !== 'prefix' && !FIELD.test(value)) throw specError(spec, `"${value}" is not a field name`, 'field');
      named.set(key, value);
      continue;
    }
    if (eq === -1 || (key !== 'text' && key !== 'label')) throw specError(spec, `"${part}" is not text=FIELD or label=FIELD`, 'field');
    if (named.has(key)) throw specError(spec, `${key}= is given twice`, 'field');
    if (!FIELD.test(value)) throw specError(spec, `"${value}" is not a field name`, 'field');
    named.set(key, value);
  }
  if (isPairs) {
    const sourceField = named.get('src');
    const targetField = named.get('tgt');
    if (sourceField === undefined || targetField === undefined) throw specError(spec, 'a seq2seq spec needs both src= and tgt=', 'field');
    return { kind: 'jsonl_pairs', path, sourceField, targetField, prefix: decodePrefix(spec, named.get('prefix') ?? '') };
  }
  const textField = named.get('text');
  const labelField = named.get('label');
  if (textField === undefined || labelField === undefined) throw specError(spec, 'a classification spec needs both text= and label=', 'field');
  return { kind: 'jsonl_classification', path, textField, labelField };
}

/** `prefix=` is percent-encoded (`summarize:%20`): a spec has no surrounding whitespace and `,` separates keys. */
function decodePrefix(spec: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw specError(spec, `prefix "${raw}" is not valid percent-encoding`, 'prefix');
  }
}

/**
 * Parses a dataset provider spec strictly (pure).
 *
 * Grammar: `wikitext2` | `text:PATH` | `jsonl:PATH#FIELD` | `jsonl:PATH#text=FIELD,label=FIELD` |
 * `jsonl:PATH#src=FIELD,tgt=FIELD[,prefix=TEXT]` (keys in any order; TEXT percent-encoded, e.g.
 * `prefix=summarize:%20`). PATH is everything between the prefix and the last `#`, so it
 * may itself contain `#`; FIELD is a top-level key without whitespace, `=`, `,` or `#`. No surrounding
 * whitespace is allowed.
 *
 * @throws `E_DATASET_UNKNOWN` for another provider name (details.actual); `E_DATASET_SPEC` for a known
 *   provider with a missing path or field, or a malformed field list (details.field).
 */
export function parseDatasetSpec(spec: string): DatasetSpec {
  if (spec !== spec.trim() || spec.length === 0) throw specError(spec, 'it is empty or has surrounding whitespace', 'spec');
  if (spec === 'wikitext2') return { kind: 'wikitext2' };
  const colon = spec.indexOf(':');
  const provider = colon === -1 ? spec : spec.slice(0, colon);
  const rest = colon === -1 ? '' : spec.slice(colon + 1);
  switch (provider) {
    case 'text':
      if (rest.length === 0) throw specError(spec, 'text: needs a file path', 'path');
      return { kind: 'text', path: rest };
    case 'jsonl': {
      const hash = rest.lastIndexOf('#');
      if (hash === -1) throw specError(spec, 'jsonl: needs #FIELD (or #text=FIELD,label=FIELD) after the path', 'field');
      const path = rest.slice(0, hash);
      if (path.length === 0) throw specError(spec, 'jsonl: needs a file path', 'path');
      return parseJsonlFields(spec, path, rest.slice(hash + 1));
    }
    default:
      throw new InvarlockError('E_DATASET_UNKNOWN', `Unknown dataset provider ${JSON.stringify(provider)}`, {
        details: { actual: spec, expected: FORMS },
        hint: `Known providers: ${FORMS}.`,
      });
  }
}

/** The spec as a string again (the inverse of {@link parseDatasetSpec}), for certificates. */
export function formatDatasetSpec(spec: DatasetSpec): string {
  switch (spec.kind) {
    case 'wikitext2':
      return 'wikitext2';
    case 'text':
      return `text:${spec.path}`;
    case 'jsonl':
      return `jsonl:${spec.path}#${spec.field}`;
    case 'jsonl_classification':
      return `jsonl:${spec.path}#text=${spec.textField},label=${spec.labelField}`;
    case 'jsonl_pairs':
      return `jsonl:${spec.path}#src=${spec.sourceField},tgt=${spec.targetField}${spec.prefix === '' ? '' : `,prefix=${encodeURIComponent(spec.prefix)}`}`;
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}
