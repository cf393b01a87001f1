/**
 * Smoke variant of the calibration (bench/calibration): gpt2-tiny, balanced tier, two seeds, two
 * benign cases (noop, 8-bit RTN) and two harmful ones (2-bit RTN, one block scaled by 1.5), run
 * through the same machinery as `bench/calibration/run.ts`; then seed 2 again on its own for two of the cases. Asserts
 * the machinery's invariants, not the rates: counts add up, the null edit never fails, the tables
 * and the record are produced, and the digest depends only on the seeds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GATES,
  NOTES_MARKER,
  SMOKE_CASE_IDS,
  canonicalOutcomes,
  notesOf,
  outcomesDigest,
  parseSavedRun,
  rebuildFromSaved,
  resultsMarkdown,
  runCalibration,
  savedRunOf,
  type CalibrationResult,
} from '../../bench/calibration/index.js';
import { canonicalJson } from '../../src/contracts/index.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUN_TIMEOUT = 300_000;
const RERUN_CASES = ['rtn_int2', 'scale_block_1.5'];

/** Where the smoke run's truth cache goes (removed after the run). */
const TRUTH_DIR = mkdtempSync(join(tmpdir(), 'invarlock-calibration-smoke-'));
/** Small text, the dev profile's window counts and a small truth set: the machinery, not the statistics, is under test. */
const SMOKE = {
  repoRoot: REPO_ROOT,
  fixtures: ['gpt2-tiny'],
  tiers: ['balanced'],
  cases: SMOKE_CASE_IDS,
  textChars: 120_000,
  jobs: 1,
  truthFile: join(TRUTH_DIR, 'truth.json'),
  truthWindows: 32,
} as const;

describe('calibration smoke run (gpt2-tiny, balanced, seeds 1–2)', () => {
  let run: CalibrationResult;
  let again: CalibrationResult;
  beforeAll(async () => {
    run = await runCalibration({ ...SMOKE, seeds: 2, seedStart: 1, command: 'smoke seeds 1-2' });
    // a non-trivial edit-mode case and the compare-mode case are enough to show the seed decides everything
    again = await runCalibration({ ...SMOKE, cases: RERUN_CASES, seeds: 1, seedStart: 2, command: 'smoke seed 2 again' });
  }, RUN_TIMEOUT);
  afterAll(() => rmSync(TRUTH_DIR, { recursive: true, force: true }));

  it('certifies every (seed, case) once, with one outcome each', () => {
    expect(run.outcomes).toHaveLength(2 * SMOKE_CASE_IDS.length);
    const keys = run.outcomes.map((o) => `${o.fixture}/${o.tier}/${o.seed}/${o.case}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(run.outcomes.map((o) => o.case))).toEqual(new Set(SMOKE_CASE_IDS));
    expect(run.units.timings.map((t) => t.cases.length).reduce((a, b) => a + b, 0)).toBe(run.outcomes.length);
    // one compare call (the scaled block) and three edit calls per seed; only the first evaluates the baseline
    expect(run.units.timings.filter((t) => t.mode === 'compare')).toHaveLength(2);
    expect(run.units.timings.filter((t) => !t.baselineReused)).toHaveLength(2);
  });

  it('adds the counts up: cell runs, verdicts and per-case rows agree with the outcomes', () => {
    for (const cell of run.summary.cells) {
      const members = run.outcomes.filter((o) => (cell.fixture === 'all' || o.fixture === cell.fixture) && o.tier === cell.tier && o.class === cell.class);
      expect(cell.runs, `${cell.fixture} ${cell.class}`).toBe(members.length);
      for (const gate of GATES) {
        expect(cell.gates[gate].n).toBe(members.length);
        expect(cell.gates[gate].flagged).toBe(members.filter((o) => o.flagged[gate]).length);
      }
      expect(cell.errors).toBe(members.filter((o) => o.verdict === 'error').length);
    }
    for (const row of run.summary.cases) {
      const v = row.verdicts;
      expect(v.pass + v.warn + v.fail + v.error).toBe(row.runs);
      expect(row.runs).toBe(2);
      expect(row.gates.verdict).toBe(v.fail + v.error);
    }
    const goal = run.summary.goals[0]!;
    expect(goal.falseAlarm.n + goal.detection.n + run.summary.grey[0]!.runs).toBe(run.outcomes.length);
    // every outcome re-decided from its run reproduces what its certificate recorded
    expect(run.mismatches).toEqual([]);
    // each run is classed by its subject's true ratio on the truth set
    for (const o of run.outcomes) expect(o.class === 'grey' || o.true_ratio !== null || o.case === 'rtn_int2' || o.case === 'scale_block_1.5').toBe(true);
    // the what-if grid at ×1 re-derives every recorded verdict from the recorded statistics
    expect(run.summary.grid).toHaveLength(8); // primary metric, drift, spectral, RMT and RMT per family (4)
    for (const g of run.summary.grid) {
      const at1 = g.points.find((p) => p.multiple === 1)!;
      expect([at1.falseAlarm.flagged, at1.detection.flagged], g.gate).toEqual([goal.falseAlarm.flagged, goal.detection.flagged]);
    }
  });

  it('never fails the benign noop: pass, ratio exactly 1, no gate flagged', () => {
    const noop = run.outcomes.filter((o) => o.case === 'noop');
    expect(noop).toHaveLength(2);
    for (const o of noop) {
      expect(o.verdict).toBe('pass');
      expect(o.stats.ratio).toBe(1);
      expect(o.stats.ratio_ci_high).toBe(1);
      expect(Object.values(o.flagged).every((f) => !f)).toBe(true);
    }
  });

  it('records the scaled block as seed mod blocks (gpt2-tiny has 3)', () => {
    const scaled = run.outcomes.filter((o) => o.case === 'scale_block_1.5');
    expect(scaled.map((o) => [o.seed, o.layer])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('produces the tables and the record with the digest of the outcomes', () => {
    const md = resultsMarkdown(run, '\nhand-written notes\n');
    expect(md).toContain('## Tier balanced');
    for (const id of SMOKE_CASE_IDS) expect(md).toContain(`| gpt2-tiny | ${id} |`);
    expect(md).toContain(run.digest);
    expect(notesOf(md).trim()).toBe('hand-written notes');
    expect(md.indexOf(NOTES_MARKER)).toBeGreaterThan(md.indexOf('## Threshold evidence'));
    const record = JSON.parse(canonicalJson(run.record)) as Record<string, unknown>;
    expect(record).toMatchObject({
      schema_version: 1,
      profile: 'dev',
      seeds: { first: 1, count: 2, list: [1, 2] },
      outcomes: { count: run.outcomes.length, digest: run.digest },
      dataset: { seq_len: 128, preview_n: 32, final_n: 32 },
    });
    expect(record.counts).toHaveLength(run.summary.cells.length);
    expect(run.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('saves the outcomes so the tables and record rebuild identically, and refuses an edited file', () => {
    const text = JSON.stringify(savedRunOf(run.meta, run.outcomes, run.units.timings));
    const rebuilt = rebuildFromSaved(parseSavedRun(text, 'outcomes.json'), '');
    expect(canonicalJson(rebuilt.record)).toBe(canonicalJson(run.record));
    expect(rebuilt.markdown).toBe(resultsMarkdown(run, ''));
    const edited = text.replace('"verdict":"fail"', '"verdict":"pass"');
    expect(edited).not.toBe(text);
    expect(() => parseSavedRun(edited, 'outcomes.json')).toThrow(/hash/);
  });

  it('gives the same outcomes and digest for the same seed run again, in any order', () => {
    const seed2 = run.outcomes.filter((o) => o.seed === 2 && RERUN_CASES.includes(o.case));
    expect(seed2).toHaveLength(RERUN_CASES.length);
    expect(again.outcomes).toEqual(seed2);
    expect(again.digest).toBe(outcomesDigest(seed2));
    expect(outcomesDigest([...run.outcomes].reverse())).toBe(run.digest);
    expect(canonicalOutcomes([...run.outcomes].reverse())).toEqual(run.outcomes);
  });
});
