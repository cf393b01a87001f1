/**
 * A whole calibration in one call: plan → units (in this process, or split over worker processes)
 * → summary → digest, record and Markdown. `run.ts` wraps it with flags and file output; the smoke
 * test calls it directly with a few seeds.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyDigest, resolvePolicy, type TierName } from '../../src/core/index.js';
import { createHash } from 'node:crypto';
import { CASES, selectCases } from './cases.js';
import { fixtureDir, measurementKey, mergeResults, readLog, readUnitsResult, runUnits, unitsOf, type CalibrationPlan, type ProgressListener, type UnitsResult } from './calibrate.js';
import { wikitextValidPath, writeEvalText, type EvalText } from './eval-text.js';
import { canonicalOutcomes, type RunOutcome } from './outcome.js';
import { redecide, tierRules } from './redecide.js';
import { harmOf, measureTruth, type TruthFile } from './truth.js';
import { calibrationRecord, outcomesDigest, renderResults, type CalibrationMeta } from './render.js';
import { summarise, type CalibrationSummary } from './summarise.js';

/** What to calibrate; everything else has a documented default. */
export interface CalibrationOptions {
  readonly repoRoot: string;
  /** @default ['gpt2-tiny', 'llama-tiny'] */
  readonly fixtures?: readonly string[];
  /** @default ['balanced', 'conservative', 'aggressive'] */
  readonly tiers?: readonly TierName[];
  /** Seeds `seedStart … seedStart + seeds − 1`. @default 20 */
  readonly seeds?: number;
  /** @default 1 */
  readonly seedStart?: number;
  /** Case ids (cases.ts) or 'all'. @default 'all' */
  readonly cases?: readonly string[] | 'all';
  /** Characters of WikiText-2 valid.txt to evaluate on (cut at the next blank line). @default 300_000 */
  readonly textChars?: number;
  /** @default 128 */
  readonly seqLen?: number;
  /** Preview and final windows (the dev profile's 32/32). @default 32 */
  readonly windows?: number;
  /** onnxruntime threads per certify. @default 1 */
  readonly threads?: number;
  /** Worker processes; 1 runs everything in this process. @default 1 */
  readonly jobs?: number;
  /** The command line recorded with the results. */
  readonly command: string;
  readonly onProgress?: ProgressListener;
  /** The script a worker process runs (`run.ts`), needed when jobs > 1. */
  readonly workerScript?: string;
  /** The measurement log (appended per certify; a re-run resumes from it). null: no log, measure everything. */
  readonly log?: string | null;
  /** Where the true harms are cached (truth.ts). */
  readonly truthFile: string;
  /** Final windows of the truth runs (WikiText-2 valid.txt has ~3500 windows of 128 tokens). @default 3000 */
  readonly truthWindows?: number;
  /** The tier the certify runs use; the others are re-decided from them. @default 'balanced' */
  readonly measureTier?: TierName;
}

/** A finished calibration. */
export interface CalibrationResult {
  readonly plan: CalibrationPlan;
  /** Every tier's outcomes, re-decided from the measurements and classed by their true harm. */
  readonly outcomes: readonly RunOutcome[];
  /** The certify runs themselves (measurement tier), this run's and the log's. */
  readonly measurements: readonly RunOutcome[];
  readonly truth: TruthFile;
  /** Measured runs whose recorded gate flags differ from their re-decision in the measurement tier (should be none). */
  readonly mismatches: readonly string[];
  readonly units: UnitsResult;
  readonly summary: CalibrationSummary;
  readonly digest: string;
  readonly meta: CalibrationMeta;
  /** contracts/calibration.json. */
  readonly record: Record<string, unknown>;
}

/** Defaults of {@link CalibrationOptions}. */
export const CALIBRATION_DEFAULTS = Object.freeze({
  fixtures: ['gpt2-tiny', 'llama-tiny'] as readonly string[],
  tiers: ['balanced', 'conservative', 'aggressive'] as readonly TierName[],
  seeds: 20,
  seedStart: 1,
  textChars: 300_000,
  seqLen: 128,
  windows: 32,
  threads: 1,
  jobs: 1,
  truthWindows: 3000,
  measureTier: 'balanced' as TierName,
});

function trainStepsOf(repoRoot: string, fixtures: readonly string[]): Record<string, number | null> {
  const path = join(repoRoot, 'tests/fixtures/models/MANIFEST.json');
  const parsed: unknown = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
  const models = typeof parsed === 'object' && parsed !== null && 'models' in parsed && Array.isArray(parsed.models) ? (parsed.models as unknown[]) : [];
  const steps = (name: string): number | null => {
    for (const m of models) {
      if (typeof m !== 'object' || m === null || !('name' in m) || m.name !== name || !('train' in m)) continue;
      const train = m.train;
      if (typeof train === 'object' && train !== null && 'steps' in train && typeof train.steps === 'number') return train.steps;
    }
    return null;
  };
  return Object.fromEntries(fixtures.map((f) => [f, steps(f)]));
}

/** Runs `units` split round-robin over `jobs` worker processes (`workerScript --worker JOB.json`). */
async function runInWorkers(plan: CalibrationPlan, jobs: number, workerScript: string, onProgress: ProgressListener, done: ReadonlySet<string>): Promise<UnitsResult> {
  const units = unitsOf(plan);
  const dir = mkdtempSync(join(tmpdir(), 'invarlock-calibration-jobs-'));
  try {
    const parts = await Promise.all(
      Array.from({ length: jobs }, (_, j) => {
        const mine = units.filter((_, i) => i % jobs === j);
        const jobFile = join(dir, `job-${j}.json`);
        const outFile = join(dir, `result-${j}.json`);
        writeFileSync(jobFile, JSON.stringify({ plan: { ...plan, workDir: join(plan.workDir, `job-${j}`) }, units: mine, out: outFile, done: [...done] }));
        return new Promise<UnitsResult>((resolve, reject) => {
          const child = spawn(process.execPath, [...process.execArgv, workerScript, '--worker', jobFile], { stdio: ['ignore', 'pipe', 'inherit'] });
          let buffered = '';
          child.stdout.on('data', (chunk: Buffer) => {
            buffered += chunk.toString('utf8');
            const lines = buffered.split('\n');
            buffered = lines.pop() ?? '';
            for (const line of lines) onProgress(`[job ${j}] ${line}`);
          });
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve(readUnitsResult(outFile)) : reject(new Error(`calibration worker ${j} exited with ${code}`))));
        });
      }),
    );
    return mergeResults(parts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** sha256 of each fixture's model.onnx. */
function fixtureShas(repoRoot: string, fixtures: readonly string[]): Record<string, string> {
  return Object.fromEntries(fixtures.map((f) => [f, createHash('sha256').update(readFileSync(join(fixtureDir({ repoRoot }, f), 'model.onnx'))).digest('hex')]));
}

/**
 * Every tier's outcomes from the measurements: each run re-decided under the tier's rules
 * (redecide.ts) and classed by its true harm. Also returns the runs whose re-decision in the
 * measurement tier differs from what their certificate recorded under the same policy (a check
 * that the re-decision reproduces certify; empty when the tiers file changed since).
 */
export function expandOutcomes(measurements: readonly RunOutcome[], truth: TruthFile, tiers: readonly TierName[], shas: Readonly<Record<string, string>>): { outcomes: RunOutcome[]; mismatches: string[] } {
  const outcomes: RunOutcome[] = [];
  const mismatches: string[] = [];
  const gates = ['primary_metric', 'drift', 'invariants', 'spectral', 'rmt'] as const;
  for (const tier of tiers) {
    const rules = tierRules(tier);
    for (const m of measurements) {
      const harm = harmOf(truth, (f) => shas[f] ?? null, CASES.find((c) => c.id === m.case), m.fixture, m.variant);
      const o = redecide(m, rules, harm);
      outcomes.push(o);
      if (tier === m.tier && m.verdict !== 'error') {
        const differ = gates.filter((g) => o.flagged[g] !== m.flagged[g]);
        if (differ.length > 0) mismatches.push(`${measurementKey(m)}: ${differ.join(', ')}`);
      }
    }
  }
  return { outcomes: canonicalOutcomes(outcomes), mismatches };
}

/** Runs a calibration: true harms, the measurements (resuming from the log), every tier re-decided, summary, digest, record. */
export async function runCalibration(options: CalibrationOptions): Promise<CalibrationResult> {
  const d = CALIBRATION_DEFAULTS;
  const started = performance.now();
  const date = new Date().toISOString();
  const loadAverage = loadavg();
  const workDir = mkdtempSync(join(tmpdir(), 'invarlock-calibration-'));
  const onProgress = options.onProgress ?? (() => {});
  try {
    const validPath = wikitextValidPath(options.repoRoot);
    const text: EvalText = writeEvalText(validPath, workDir, options.textChars ?? d.textChars);
    const seedStart = options.seedStart ?? d.seedStart;
    const windows = options.windows ?? d.windows;
    const measureTier = options.measureTier ?? d.measureTier;
    const plan: CalibrationPlan = {
      repoRoot: options.repoRoot,
      fixtures: options.fixtures ?? d.fixtures,
      tiers: options.tiers ?? d.tiers,
      measureTier,
      seeds: Array.from({ length: options.seeds ?? d.seeds }, (_, i) => seedStart + i),
      cases: selectCases(options.cases ?? 'all'),
      profile: 'dev',
      dataset: { textPath: text.path, seqLen: options.seqLen ?? d.seqLen, previewN: windows, finalN: windows },
      threads: options.threads ?? d.threads,
      workDir,
      log: options.log ?? null,
    };
    const truth = await measureTruth(
      {
        repoRoot: plan.repoRoot,
        fixtures: plan.fixtures,
        cases: plan.cases,
        measureTier,
        textPath: validPath,
        seqLen: plan.dataset.seqLen,
        previewN: 32,
        finalN: options.truthWindows ?? d.truthWindows,
        threads: plan.threads,
        workDir,
        file: options.truthFile,
      },
      onProgress,
    );
    const logged = plan.log === null ? [] : readLog(plan.log, plan);
    // a run that ended in `error` measured nothing: it is retried
    const done = new Set(logged.filter((m) => m.verdict !== 'error').map(measurementKey));
    if (logged.length > 0) onProgress(`resuming: ${logged.length} measurements already in ${plan.log}`);
    const jobs = Math.max(1, Math.min(options.jobs ?? d.jobs, unitsOf(plan).length));
    let units: UnitsResult;
    if (jobs === 1) {
      units = await runUnits(plan, unitsOf(plan), onProgress, done);
    } else {
      if (options.workerScript === undefined) throw new Error('runCalibration: jobs > 1 needs workerScript');
      units = await runInWorkers(plan, jobs, options.workerScript, onProgress, done);
    }
    const measurements = plan.log === null ? units.outcomes : readLog(plan.log, plan);
    const shas = fixtureShas(plan.repoRoot, plan.fixtures);
    const { outcomes, mismatches } = expandOutcomes(measurements, truth, plan.tiers, shas);
    const summary = summarise(outcomes);
    const cpuList = cpus();
    const facts = { baselines: { ...shas, ...units.facts.baselines }, policies: Object.fromEntries(plan.tiers.map((t) => [t, policyDigestOf(t)])) };
    const meta: CalibrationMeta = {
      command: options.command,
      date,
      machine: { cpus: cpuList.length, cpuModel: cpuList[0]?.model.trim() ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}`, loadAverage },
      durationS: Math.round((performance.now() - started) / 1000),
      jobs,
      plan,
      text,
      facts,
      trainSteps: trainStepsOf(options.repoRoot, plan.fixtures),
      truth: { windows: options.truthWindows ?? d.truthWindows, sha256: truth.text_sha256, entries: truth.entries.length },
      measurements: measurements.length,
      mismatches,
    };
    return {
      plan,
      outcomes,
      measurements,
      truth,
      mismatches,
      units,
      summary,
      digest: outcomesDigest(outcomes),
      meta,
      record: calibrationRecord(meta, outcomes, summary),
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** RESULTS.md for a finished calibration, keeping `notes` (the hand-written part). */
export function resultsMarkdown(result: CalibrationResult, notes: string): string {
  return renderResults(result.meta, result.outcomes, result.summary, result.units.timings, notes);
}

/** The policy digest of a tier as contracts/tiers.json says today (dev profile). */
function policyDigestOf(tier: TierName): string {
  return policyDigest(resolvePolicy({ tier, profile: 'dev' }));
}
