import { BUNDLED_POLICIES } from '../../src/core/index.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifyCertificate } from '../../src/report/index.js';
import { fixtureFiles } from './fixture-files.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'certificates');
const expected = fixtureFiles();

describe('committed certificate fixtures', () => {
  it('match what the builder and renderers produce today (regenerate: npx tsx tests/fixtures/certificates/generate-fixtures.ts)', () => {
    const stale = Object.entries(expected)
      .filter(([relative, content]) => {
        try {
          return readFileSync(join(dir, relative), 'utf8') !== content;
        } catch {
          return true;
        }
      })
      .map(([relative]) => relative);
    expect(stale).toEqual([]);
    expect(Object.keys(expected).length).toBe(30);
  });

  it('each verify as consistent from the committed bytes', () => {
    for (const relative of Object.keys(expected).filter((r) => r.endsWith('.cert.json'))) {
      const report = verifyCertificate(readFileSync(join(dir, relative)), { source: relative, policy: BUNDLED_POLICIES });
      expect(report.checks.filter((c) => c.status === 'fail'), relative).toEqual([]);
      expect(report.exitCode, relative).toBe(0);
    }
  });
});
