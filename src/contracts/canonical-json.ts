import { createHash } from 'node:crypto';
import { InvarlockError } from '../errors/index.js';

/**
 * Canonical JSON of a plain value, the text every digest in invarlock hashes: object keys sorted by
 * UTF-16 code units (JavaScript's default sort, as RFC 8785 JCS does), no insignificant whitespace,
 * strings escaped and numbers printed exactly as `JSON.stringify` does (so `-0` prints `0`).
 *
 * Object members whose value is `undefined` are left out, as `JSON.stringify` leaves them out, so the
 * digest of a record equals the digest of its JSON file read back. Anything JSON cannot carry
 * faithfully throws `E_INTERNAL` naming the path: NaN and ±Infinity, `undefined` in an array,
 * bigint, functions, symbols, typed arrays, class instances (anything but plain objects and arrays),
 * and cycles.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8785 (JCS; ours differs only in rejecting, not coercing)
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, '$', parts, new Set<object>());
  return parts.join('');
}

/** SHA-256 of `data` as 64 lowercase hex digits; a string is hashed as its UTF-8 bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function write(value: unknown, path: string, out: string[], ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw unfit(path, `${String(value)} is not a JSON number`);
      out.push(JSON.stringify(value));
      return;
    case 'object':
      if (value === null) {
        out.push('null');
        return;
      }
      writeContainer(value, path, out, ancestors);
      return;
    default:
      throw unfit(path, `a ${typeof value} has no JSON form`);
  }
}

function writeContainer(value: object, path: string, out: string[], ancestors: Set<object>): void {
  if (ancestors.has(value)) throw unfit(path, 'the value contains a cycle');
  ancestors.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item: unknown, index) => {
      if (index > 0) out.push(',');
      if (item === undefined) throw unfit(`${path}[${index}]`, 'undefined in an array has no JSON form');
      write(item, `${path}[${index}]`, out, ancestors);
    });
    out.push(']');
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw unfit(path, 'only plain objects and arrays have a canonical form');
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    out.push('{');
    keys.forEach((key, index) => {
      if (index > 0) out.push(',');
      out.push(JSON.stringify(key), ':');
      write(record[key], `${path}.${key}`, out, ancestors);
    });
    out.push('}');
  }
  ancestors.delete(value);
}

function unfit(path: string, reason: string): InvarlockError {
  return new InvarlockError('E_INTERNAL', `cannot write canonical JSON at ${path}: ${reason}`, { details: { field: path } });
}
