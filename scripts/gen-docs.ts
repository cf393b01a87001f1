// Regenerates the README's tables from the code tables in src/errors (`npm run docs`).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDoctorFindingTable, renderErrorCodeTable } from '../src/cli/commands/explain-code.js';
import { replaceGeneratedSection } from '../src/cli/commands/readme-sections.js';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
let text = readFileSync(readme, 'utf8');
text = replaceGeneratedSection(text, 'error-codes', renderErrorCodeTable());
text = replaceGeneratedSection(text, 'doctor-findings', renderDoctorFindingTable());
writeFileSync(`${readme}.tmp`, text);
renameSync(`${readme}.tmp`, readme);
