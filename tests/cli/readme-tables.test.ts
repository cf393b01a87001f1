import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDoctorFindingTable, renderErrorCodeTable } from '../../src/cli/commands/explain-code.js';
import { replaceGeneratedSection } from '../../src/cli/commands/readme-sections.js';
import { ERROR_CODES } from '../../src/errors/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README tables', () => {
  it('hold the current error-code table (regenerate with npm run docs)', () => {
    expect(replaceGeneratedSection(readme, 'error-codes', renderErrorCodeTable())).toBe(readme);
    for (const code of Object.keys(ERROR_CODES)) expect(readme).toContain(`\`${code}\``);
  });

  it('hold the current doctor finding table', () => {
    expect(replaceGeneratedSection(readme, 'doctor-findings', renderDoctorFindingTable())).toBe(readme);
  });

  it('show the two quick-start commands', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });
});
