import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDoctorFindingTable, renderErrorCodeTable } from '../../src/cli/commands/explain-code.js';
import { replaceGeneratedSection } from '../../src/cli/commands/readme-sections.js';
import { QUANT_RTN_DEFAULTS } from '../../src/edits/index.js';
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

  it('document every quant_rtn key with the default the edit uses', () => {
    // snake_case as users write them (core/runner/edit-plan.ts) → the edits layer's field
    const keys = { bits: 'bits', group_size: 'groupSize', clamp_ratio: 'clampRatio', scope: 'scope', max_modules: 'maxModules' } as const;
    for (const [key, field] of Object.entries(keys)) {
      const row = readme.split('\n').find((line) => line.startsWith('|') && line.includes(`| \`${key}\` |`));
      expect(row, key).toBeDefined();
      const shown = row!.split('|')[3]!.trim().replace(/`/g, '');
      expect(shown, key).toBe(String(QUANT_RTN_DEFAULTS[field]));
    }
  });

  it('show the two quick-start commands', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });
});
