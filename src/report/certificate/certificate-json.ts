import { canonicalJson } from '../../contracts/index.js';
import type { Certificate } from './certificate-types.js';
import { branchFor, certificateRoot, child, isRecord, resolveRef, type SchemaAt } from './schema-walk.js';

/**
 * The certificate as a file: pretty JSON (2-space indent, trailing newline) with keys in the
 * schema's order at every level (the verdict near the top, `digest` last), so a reader sees the
 * answer first; objects the schema leaves open (an edit's config) get sorted keys. Arrays of
 * numbers and strings (the per-window data) stay on one line each, so the file reads as a record
 * rather than thousands of lines of numbers. The same certificate always gives the same bytes,
 * whatever key order it was built or parsed with. Numbers are printed by `JSON.stringify`, so they
 * read back bit-exactly.
 */
export function serializeCertificate(cert: Certificate): string {
  // canonicalJson rejects what JSON cannot carry (NaN, undefined in arrays, class instances).
  const plain: unknown = JSON.parse(canonicalJson(cert));
  return `${pretty(orderLike(plain, certificateRoot()), '')}\n`;
}

function pretty(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => item === null || typeof item !== 'object')) return `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
    const inner = `${indent}  `;
    return `[\n${value.map((item) => `${inner}${pretty(item, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return '{}';
    const inner = `${indent}  `;
    return `{\n${keys.map((key) => `${inner}${JSON.stringify(key)}: ${pretty(value[key], inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function orderLike(value: unknown, schema: SchemaAt | undefined): unknown {
  const resolved = schema === undefined ? undefined : resolveRef(schema);
  const at = resolved === undefined ? undefined : branchFor(value, resolved);
  if (Array.isArray(value)) {
    const items = at === undefined ? undefined : child(at, ['items']);
    return value.map((item) => orderLike(item, items));
  }
  if (!isRecord(value)) return value;
  const properties = at !== undefined && isRecord(at.node.properties) ? at.node.properties : {};
  const known = Object.keys(properties).filter((key) => Object.hasOwn(value, key));
  const rest = Object.keys(value)
    .filter((key) => !Object.hasOwn(properties, key))
    .sort();
  const out: Record<string, unknown> = {};
  for (const key of [...known, ...rest]) out[key] = orderLike(value[key], at === undefined || !Object.hasOwn(properties, key) ? undefined : child(at, ['properties', key]));
  return out;
}
