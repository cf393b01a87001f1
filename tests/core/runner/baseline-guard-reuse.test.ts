/**
 * Baseline reuse that pays (issue 12 item 7): the saved baseline evaluation holds the baseline's
 * weight measurements and RMT activations, so a run that reuses it opens no baseline session and
 * reads no baseline weights for the guards, and certifies exactly what a cold run certifies.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { certify, type BaselineEvaluation, type CertifyRun } from '../../../src/core/index.js';
import type { ScoringModel } from '../../../src/eval/index.js';
import { decodeBaselineGuards, encodeBaselineGuards } from '../../../src/guards/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';
import { GPT2, eventLog, removeDir, runConfig, tempDir } from './runner-fixtures.js';

// every session the runner opens, by the source of the model it scores
const sessions = vi.hoisted(() => [] as string[]);
vi.mock('../../../src/eval/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/eval/index.js')>();
  return {
    ...actual,
    createScorer: (model: ScoringModel, options: Parameters<typeof actual.createScorer>[1]) => {
      sessions.push(model.source);
      return actual.createScorer(model, options);
    },
  };
});

const RUN_TIMEOUT = 300_000;
const EDIT = { name: 'quant_rtn', config: { bits: 3, scope: 'ffn' } } as const;

describe('baseline guard measurements saved with the baseline evaluation', () => {
  const tmp = tempDir('baseline-guards');
  const config = (baselineEval: string | null) => runConfig({ baseline: GPT2, seed: 42, edit: EDIT, ...(baselineEval === null ? {} : { baseline_eval: baselineEval }) });
  const runs: Record<'cold' | 'reused' | 'rmtStale' | 'noGuards', { run: CertifyRun; sessions: string[] }> = {} as never;
  let saved: BaselineEvaluation;

  const runWith = async (baselineEval: string | null) => {
    sessions.length = 0;
    const log = eventLog();
    const run = await certify(config(baselineEval), { cwd: tmp, onEvent: log.onEvent });
    expect(log.events.some((e) => e.type === 'warning' && e.id === 'baseline_eval_recomputed')).toBe(false);
    return { run, sessions: [...sessions] };
  };

  beforeAll(async () => {
    runs.cold = await runWith(null);
    saved = runs.cold.run.baselineEvaluation!;
    const path = join(tmp, 'baseline-eval.json');
    writeFileSync(path, JSON.stringify(saved));
    runs.reused = await runWith(path);
    // measured with other RMT settings: the activations are measured again (a session), the weights reused
    const guards = decodeBaselineGuards(saved.guards, path);
    const stale = join(tmp, 'rmt-stale.json');
    writeFileSync(stale, JSON.stringify({ ...saved, guards: encodeBaselineGuards({ ...guards, key: { ...guards.key, rmt: { ...guards.key.rmt!, iters: guards.key.rmt!.iters + 1 } } }) }));
    runs.rmtStale = await runWith(stale);
    // a record saved before guard measurements were kept
    const old = join(tmp, 'no-guards.json');
    const { guards: _dropped, ...withoutGuards } = saved;
    writeFileSync(old, JSON.stringify(withoutGuards));
    runs.noGuards = await runWith(old);
  }, RUN_TIMEOUT);
  afterAll(() => removeDir(tmp));

  const certificateOf = (kind: keyof typeof runs) => runs[kind].run.subjects[0]!.certificate;

  it('the cold run opens a baseline session and saves the weight statistics and RMT activations', () => {
    expect(runs.cold.sessions).toContain(GPT2);
    const guards = decodeBaselineGuards(saved.guards, 'saved');
    expect(guards.weights!.summaries.length).toBeGreaterThan(0);
    expect(guards.weights!.stats.length).toBeGreaterThan(0);
    expect(guards.weights!.stats.every((s) => s.stats.mp !== null)).toBe(true);
    expect(guards.rmt!.length).toBeGreaterThan(0);
    expect(guards.key.weightStats).toEqual({ powerIters: expect.any(Number), mpTopK: 8, mpIters: 6 });
  });

  it('a reused run opens no baseline session and gives the same certificate', () => {
    expect(runs.reused.sessions).not.toContain(GPT2);
    expect(runs.reused.sessions.length).toBe(runs.cold.sessions.length - 1);
    const cold = certificateOf('cold');
    const reused = certificateOf('reused');
    expect(reused.guards).toStrictEqual(cold.guards);
    expect(reused.digest).toBe(cold.digest);
    // and saves the same record again
    expect(runs.reused.run.baselineEvaluation).toStrictEqual(saved);
  });

  it('measures again only what the saved record does not cover: stale RMT settings, or no guard measurements', () => {
    expect(runs.rmtStale.sessions).toContain(GPT2);
    expect(runs.noGuards.sessions).toContain(GPT2);
    expect(certificateOf('rmtStale').digest).toBe(certificateOf('cold').digest);
    expect(certificateOf('noGuards').digest).toBe(certificateOf('cold').digest);
  });

  it('keeps NaN, ±Infinity and −0 through JSON, and refuses a malformed record with E_BASELINE_EVAL', () => {
    const guards = decodeBaselineGuards(saved.guards, 'saved');
    const first = guards.weights!.stats[0]!;
    const odd = { ...guards, weights: { ...guards.weights!, stats: [{ ...first, stats: { ...first.stats, mean: -0, sigmaMax: Number.NaN, stableRank: Number.POSITIVE_INFINITY } }] } };
    const back = decodeBaselineGuards(JSON.parse(JSON.stringify(encodeBaselineGuards(odd))), 'x');
    expect(back).toStrictEqual(odd);
    const broken = JSON.parse(JSON.stringify(saved.guards)) as { weights: { stats: { stats: { rows: unknown } }[] } };
    broken.weights.stats[0]!.stats.rows = 'many';
    const error = (() => {
      try {
        decodeBaselineGuards(broken, 'cache/baseline-eval.json');
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(isInvarlockError(error, 'E_BASELINE_EVAL')).toBe(true);
    expect(isInvarlockError(error) && error.details).toMatchObject({ file: 'cache/baseline-eval.json', field: 'guards.weights.stats[0]' });
  });
});
