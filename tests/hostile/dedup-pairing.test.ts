/**
 * #13 item 6: windows removed as duplicates before the draw are no pairing violation. A long
 * single-line text that repeats itself loses hundreds of windows to deduplication; the run must
 * still pass its pairing check, with the removed count recorded under dataset.counts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Certificate } from '../../src/report/index.js';
import { GPT2, REPO_ROOT } from '../core/runner/runner-fixtures.js';
import { cliCase, makeTemp, removeTemp } from './hostile-helpers.js';

const tmp = makeTemp();
afterAll(() => removeTemp(tmp));

it('a repetitive single-line text: duplicates removed before the draw, pairing passes, verdict pass', async () => {
  const unit = readFileSync(join(REPO_ROOT, 'tests/fixtures/data/wikitext2-mini.txt'), 'utf8').replace(/\s+/g, ' ');
  const text = join(tmp, 'repetitive.txt');
  writeFileSync(text, unit.repeat(64));
  const out = join(tmp, 'out');
  const result = await cliCase('datasets', ['certify', '--baseline', GPT2, '--edit', 'noop', '--profile', 'dev', '--device', 'cpu', '--dataset', `text:${text}`, '--seq-len', '32', '--preview-n', '4', '--final-n', '4', '--out', out, '--json'], tmp, 55_000);
  expect(result.code, result.text).toBe(0);
  const cert = JSON.parse(readFileSync(join(out, 'evaluation.cert.json'), 'utf8')) as Certificate;
  expect(cert.dataset.counts.duplicates_removed).toBeGreaterThan(100);
  expect(cert.pairing.duplicates).toBe(0);
  expect(cert.validation.pairing_ok).toBe(true);
  expect(cert.verdict.status).toBe('pass');
}, 60_000);
