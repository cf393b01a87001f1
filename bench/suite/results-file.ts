/**
 * Writes one run's markdown into bench/RESULTS.md between `<!-- bench-run:LABEL -->` markers,
 * replacing that run's previous block and keeping everything else (other runs, hand-written notes).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const HEADER = [
  '# Benchmark results',
  '',
  'Written by `npm run bench` (bench/run.ts); each kind of run replaces its own block below, text outside the blocks is kept.',
  'Timings are wall-clock on a shared machine: read them with the load average noted in each block.',
  '',
].join('\n');

/** Replaces (or appends) the block of run `label` in the results file at `path`. */
export function writeResultsBlock(path: string, label: string, markdown: string): void {
  const start = `<!-- bench-run:${label} -->`;
  const end = `<!-- /bench-run:${label} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : HEADER;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}` : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
