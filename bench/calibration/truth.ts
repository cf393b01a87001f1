/**
 * The true harm of every calibration subject (harm.ts): its perplexity ratio against the baseline
 * on all the held-out text the machine has, WikiText-2 valid.txt, scored with the same pipeline a
 * certify run uses (one certify per fixture with every compare-mode subject and every seeded
 * variant, one per built-in edit; seed 0; `previewN` + `finalN` windows, the ratio over the final
 * ones). WikiText-2 test.txt is not used: it is the fixtures' training text (MANIFEST.json). Results
 * are cached in `truth.json` by (fixture model sha256, case, variant), so a re-run measures only what
 * is missing.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TierName } from '../../src/core/index.js';
import { certifyOnce, casesFor, fixtureDir, prepareSubjects, runConfig, type CalibrationPlan, type ProgressListener } from './calibrate.js';
import { VARIANTS, isSeeded, type CalibrationCase } from './cases.js';
import type { TrueHarm } from './harm.js';
import type { OutcomeKey } from './outcome.js';

/** Compare-mode subjects per truth certify (each chunk is saved as soon as it finishes). */
const TRUTH_CHUNK = 4;

/** One subject's true harm. */
export interface TruthEntry {
  readonly fixture: string;
  /** sha256 of the fixture's model.onnx when measured. */
  readonly model_sha256: string;
  readonly case: string;
  readonly variant: number | null;
  /** Perplexity ratio over the final windows (null: not finite, or the run stopped at the catastrophe check). */
  readonly ratio: number | null;
  readonly preview_ratio: number | null;
  readonly windows: number;
}

/** The file `truth.json`. */
export interface TruthFile {
  readonly format: 'invarlock.calibration-truth/v1';
  readonly source: string;
  readonly text_sha256: string;
  readonly seq_len: number;
  readonly preview_n: number;
  readonly final_n: number;
  readonly entries: readonly TruthEntry[];
}

/** What a truth measurement needs. */
export interface TruthPlan {
  readonly repoRoot: string;
  readonly fixtures: readonly string[];
  readonly cases: readonly CalibrationCase[];
  readonly measureTier: TierName;
  /** WikiText-2 valid.txt (absolute path). */
  readonly textPath: string;
  readonly seqLen: number;
  readonly previewN: number;
  readonly finalN: number;
  readonly threads: number;
  readonly workDir: string;
  /** Where the cache lives (`bench/calibration/truth.json`). */
  readonly file: string;
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function truthKey(fixture: string, sha: string, c: string, variant: number | null): string {
  return `${fixture}|${sha}|${c}|${variant ?? '-'}`;
}

/** Reads truth.json (an empty file when absent or measured on other text/windows). */
export function readTruth(file: string, plan: Pick<TruthPlan, 'seqLen' | 'previewN' | 'finalN'>, textSha: string): TruthFile {
  const empty: TruthFile = { format: 'invarlock.calibration-truth/v1', source: 'wikitext-2/valid.txt', text_sha256: textSha, seq_len: plan.seqLen, preview_n: plan.previewN, final_n: plan.finalN, entries: [] };
  if (!existsSync(file)) return empty;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as TruthFile;
  if (parsed.format !== empty.format || parsed.text_sha256 !== textSha || parsed.seq_len !== plan.seqLen || parsed.preview_n !== plan.previewN || parsed.final_n !== plan.finalN) return empty;
  return parsed;
}

/** Measures what truth.json lacks for the plan's fixtures and cases; returns the whole file. */
export async function measureTruth(plan: TruthPlan, onProgress: ProgressListener = () => {}): Promise<TruthFile> {
  const textSha = createHash('sha256').update(readFileSync(plan.textPath)).digest('hex');
  let truth = readTruth(plan.file, plan, textSha);
  const have = new Set(truth.entries.map((e) => truthKey(e.fixture, e.model_sha256, e.case, e.variant)));
  const save = (entries: readonly TruthEntry[]): void => {
    truth = { ...truth, entries: [...truth.entries, ...entries] };
    writeFileSync(plan.file, `${JSON.stringify(truth, null, 1)}\n`);
  };
  const calPlan: Pick<CalibrationPlan, 'repoRoot' | 'profile' | 'threads' | 'dataset'> = {
    repoRoot: plan.repoRoot,
    profile: 'dev',
    threads: plan.threads,
    dataset: { textPath: plan.textPath, seqLen: plan.seqLen, previewN: plan.previewN, finalN: plan.finalN },
  };
  const variantsOf = (c: CalibrationCase): (number | null)[] => (isSeeded(c) ? Array.from({ length: VARIANTS }, (_, v) => v) : [null]);
  for (const fixture of plan.fixtures) {
    const sha = sha256File(join(fixtureDir(plan, fixture), 'model.onnx'));
    if (truth.entries.some((e) => e.fixture === fixture && e.model_sha256 !== sha)) {
      // the fixture was regenerated: its old truths describe another model
      truth = { ...truth, entries: truth.entries.filter((e) => e.fixture !== fixture || e.model_sha256 === sha) };
    }
    const missing = casesFor(plan, fixture).filter((c) => variantsOf(c).some((v) => !have.has(truthKey(fixture, sha, c.id, v))));
    if (missing.length === 0) continue;
    const dir = join(plan.workDir, 'truth', fixture);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const savedEval = join(dir, 'baseline-eval.json');
    const evalPath = (): string | null => (existsSync(savedEval) ? savedEval : null);
    const entryOf = (c: CalibrationCase, variant: number | null, stats: { ratio: number | null; preview_ratio: number | null }): TruthEntry => ({
      fixture,
      model_sha256: sha,
      case: c.id,
      variant,
      ratio: stats.ratio,
      preview_ratio: stats.preview_ratio,
      windows: plan.finalN,
    });
    const keyOf = (c: CalibrationCase, variant: number | null): OutcomeKey => ({ fixture, tier: plan.measureTier, seed: 0, case: c.id, intent: c.intent, layer: null, variant });
    try {
      const allGiven = (await prepareSubjects(plan, fixture, Array.from({ length: VARIANTS }, (_, v) => v), dir, missing, true)).filter(
        (g) => !have.has(truthKey(fixture, sha, g.case.id, g.variant)),
      );
      // a few subjects per certify: each finished chunk is saved, so a killed run keeps it
      for (let at = 0; at < allGiven.length; at += TRUTH_CHUNK) {
        const given = allGiven.slice(at, at + TRUTH_CHUNK);
        const config = runConfig(calPlan, fixture, plan.measureTier, 0, evalPath(), {
          subjects: given.flatMap((g) => (g.spec.kind === 'model' ? [{ label: g.label, model: g.spec.model }] : [])),
          subject_lora: given.flatMap((g) => (g.spec.kind === 'lora' ? [{ label: g.label, path: g.spec.path }] : [])),
        });
        const done = await certifyOnce(calPlan, config, given.map((g) => keyOf(g.case, g.variant)), given.map((g) => g.label));
        if (done.run?.baselineEvaluation && !existsSync(savedEval)) writeFileSync(savedEval, JSON.stringify(done.run.baselineEvaluation));
        // a run that could not finish measured nothing: keep it out of the cache so the next run retries it
        const measured = given.flatMap((g, i) => (done.outcomes[i]!.verdict === 'error' ? [] : [entryOf(g.case, g.variant, done.outcomes[i]!.stats)]));
        save(measured);
        onProgress(
          `truth ${fixture} compare ×${given.length} (${(done.ms / 1000).toFixed(0)} s): ${given.map((g, i) => `${g.label}=${done.outcomes[i]!.verdict === 'error' ? done.outcomes[i]!.reasons.join(',') : (done.outcomes[i]!.stats.ratio ?? 'null')}`).join(' ')}`,
        );
      }
      for (const c of missing.filter((x) => x.subject.kind === 'edit')) {
        if (c.subject.kind !== 'edit') continue;
        const config = runConfig(calPlan, fixture, plan.measureTier, 0, evalPath(), { edit: { name: c.subject.name, config: c.subject.config } });
        const done = await certifyOnce(calPlan, config, [keyOf(c, null)]);
        if (done.run?.baselineEvaluation && !existsSync(savedEval)) writeFileSync(savedEval, JSON.stringify(done.run.baselineEvaluation));
        if (done.outcomes[0]!.verdict !== 'error') save([entryOf(c, null, done.outcomes[0]!.stats)]);
        onProgress(`truth ${fixture} ${c.id} (${(done.ms / 1000).toFixed(0)} s): ${done.outcomes[0]!.stats.ratio ?? 'null'} (${done.outcomes[0]!.verdict} ${done.outcomes[0]!.reasons.join(',')})`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return truth;
}

/** The true harm of a measured run, or null when truth.json lacks it. */
export function harmOf(truth: TruthFile, shaOf: (fixture: string) => string | null, c: CalibrationCase | undefined, fixture: string, variant: number | null): TrueHarm | null {
  if (c === undefined) return null;
  const sha = shaOf(fixture);
  const e = truth.entries.find((x) => x.fixture === fixture && (sha === null || x.model_sha256 === sha) && x.case === c.id && x.variant === variant);
  if (e === undefined) return null;
  return { ratio: e.ratio, broken: c.broken };
}

/** The truth entries' model sha per fixture (the first seen). */
export function truthShaOf(truth: TruthFile): (fixture: string) => string | null {
  return (fixture) => truth.entries.find((e) => e.fixture === fixture)?.model_sha256 ?? null;
}
