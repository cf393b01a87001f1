import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PARSE_DEFAULTS, VERIFY_DEFAULTS, WRITE_DEFAULTS } from '../../src/report/index.js';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'report');

/** Every `@default` in a file's doc comments, with the property name on the next line. */
function documentedDefaults(file: string): { key: string; value: unknown }[] {
  const lines = readFileSync(join(src, file), 'utf8').split('\n');
  const out: { key: string; value: unknown }[] = [];
  lines.forEach((line, i) => {
    const doc = /@default (.+?)(?: \(| —| \*\/|$)/.exec(line);
    const key = /^\s*(?:readonly )?(\w+)\??:/.exec(lines[i + 1] ?? '')?.[1];
    if (doc?.[1] === undefined || key === undefined) return;
    out.push({ key, value: JSON.parse(doc[1].replace(/(\d)_(?=\d)/g, '$1').replace(/'/g, '"')) as unknown });
  });
  return out;
}

describe('documented defaults', () => {
  it.each([
    ['certificate/validate-certificate.ts', PARSE_DEFAULTS],
    ['derive/verify-certificate.ts', VERIFY_DEFAULTS],
    ['write-report-files.ts', WRITE_DEFAULTS],
    ['types.ts', { ...VERIFY_DEFAULTS, ...WRITE_DEFAULTS }],
  ])('%s documents the values its DEFAULTS const holds', (file, defaults) => {
    const documented = documentedDefaults(file);
    expect(documented.length).toBeGreaterThan(0);
    for (const { key, value } of documented) expect((defaults as Record<string, unknown>)[key], `${file} ${key}`).toEqual(value);
  });

  it('applies the 32 MiB limit when none is given', async () => {
    const { parseCertificate } = await import('../../src/report/index.js');
    expect(() => parseCertificate(new Uint8Array(PARSE_DEFAULTS.maxBytes + 1), { source: 'big' })).toThrow(expect.objectContaining({ code: 'E_CERT_TOO_LARGE' }));
  });
});
