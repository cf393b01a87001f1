/**
 * Statistical calibration of the certify gates (not part of `npm test`; `npm run calibrate`):
 *
 *   npx tsx bench/calibration/run.ts [--seeds 10] [--seed-start 1] [--tiers balanced,conservative,aggressive]
 *     [--fixtures gpt2-tiny,llama-tiny,bert-tiny] [--cases all|id,id] [--jobs 1] [--threads 1] [--text-chars 300000]
 *     [--seq-len 128] [--windows 32] [--truth-windows 3000] [--fresh] [--out DIR] [--quick]
 *
 * First the true harm of every subject (truth.ts, cached in `truth.json`), then ONE certify per
 * (fixture, case, seed) in the measurement tier, each appended to `measurements.jsonl` as soon as
 * it finishes: a killed run loses at most the certify in flight, and running the same command
 * again resumes (`--fresh` starts the log over). Every tier is then decided from those runs
 * (redecide.ts) and classed by the true harm (harm.ts). Writes `RESULTS.md`, `outcomes.json` (every
 * tier's outcome) and the calibration record: by default `bench/calibration/RESULTS.md`,
 * `bench/calibration/outcomes.json` and `contracts/calibration.json`; with `--out DIR` everything
 * (log and truth cache included) goes to DIR. `--quick` is the smoke variant (gpt2-tiny, balanced,
 * 2 seeds, 4 cases) and writes to a temporary directory unless `--out` is given.
 *
 * `--render FILE` rebuilds RESULTS.md and the record from a saved outcomes.json without certifying.
 * `--worker JOB.json` is internal: a worker process of `--jobs N`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { TierName } from '../../src/core/index.js';
import { SMOKE_CASE_IDS } from './cases.js';
import { runUnits, type CalibrationPlan } from './calibrate.js';
import { runCalibration, resultsMarkdown } from './pipeline.js';
import { notesOf } from './render.js';
import { parseSavedRun, rebuildFromSaved, savedRunOf } from './saved-run.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '../..');
const TIERS: readonly TierName[] = ['balanced', 'conservative', 'aggressive'];

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function int(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer, got '${value}'`);
  return n;
}

function tiersOf(values: string[] | undefined): TierName[] | undefined {
  if (values === undefined) return undefined;
  return values.map((v) => {
    const tier = TIERS.find((t) => t === v);
    if (tier === undefined) throw new Error(`unknown tier '${v}' (known: ${TIERS.join(', ')})`);
    return tier;
  });
}

async function worker(jobFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as { plan: CalibrationPlan; units: { fixture: string; seed: number }[]; out: string; done: string[] };
  const result = await runUnits(job.plan, job.units, (line) => console.log(line), new Set(job.done));
  writeFileSync(job.out, JSON.stringify(result));
}

/** Where the outputs go: the recorded locations, or one directory. */
function outputPaths(outDir: string | null): { results: string; outcomes: string; record: string; log: string; truth: string } {
  if (outDir === null) {
    return {
      results: join(HERE, 'RESULTS.md'),
      outcomes: join(HERE, 'outcomes.json'),
      record: join(REPO_ROOT, 'contracts/calibration.json'),
      log: join(HERE, 'measurements.jsonl'),
      truth: join(HERE, 'truth.json'),
    };
  }
  mkdirSync(outDir, { recursive: true });
  return {
    results: join(outDir, 'RESULTS.md'),
    outcomes: join(outDir, 'outcomes.json'),
    record: join(outDir, 'calibration.json'),
    log: join(outDir, 'measurements.jsonl'),
    truth: join(outDir, 'truth.json'),
  };
}

/** `--render FILE`: rebuilds RESULTS.md and the record from a saved outcomes.json (nothing is certified). */
function render(file: string, out: string | undefined): void {
  const saved = parseSavedRun(readFileSync(file, 'utf8'), file);
  const paths = outputPaths(out ?? null);
  const notes = notesOf(existsSync(paths.results) ? readFileSync(paths.results, 'utf8') : null);
  const rebuilt = rebuildFromSaved(saved, notes);
  writeFileSync(paths.results, rebuilt.markdown);
  writeFileSync(paths.record, `${JSON.stringify(rebuilt.record, null, 2)}\n`);
  console.log(`rebuilt ${paths.results} and ${paths.record} from ${file} (digest ${saved.digest})`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      'seed-start': { type: 'string' },
      tiers: { type: 'string' },
      fixtures: { type: 'string' },
      cases: { type: 'string' },
      jobs: { type: 'string' },
      threads: { type: 'string' },
      'text-chars': { type: 'string' },
      'seq-len': { type: 'string' },
      windows: { type: 'string' },
      'truth-windows': { type: 'string' },
      fresh: { type: 'boolean', default: false },
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      worker: { type: 'string' },
      render: { type: 'string' },
    },
    strict: true,
  });
  if (values.worker !== undefined) return worker(values.worker);
  if (values.render !== undefined) return render(values.render, values.out);
  const quick = values.quick === true;
  const casesFlag = list(values.cases);
  const started = new Date();
  const seedsFlag = int(values.seeds, 'seeds');
  const seedStart = int(values['seed-start'], 'seed-start');
  const jobs = int(values.jobs, 'jobs');
  const threads = int(values.threads, 'threads');
  const textChars = int(values['text-chars'], 'text-chars');
  const seqLen = int(values['seq-len'], 'seq-len');
  const windows = int(values.windows, 'windows');
  const truthWindows = int(values['truth-windows'], 'truth-windows');
  const paths = outputPaths(values.out ?? (quick ? mkdtempSync(join(tmpdir(), 'invarlock-calibration-quick-')) : null));
  if (values.fresh === true) rmSync(paths.log, { force: true });
  const fixtures = list(values.fixtures) ?? (quick ? ['gpt2-tiny'] : undefined);
  const tiers = tiersOf(list(values.tiers)) ?? (quick ? (['balanced'] as TierName[]) : undefined);
  const cases = casesFlag === undefined || (casesFlag.length === 1 && casesFlag[0] === 'all') ? (quick ? SMOKE_CASE_IDS : 'all') : casesFlag;
  const command = `npx tsx bench/calibration/run.ts ${process.argv.slice(2).join(' ')}`.trim();
  console.log(`calibration: ${command} (started ${started.toISOString()})`);
  const result = await runCalibration({
    repoRoot: REPO_ROOT,
    command,
    cases,
    workerScript: fileURLToPath(import.meta.url),
    onProgress: (line) => console.log(line),
    log: paths.log,
    truthFile: paths.truth,
    ...(truthWindows === undefined ? {} : { truthWindows }),
    ...(fixtures === undefined ? {} : { fixtures }),
    ...(tiers === undefined ? {} : { tiers }),
    ...(seedsFlag === undefined ? (quick ? { seeds: 2 } : {}) : { seeds: seedsFlag }),
    ...(seedStart === undefined ? {} : { seedStart }),
    ...(jobs === undefined ? {} : { jobs }),
    ...(threads === undefined ? {} : { threads }),
    ...(textChars === undefined ? {} : { textChars }),
    ...(seqLen === undefined ? {} : { seqLen }),
    ...(windows === undefined ? {} : { windows }),
  });
  const notes = notesOf(existsSync(paths.results) ? readFileSync(paths.results, 'utf8') : null);
  writeFileSync(paths.results, resultsMarkdown(result, notes));
  writeFileSync(paths.outcomes, `${JSON.stringify(savedRunOf(result.meta, result.outcomes, result.units.timings))}\n`);
  writeFileSync(paths.record, `${JSON.stringify(result.record, null, 2)}\n`);
  for (const g of result.summary.goals) {
    console.log(
      `${g.tier}: false alarms ${g.falseAlarm.flagged}/${g.falseAlarm.n} (${g.falseAlarm.status}), detection ${g.detection.flagged}/${g.detection.n} (${g.detection.status})`,
    );
  }
  console.log(`digest ${result.digest}; ${result.outcomes.length} outcomes from ${result.measurements.length} runs in ${result.meta.durationS} s`);
  if (result.mismatches.length > 0) console.log(`re-decision differs from the certificate for ${result.mismatches.length} run(s): ${result.mismatches.slice(0, 5).join('; ')}`);
  console.log(`wrote ${paths.results}, ${paths.outcomes}, ${paths.record}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
