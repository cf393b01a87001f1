/**
 * A masked LM scores only its windows' selected positions: the pairing check must count those, or
 * every bert-tiny certificate fails on `pairing_violation` (E_PAIRING_TOKENS) whatever the subject.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certify } from '../../../src/core/index.js';
import { MODELS, runConfig } from './runner-fixtures.js';

const BERT = join(MODELS, 'bert-tiny');

describe('pairing of masked-LM windows', () => {
  it('certifies bert-tiny against itself: every window paired, ratio 1, pass', async () => {
    const run = await certify(runConfig({ baseline: BERT, subjects: [{ label: 'self', model: BERT }] }), { cwd: process.cwd() });
    const cert = run.subjects[0]!.certificate;
    expect(cert.primary_metric.kind).toBe('ppl_mlm');
    expect(cert.pairing).toMatchObject({ match: 1, reason: null });
    expect(cert.validation.pairing_ok).toBe(true);
    expect(cert.primary_metric.ratio).toBe(1);
    expect(cert.verdict.status).toBe('pass');
    // the weights are the masked positions, fewer than the window's tokens
    expect(Math.max(...cert.windows.final.weights)).toBeLessThan(64);
  }, 180_000);
});
