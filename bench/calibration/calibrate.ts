/**
 * Runs the calibration: for each fixture and seed (a "unit"), writes the harmful model directories
 * that seed needs, then for each tier runs one compare-mode certify with every given subject and
 * one edit-mode certify per built-in edit. The first certify of a unit evaluates the baseline and
 * saves it; every later certify of that unit reuses it through `baseline_eval` (same seed, same
 * windows, so the same losses). Units are independent, so they can run in parallel processes and
 * still give the same outcomes.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certify, parseRunConfigFile, resolveRunConfig, type CertifyRun, type RunConfig, type RunConfigFile, type RunEvent, type TierName } from '../../src/core/index.js';
import { loadModel } from '../../src/adapters/index.js';
import { deriveSeed } from '../../src/stats/index.js';
import { isInvarlockError } from '../../src/errors/index.js';
import type { CalibrationCase } from './cases.js';
import { blockCount, writeAdapterVariant, writeNoisyModel, writeScaledBlock, writeZeroedBlock, type MaterialisedModel } from './materialise.js';
import { compareOutcomes, errorOutcome, outcomeOf, type OutcomeKey, type RunOutcome } from './outcome.js';

/** Offset of the noise stream from the run seed (the pipeline's own streams use 0–3000, tiers.json). */
export const NOISE_SEED_OFFSET = 9000;

/** Everything that decides a calibration's outcomes (the digest covers its results, the contract records it). */
export interface CalibrationPlan {
  readonly repoRoot: string;
  /** Fixture names under `tests/fixtures/models/`. */
  readonly fixtures: readonly string[];
  readonly tiers: readonly TierName[];
  readonly seeds: readonly number[];
  readonly cases: readonly CalibrationCase[];
  readonly profile: 'dev';
  /** The evaluation text (absolute path) and window counts. */
  readonly dataset: { readonly textPath: string; readonly seqLen: number; readonly previewN: number; readonly finalN: number };
  /** onnxruntime intra-op threads per certify (1 keeps results independent of the machine's core count). */
  readonly threads: number;
  /** Scratch space for materialised models and saved baseline evaluations. */
  readonly workDir: string;
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
export function casesFor(plan: CalibrationPlan, fixture: string): CalibrationCase[] {
  return plan.cases.filter((c) => c.subject.kind !== 'twin' || existsSync(join(fixtureDir(plan, fixture), '..', `${fixture}-${c.subject.suffix}`, 'model.onnx')));
}

/** What a compare-mode case resolves to in one unit. */
interface GivenSubject {
  readonly case: CalibrationCase;
  readonly layer: number | null;
  readonly spec: { readonly kind: 'model'; readonly model: string } | { readonly kind: 'lora'; readonly path: string };
}

/** Writes (or points at) the compare-mode subjects of one (fixture, seed). */
async function prepareSubjects(plan: CalibrationPlan, fixture: string, seed: number, unitDir: string, cases: readonly CalibrationCase[]): Promise<GivenSubject[]> {
  const base = fixtureDir(plan, fixture);
  const blocks = blockCount(await loadModel(base));
  const layer = seed % blocks;
  const out: GivenSubject[] = [];
  for (const c of cases) {
    const dir = join(unitDir, c.id);
    const model = (m: MaterialisedModel): GivenSubject => ({ case: c, layer: m.layer, spec: { kind: 'model', model: m.dir } });
    switch (c.subject.kind) {
      case 'edit':
        break;
      case 'twin':
        out.push({ case: c, layer: null, spec: { kind: 'model', model: join(base, '..', `${fixture}-${c.subject.suffix}`) } });
        break;
      case 'scaled-block':
        out.push(model(await writeScaledBlock(base, dir, layer, c.subject.factor)));
        break;
      case 'zeroed-block':
        out.push(model(await writeZeroedBlock(base, dir, layer)));
        break;
      case 'noise':
        out.push(model(await writeNoisyModel(base, dir, c.subject.relative, deriveSeed(seed, NOISE_SEED_OFFSET))));
        break;
      case 'lora-alpha':
        out.push({
          case: c,
          layer: null,
          spec: { kind: 'lora', path: writeAdapterVariant(join(plan.repoRoot, 'tests/fixtures/lora', `${fixture}-lora`), dir, { lora_alpha: c.subject.alpha }) },
        });
        break;
      default: {
        const never: never = c.subject;
        throw new Error(`unknown case subject ${JSON.stringify(never)}`);
      }
    }
  }
  return out;
}

function runConfig(plan: CalibrationPlan, fixture: string, tier: TierName, seed: number, baselineEval: string | null, target: Partial<RunConfigFile>): RunConfig {
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
async function certifyOnce(
  plan: CalibrationPlan,
  config: RunConfig,
  keys: readonly OutcomeKey[],
): Promise<{ outcomes: RunOutcome[]; run: CertifyRun | null; ms: number; reused: boolean }> {
  let reused = false;
  const onEvent = (event: RunEvent): void => {
    if (event.type === 'info' && event.message.startsWith('reusing the baseline evaluation')) reused = true;
  };
  const started = performance.now();
  try {
    const run = await certify(config, { cwd: plan.repoRoot, onEvent });
    const ms = performance.now() - started;
    const outcomes = keys.map((key) => {
      const found = run.subjects.find((s) => s.label === key.case) ?? (run.subjects.length === 1 && keys.length === 1 ? run.subjects[0] : undefined);
      return found === undefined ? errorOutcome(key, 'E_CALIBRATION_MISSING_SUBJECT') : outcomeOf(key, found.certificate);
    });
    return { outcomes, run, ms, reused };
  } catch (error) {
    if (!isInvarlockError(error)) throw error;
    return { outcomes: keys.map((key) => errorOutcome(key, error.code)), run: null, ms: performance.now() - started, reused };
  }
}

/**
 * Runs every tier for one (fixture, seed): the compare-mode subjects in one certify per tier, then
 * each built-in edit. Materialised models live in `workDir/<fixture>/seed-<seed>` and are removed
 * afterwards.
 */
export async function runUnit(plan: CalibrationPlan, fixture: string, seed: number, onProgress: ProgressListener = () => {}): Promise<UnitsResult> {
  const unitDir = join(plan.workDir, fixture, `seed-${seed}`);
  rmSync(unitDir, { recursive: true, force: true });
  mkdirSync(unitDir, { recursive: true });
  const cases = casesFor(plan, fixture);
  const given = await prepareSubjects(plan, fixture, seed, unitDir, cases);
  const edits = cases.filter((c): c is CalibrationCase & { subject: { kind: 'edit' } } => c.subject.kind === 'edit');
  const savedEval = join(unitDir, 'baseline-eval.json');
  const outcomes: RunOutcome[] = [];
  const timings: RunTiming[] = [];
  const baselines: Record<string, string> = {};
  const policies: Record<string, string> = {};
  const keyOf = (tier: string, c: CalibrationCase, layer: number | null): OutcomeKey => ({ fixture, tier, seed, case: c.id, class: c.class, layer });
  const record = (run: CertifyRun | null, tier: TierName): void => {
    const cert = run?.subjects[0]?.certificate;
    if (cert === undefined) return;
    policies[tier] = cert.policy_digest;
    if (cert.models.baseline.file_sha256 !== null) baselines[fixture] = cert.models.baseline.file_sha256;
    if (!existsSync(savedEval)) writeFileSync(savedEval, JSON.stringify(run!.baselineEvaluation));
  };
  try {
    for (const tier of plan.tiers) {
      const evalPath = (): string | null => (existsSync(savedEval) ? savedEval : null);
      if (given.length > 0) {
        const config = runConfig(plan, fixture, tier, seed, evalPath(), {
          subjects: given.flatMap((g) => (g.spec.kind === 'model' ? [{ label: g.case.id, model: g.spec.model }] : [])),
          subject_lora: given.flatMap((g) => (g.spec.kind === 'lora' ? [{ label: g.case.id, path: g.spec.path }] : [])),
        });
        const done = await certifyOnce(
          plan,
          config,
          given.map((g) => keyOf(tier, g.case, g.layer)),
        );
        record(done.run, tier);
        outcomes.push(...done.outcomes);
        timings.push({ fixture, tier, seed, mode: 'compare', cases: given.map((g) => g.case.id), ms: Math.round(done.ms), baselineReused: done.reused });
        onProgress(`${fixture} ${tier} seed ${seed} compare ×${given.length}: ${summarize(done.outcomes)} (${(done.ms / 1000).toFixed(1)} s)`);
      }
      for (const c of edits) {
        const config = runConfig(plan, fixture, tier, seed, evalPath(), { edit: { name: c.subject.name, config: c.subject.config } });
        const done = await certifyOnce(plan, config, [keyOf(tier, c, null)]);
        record(done.run, tier);
        outcomes.push(...done.outcomes);
        timings.push({ fixture, tier, seed, mode: 'edit', cases: [c.id], ms: Math.round(done.ms), baselineReused: done.reused });
        onProgress(`${fixture} ${tier} seed ${seed} ${c.id}: ${summarize(done.outcomes)} (${(done.ms / 1000).toFixed(1)} s)`);
      }
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

/** Runs the given units one after the other in this process. */
export async function runUnits(plan: CalibrationPlan, units: readonly { fixture: string; seed: number }[], onProgress: ProgressListener = () => {}): Promise<UnitsResult> {
  const parts: UnitsResult[] = [];
  for (const unit of units) parts.push(await runUnit(plan, unit.fixture, unit.seed, onProgress));
  return mergeResults(parts);
}

/** Reads a JSON file written by {@link runUnits} in a worker process. */
export function readUnitsResult(path: string): UnitsResult {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('outcomes' in parsed) || !('timings' in parsed) || !('facts' in parsed)) {
    throw new Error(`${path} is not a calibration worker result`);
  }
  return parsed as UnitsResult;
}
