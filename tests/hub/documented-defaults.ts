import { readFileSync } from 'node:fs';

/** `[field, value]` for each literal `@default` documented on an optional field of a types file, in source order. */
export function documentedDefaultEntries(path: string): [string, unknown][] {
  const source = readFileSync(path, 'utf8');
  const out: [string, unknown][] = [];
  for (const m of source.matchAll(/@default ([^\n]*?)\s*(?:\*\/)?\n(?:\s*\*[^\n]*\n)*?\s*(?:\*\/\s*)?readonly (\w+)\?/g)) {
    const literal = (m[1] ?? '').trim();
    const value = /^'.*'$/.test(literal) ? literal.slice(1, -1) : /^-?\d+(\.\d+)?$/.test(literal) ? Number(literal) : undefined;
    if (value !== undefined && m[2] !== undefined) out.push([m[2], value]);
  }
  return out;
}

/** {@link documentedDefaultEntries} as a record (for files where each field name occurs once). */
export function documentedDefaults(path: string): Record<string, unknown> {
  return Object.fromEntries(documentedDefaultEntries(path));
}
