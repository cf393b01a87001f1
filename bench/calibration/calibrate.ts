/**
 * Runs the calibration's measurements: for each fixture and seed (a "unit"), writes the subjects
 * that seed needs, then runs ONE compare-mode certify with every given subject and one edit-mode
 * certify per built-in edit, all in the measurement tier. Every other tier is decided from these
 * runs' statistics (redecide.ts), never re-run. The first certify of a unit evaluates the baseline
 * and saves it; every later certify of that unit reuses it through `baseline_eval` (same seed, same
 * windows, so the same losses). Each certify's outcomes are appended to the measurement log as soon
 * as it finishes, and a unit skips what the log already holds, so a killed calibration resumes
 * where it stopped. Units are independent, so they can run in parallel processes and still give
 * the same outcomes.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certify, parseRunConfigFile, resolveRunConfig, type CertifyRun, type RunConfig, type RunConfigFile, type RunEvent, type TierName } from '../../src/core/index.js';
import { loadModel } from '../../src/adapters/index.js';
import { deriveSeed } from '../../src/stats/index.js';
import { isInvarlockError } from '../../src/errors/index.js';
import { isSeeded, VARIANTS, type CalibrationCase } from './cases.js';
import { blockCount, writeAdapterVariant, writeBf16Model, writeNoisyModel, writeScaledBlock, writeZeroedBlock, type MaterialisedModel } from './materialise.js';
import { compareOutcomes, errorOutcome, outcomeOf, type OutcomeKey, type RunOutcome } from './outcome.js';

/** Offset of the noise stream from the run seed (the pipeline's own streams use 0–3000, tiers.json). */
export const NOISE_SEED_OFFSET = 9000;

/** Everything that decides a calibration's outcomes (the digest covers its results, the contract records it). */
export interface CalibrationPlan {
  readonly repoRoot: string;
  /** Fixture names under `tests/fixtures/models/`. */
  readonly fixtures: readonly string[];
  /** The tiers decided from the measurements (redecide.ts). */
  readonly tiers: readonly TierName[];
  /** The one tier every certify runs in. */
  readonly measureTier: TierName;
  readonly seeds: readonly number[];
  readonly cases: readonly CalibrationCase[];
  readonly profile: 'dev' | 'ci_cpu' | 'ci' | 'release';
  /** The evaluation text (absolute path) and window counts. */
  readonly dataset: { readonly textPath: string; readonly seqLen: number; readonly previewN: number; readonly finalN: number };
  /** onnxruntime intra-op threads per certify (1 keeps results independent of the machine's core count). */
  readonly threads: number;
  /** Scratch space for materialised models and saved baseline evaluations. */
  readonly workDir: string;
  /** The measurement log (JSON lines of RunOutcome) appended after every certify; null: none. */
  readonly log: string | null;
}

/** Wall time of one certify call (not part of the digest). */
export interface RunTiming {
  readonly fixture: string;
  readonly tier: string;
  readonly seed: number;
  readonly mode: 'compare' | 'edit';
  readonly cases: readonly string[];
  readonly ms: number;
  readonly baselineReused: boolean;
}

/** Facts about a fixture and a tier read from the certificates (the same in every unit). */
export interface RunFacts {
  /** sha256 of each fixture's model.onnx. */
  readonly baselines: Readonly<Record<string, string>>;
  /** Policy digest of each tier (certificate `policy_digest`). */
  readonly policies: Readonly<Record<string, string>>;
}

/** The result of some units. */
export interface UnitsResult {
  readonly outcomes: readonly RunOutcome[];
  readonly timings: readonly RunTiming[];
  readonly facts: RunFacts;
}

/** A progress line for the caller to print (the library itself prints nothing). */
export type ProgressListener = (line: string) => void;

/** The fixture's directory. */
export function fixtureDir(plan: Pick<CalibrationPlan, 'repoRoot'>, fixture: string): string {
  return join(plan.repoRoot, 'tests/fixtures/models', fixture);
}

/** The cases a fixture supports: a twin case needs the twin's directory. */
export function casesFor(plan: Pick<CalibrationPlan, 'repoRoot' | 'cases'>, fixture: string): CalibrationCase[] {
  return plan.cases.filter((c) => {
    if (c.subject.kind === 'twin') return existsSync(join(fixtureDir(plan, fixture), '..', `${fixture}-${c.subject.suffix}`, 'model.onnx'));
    if (c.subject.kind === 'lora-alpha') return existsSync(join(plan.repoRoot, 'tests/fixtures/lora', `${fixture}-lora`, 'adapter_config.json'));
    return true;
  });
}

/** The variant of a seeded case in a seed's unit (null for the others). */
export function variantOf(c: CalibrationCase, seed: number): number | null {
  return isSeeded(c) ? seed % VARIANTS : null;
}

/** What a compare-mode case resolves to in one unit. */
export interface GivenSubject {
  readonly case: CalibrationCase;
  readonly layer: number | null;
  readonly variant: number | null;
  /** Label of the subject in the certify run (the case id, with `@variant` for the truth runs' extra variants). */
  readonly label: string;
  readonly spec: { readonly kind: 'model'; readonly model: string } | { readonly kind: 'lora'; readonly path: string };
}

/**
 * Writes (or points at) the compare-mode subjects of `cases` for each given variant of the seeded
 * ones (a unit uses one variant, seed mod VARIANTS; the truth runs use all). `labelled` adds
 * `@variant` to the seeded subjects' labels.
 */
export async function prepareSubjects(
  plan: Pick<CalibrationPlan, 'repoRoot'>,
  fixture: string,
  variants: readonly number[],
  unitDir: string,
  cases: readonly CalibrationCase[],
  labelled = false,
): Promise<GivenSubject[]> {
  const base = fixtureDir(plan, fixture);
  const blocks = blockCount(await loadModel(base));
  const out: GivenSubject[] = [];
  for (const c of cases) {
    const fixed = (spec: GivenSubject['spec']): GivenSubject => ({ case: c, layer: null, variant: null, label: c.id, spec });
    switch (c.subject.kind) {
      case 'edit':
        break;
      case 'twin':
        out.push(fixed({ kind: 'model', model: join(base, '..', `${fixture}-${c.subject.suffix}`) }));
        break;
      case 'bf16':
        out.push(fixed({ kind: 'model', model: (await writeBf16Model(base, join(unitDir, c.id))).dir }));
        break;
      case 'lora-alpha': {
        const shipped = join(plan.repoRoot, 'tests/fixtures/lora', `${fixture}-lora`);
        out.push(fixed({ kind: 'lora', path: c.subject.alpha === null ? shipped : writeAdapterVariant(shipped, join(unitDir, c.id), { lora_alpha: c.subject.alpha }) }));
        break;
      }
      case 'scaled-block':
      case 'zeroed-block':
      case 'noise':
        for (const variant of variants) {
          const dir = join(unitDir, `${c.id}@${variant}`);
          const layer = variant % blocks;
          const subject = c.subject;
          const written: MaterialisedModel =
            subject.kind === 'scaled-block'
              ? await writeScaledBlock(base, dir, layer, subject.factor)
              : subject.kind === 'zeroed-block'
                ? await writeZeroedBlock(base, dir, layer)
                : await writeNoisyModel(base, dir, subject.relative, deriveSeed(variant, NOISE_SEED_OFFSET));
          out.push({ case: c, layer: written.layer, variant, label: labelled ? `${c.id}@${variant}` : c.id, spec: { kind: 'model', model: written.dir } });
        }
        break;
      default: {
        const never: never = c.subject;
        throw new Error(`unknown case subject ${JSON.stringify(never)}`);
      }
    }
  }
  return out;
}

export function runConfig(plan: Pick<CalibrationPlan, 'repoRoot' | 'profile' | 'threads' | 'dataset'>, fixture: string, tier: TierName, seed: number, baselineEval: string | null, target: Partial<RunConfigFile>): RunConfig {
  const label = `calibration ${fixture} ${tier} seed ${seed}`;
  const file = parseRunConfigFile(
    {
      baseline: fixtureDir(plan, fixture),
      profile: plan.profile,
      tier,
      seed,
      threads: plan.threads,
      dataset: { provider: `text:${plan.dataset.textPath}`, seq_len: plan.dataset.seqLen, preview_n: plan.dataset.previewN, final_n: plan.dataset.finalN },
      ...(baselineEval === null ? {} : { baseline_eval: baselineEval }),
      ...target,
    },
    label,
  );
  return resolveRunConfig(file, label);
}

/** Runs one certify; a throw becomes `error` outcomes for its subjects (the calibration goes on). */
export async function certifyOnce(
  plan: Pick<CalibrationPlan, 'repoRoot'>,
  config: RunConfig,
  keys: readonly OutcomeKey[],
  labels: readonly string[] = keys.map((k) => k.case),
): Promise<{ outcomes: RunOutcome[]; run: CertifyRun | null; ms: number; reused: boolean }> {
  let reused = false;
  const onEvent = (event: RunEvent): void => {
    if (event.type === 'info' && event.message.startsWith('reusing the baseline evaluation')) reused = true;
  };
  const started = performance.now();
  try {
    const run = await certify(config, { cwd: plan.repoRoot, onEvent });
    const ms = performance.now() - started;
    const outcomes = keys.map((key, i) => {
      const found = run.subjects.find((s) => s.label === labels[i]) ?? (run.subjects.length === 1 && keys.length === 1 ? run.subjects[0] : undefined);
      return found === undefined ? errorOutcome(key, 'E_CALIBRATION_MISSING_SUBJECT') : outcomeOf(key, found.certificate);
    });
    return { outcomes, run, ms, reused };
  } catch (error) {
    if (!isInvarlockError(error)) throw error;
    return { outcomes: keys.map((key) => errorOutcome(key, error.code)), run: null, ms: performance.now() - started, reused };
  }
}

/** Compare-mode subjects per certify in a unit. */
const COMPARE_CHUNK = 4;

/** The key of a measurement in the log: one per (fixture, seed, case). */
export function measurementKey(o: Pick<RunOutcome, 'fixture' | 'seed' | 'case'>): string {
  return `${o.fixture}|${o.seed}|${o.case}`;
}

/** Appends outcomes to the measurement log (one JSON line each; a killed run loses at most the certify in flight). */
function appendLog(plan: CalibrationPlan, outcomes: readonly RunOutcome[]): void {
  if (plan.log === null || outcomes.length === 0) return;
  appendFileSync(plan.log, outcomes.map((o) => `${JSON.stringify(o)}\n`).join(''));
}

/**
 * Measures one (fixture, seed) in the measurement tier: the compare-mode subjects in one certify,
 * then each built-in edit, skipping the cases `done` holds (keys of {@link measurementKey}).
 * Materialised models live in `workDir/<fixture>/seed-<seed>` and are removed afterwards.
 */
export async function runUnit(plan: CalibrationPlan, fixture: string, seed: number, onProgress: ProgressListener = () => {}, done: ReadonlySet<string> = new Set()): Promise<UnitsResult> {
  const unitDir = join(plan.workDir, fixture, `seed-${seed}`);
  const cases = casesFor(plan, fixture).filter((c) => !done.has(measurementKey({ fixture, seed, case: c.id })));
  const outcomes: RunOutcome[] = [];
  const timings: RunTiming[] = [];
  const baselines: Record<string, string> = {};
  const policies: Record<string, string> = {};
  if (cases.length === 0) return { outcomes, timings, facts: { baselines, policies } };
  rmSync(unitDir, { recursive: true, force: true });
  mkdirSync(unitDir, { recursive: true });
  const tier = plan.measureTier;
  const allGiven = await prepareSubjects(plan, fixture, [seed % VARIANTS], unitDir, cases);
  const edits = cases.filter((c): c is CalibrationCase & { subject: { kind: 'edit' } } => c.subject.kind === 'edit');
  const savedEval = join(unitDir, 'baseline-eval.json');
  const keyOf = (c: CalibrationCase, layer: number | null): OutcomeKey => ({ fixture, tier, seed, case: c.id, intent: c.intent, layer, variant: variantOf(c, seed) });
  const record = (run: CertifyRun | null): void => {
    const cert = run?.subjects[0]?.certificate;
    if (cert === undefined) return;
    policies[tier] = cert.policy_digest;
    if (cert.models.baseline.file_sha256 !== null) baselines[fixture] = cert.models.baseline.file_sha256;
    if (!existsSync(savedEval)) writeFileSync(savedEval, JSON.stringify(run!.baselineEvaluation));
  };
  try {
    const evalPath = (): string | null => (existsSync(savedEval) ? savedEval : null);
    // a few subjects per certify: a failure of one run costs only its chunk, and each chunk is logged
    for (let at = 0; at < allGiven.length; at += COMPARE_CHUNK) {
      const given = allGiven.slice(at, at + COMPARE_CHUNK);
      const config = runConfig(plan, fixture, tier, seed, evalPath(), {
        subjects: given.flatMap((g) => (g.spec.kind === 'model' ? [{ label: g.label, model: g.spec.model }] : [])),
        subject_lora: given.flatMap((g) => (g.spec.kind === 'lora' ? [{ label: g.label, path: g.spec.path }] : [])),
      });
      const done = await certifyOnce(plan, config, given.map((g) => keyOf(g.case, g.layer)), given.map((g) => g.label));
      record(done.run);
      outcomes.push(...done.outcomes);
      appendLog(plan, done.outcomes);
      timings.push({ fixture, tier, seed, mode: 'compare', cases: given.map((g) => g.case.id), ms: Math.round(done.ms), baselineReused: done.reused });
      onProgress(`${fixture} seed ${seed} compare ×${given.length}: ${summarize(done.outcomes)} (${(done.ms / 1000).toFixed(1)} s)`);
    }
    for (const c of edits) {
      const config = runConfig(plan, fixture, tier, seed, evalPath(), { edit: { name: c.subject.name, config: c.subject.config } });
      const done = await certifyOnce(plan, config, [keyOf(c, null)]);
      record(done.run);
      outcomes.push(...done.outcomes);
      appendLog(plan, done.outcomes);
      timings.push({ fixture, tier, seed, mode: 'edit', cases: [c.id], ms: Math.round(done.ms), baselineReused: done.reused });
      onProgress(`${fixture} seed ${seed} ${c.id}: ${summarize(done.outcomes)} (${(done.ms / 1000).toFixed(1)} s)`);
    }
  } finally {
    rmSync(unitDir, { recursive: true, force: true });
  }
  return { outcomes, timings, facts: { baselines, policies } };
}

function summarize(outcomes: readonly RunOutcome[]): string {
  return outcomes.map((o) => `${o.case}=${o.verdict}`).join(' ');
}

/** The (fixture, seed) units of a plan, fixture-major. */
export function unitsOf(plan: Pick<CalibrationPlan, 'fixtures' | 'seeds'>): { fixture: string; seed: number }[] {
  return plan.fixtures.flatMap((fixture) => plan.seeds.map((seed) => ({ fixture, seed })));
}

/** Merges unit results: outcomes in canonical order, timings in run order, facts united. */
export function mergeResults(parts: readonly UnitsResult[]): UnitsResult {
  return {
    outcomes: parts.flatMap((p) => p.outcomes).sort(compareOutcomes),
    timings: parts.flatMap((p) => p.timings),
    facts: { baselines: united(parts.map((p) => p.facts.baselines)), policies: united(parts.map((p) => p.facts.policies)) },
  };
}

/**
 * One value per key from several records; a key seen with different values (a fixture replaced
 * while the calibration ran) becomes `MIXED:` and the values, so the record cannot hide it.
 */
function united(records: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const seen = new Map<string, Set<string>>();
  for (const record of records) for (const [key, value] of Object.entries(record)) seen.set(key, (seen.get(key) ?? new Set()).add(value));
  return Object.fromEntries([...seen].map(([key, values]) => [key, values.size === 1 ? [...values][0]! : `MIXED:${[...values].sort().join(',')}`]));
}

/** Runs the given units one after the other in this process, skipping the measurements `done` holds. */
export async function runUnits(
  plan: CalibrationPlan,
  units: readonly { fixture: string; seed: number }[],
  onProgress: ProgressListener = () => {},
  done: ReadonlySet<string> = new Set(),
): Promise<UnitsResult> {
  const parts: UnitsResult[] = [];
  for (const unit of units) parts.push(await runUnit(plan, unit.fixture, unit.seed, onProgress, done));
  return mergeResults(parts);
}

/**
 * The measurements of a log that belong to `plan` (its fixtures, seeds, cases and measurement
 * tier), the last line of each key winning; a torn last line (a kill mid-write) is ignored.
 */
export function readLog(path: string, plan: Pick<CalibrationPlan, 'fixtures' | 'seeds' | 'cases' | 'measureTier'>): RunOutcome[] {
  if (!existsSync(path)) return [];
  const byKey = new Map<string, RunOutcome>();
  const fixtures = new Set(plan.fixtures);
  const seeds = new Set(plan.seeds);
  const cases = new Set(plan.cases.map((c) => c.id));
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let o: RunOutcome;
    try {
      o = JSON.parse(line) as RunOutcome;
    } catch {
      continue;
    }
    if (o.tier !== plan.measureTier || !fixtures.has(o.fixture) || !seeds.has(o.seed) || !cases.has(o.case)) continue;
    byKey.set(measurementKey(o), o);
  }
  return [...byKey.values()].sort(compareOutcomes);
}

/** Reads a JSON file written by {@link runUnits} in a worker process. */
export function readUnitsResult(path: string): UnitsResult {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('outcomes' in parsed) || !('timings' in parsed) || !('facts' in parsed)) {
    throw new Error(`${path} is not a calibration worker result`);
  }
  return parsed as UnitsResult;
}
