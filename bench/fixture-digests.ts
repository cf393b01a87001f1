/**
 * Prints the certificate digests of fixed fixture runs (relative paths, seed 42), one line per
 * configuration. Run it in two checkouts (`npx tsx bench/fixture-digests.ts`) and diff the output
 * to show that a change to how models are loaded or scored changes no certified number.
 */
import { certify } from '../src/core/index.js';
import { runConfig } from '../tests/core/runner/runner-fixtures.js';
const M = 'tests/fixtures/models/';
const configs: [string, Record<string, unknown>][] = [
  ['gpt2 rtn4 ffn', { baseline: M + 'gpt2-tiny', seed: 42, edit: { name: 'quant_rtn', config: { bits: 4, scope: 'ffn' } } }],
  ['gpt2 rtn2 (VE)', { baseline: M + 'gpt2-tiny', seed: 42, edit: { name: 'quant_rtn', config: { bits: 2, scope: 'ffn' } } }],
  ['gpt2 vs fp16/int4', { baseline: M + 'gpt2-tiny', seed: 42, subjects: [{ label: 'fp16', model: M + 'gpt2-tiny-fp16' }, { label: 'int4', model: M + 'gpt2-tiny-int4' }] }],
  ['llama vs int8-qdq', { baseline: M + 'llama-tiny', seed: 42, subjects: [{ label: 'qdq', model: M + 'llama-tiny-int8-qdq' }] }],
  ['bert rtn3', { baseline: M + 'bert-tiny', seed: 42, edit: { name: 'quant_rtn', config: { bits: 3 } } }],
];
for (const [name, c] of configs) {
  try {
    const run = await certify(runConfig(c as never, name), { cwd: process.cwd() });
    console.log(name, run.subjects.map((s) => `${s.label}:${s.certificate.verdict.status}:${s.certificate.digest}`).join(' '));
  } catch (e) { console.log(name, 'ERROR', (e as Error).message); }
}
