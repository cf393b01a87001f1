import { resolve } from 'node:path';
import { configRecord, describeSpec, lastSegment, modelInputOf, scoringModelOf, type SubjectSpec } from './run-records.js';
import { readWeights, weightReplacements, type LoadedModel, type LoadedTokenizer, type ModelConfig } from '../../adapters/index.js';
import { applyEdit, applyEditResult, type EditPlan, type WeightMatrix } from '../../edits/index.js';
import { InvarlockError, isInvarlockError } from '../../errors/index.js';
import {
  buildExamplePlan,
  comparePlanPairing,
  createPrng,
  createScorer,
  deriveSeed,
  loadDataset,
  type Dataset,
  type EvalExample,
  type ExamplePlan,
  type ExecutionProviderName,
  type PairingReport,
  type Scorer,
  type ScoringModel,
} from '../../eval/index.js';
import { selectCalibrationWindows, type KernelPool, type RmtModuleMeasurement } from '../../guards/index.js';
import type { CertificateInput, ChangeInput, JsonValue, ModelInput } from '../../report/index.js';
import type { RunConfig } from '../config/index.js';
import type { RunEventListener } from '../events/index.js';
import type { Policy } from '../policy/index.js';
import { activationTapsOf, type ActivationTap } from './activation-taps.js';
import { resolveEditPlan } from './edit-plan.js';
import { measureActivations, type ArmProgress } from './evaluate-arms.js';
import { notRunBlock } from './guard-blocks.js';
import type { OpenedModel } from './open-model.js';
import { buildProvenance, seedsOf } from './provenance.js';
import { runGuards, type GuardOutcomes, type GuardSide } from './run-guards.js';
import type { StageTimer } from './stage-timer.js';
import { toWeightMatrix } from './weight-matrices.js';

/** Labelled examples, as the dataset layer loads them for accuracy. */
type ExampleDataset = Extract<Dataset, { readonly kind: 'examples' }>;

/**
 * What an accuracy run needs from the certify runner: the resolved run, where events and stage
 * timings go, the kernel pool of the guards, and how the runner opens a model reference.
 */
export interface ClassificationContext {
  readonly config: RunConfig;
  readonly policy: Policy;
  /** Relative dataset, adapter and model paths are resolved against this directory. */
  readonly cwd: string;
  readonly pool: KernelPool;
  readonly timer: StageTimer;
  readonly onEvent: RunEventListener;
  readonly signal?: AbortSignal;
  /** When the run started (the certificate's timing block). */
  readonly startedAt: Date;
  readonly clock: () => Date;
  /** The runtime image in container mode; `undefined` falls back to the config's `runtime_image_digest`. */
  readonly container?: { readonly image: string; readonly digest: string } | null;
  /** Opens a subject reference the way the runner opens the baseline (`openModel` with its options). */
  readonly open: (reference: string) => Promise<OpenedModel>;
}

/** The subject of one accuracy certificate: the same union the runner's subjects use. */
export type ClassificationSubjectSpec = SubjectSpec;

/** Per-example 0/1 correctness of one model on one arm, in arm order. */
export interface ArmCorrectness {
  readonly ids: readonly string[];
  /** The model's arg-max class per example. */
  readonly predicted: Int32Array;
  /** 1 when `predicted` equals the example's class, else 0. */
  readonly correct: Float64Array;
}

/** The baseline of an accuracy run: examples, their classes, and what the baseline predicted. */
export interface ClassificationBaseline {
  readonly opened: OpenedModel;
  readonly dataset: ExampleDataset;
  readonly plan: ExamplePlan;
  /** Longest input in tokens, framing included (`dataset.seq_len`, capped by the model's positions). */
  readonly maxTokens: number;
  /** The baseline's class index of each example, by example id (label names mapped through its config). */
  readonly classes: ReadonlyMap<string, number>;
  readonly correctness: { readonly preview: ArmCorrectness; readonly final: ArmCorrectness };
  /** Dequantized weights for the guards and edits; null when no weight guard runs in compare mode. */
  readonly weights: readonly WeightMatrix[] | null;
  /** Examples the RMT guard measures activations on (evenly spaced over preview + final). */
  readonly calibration: readonly EvalExample[];
  readonly rmt: readonly RmtModuleMeasurement[] | null;
  readonly provider: ExecutionProviderName;
}

/**
 * Prepares an accuracy run (ALGORITHMS.md §3): reads the labelled examples, maps their labels to
 * the baseline's class indices (`label2id`, else the inverse of `id2label`; integer labels are class
 * ids), builds the paired preview/final example plan with the baseline tokenizer framed the way its
 * post-processor frames a single sequence (`[CLS] … [SEP]` for BERT), and classifies both arms and
 * the RMT calibration examples with the baseline.
 *
 * @throws `E_DATASET_INVALID` when the dataset holds documents rather than labelled examples, or a
 *   label names no class of the model (`details.field` = `label`, `details.actual`, `details.expected`);
 *   `E_CONFIG_INVALID` for a sharded run (shards split perplexity windows; accuracy runs whole);
 *   `E_INSUFFICIENT_DATA` / `E_WINDOW_CONFIG` from the example plan; runtime errors from scoring.
 */
export async function prepareClassificationBaseline(ctx: ClassificationContext, opened: OpenedModel): Promise<ClassificationBaseline> {
  const { config, policy } = ctx;
  if (config.shard !== null) {
    throw new InvarlockError('E_CONFIG_INVALID', 'sharded evaluation splits perplexity windows; an accuracy run evaluates its examples in one job', {
      details: { field: 'shard' },
      hint: 'Remove `shard` for classification models.',
    });
  }
  if (config.baselineEval !== null) {
    ctx.onEvent({ type: 'warning', id: 'baseline_eval_recomputed', message: 'baseline evaluation not reused: saved evaluations hold perplexity losses; accuracy runs classify again' });
  }
  const model = opened.model;
  const tokenizer = requireTokenizer(model);
  const dataset = await loadDataset(config.dataset.provider, {
    cwd: ctx.cwd,
    split: config.dataset.split,
    dedupe: config.dataset.dedupe ? 'exact' : 'none',
    ...(config.dataset.path === null ? {} : { dataPath: config.dataset.path }),
    ...(config.cacheDir === null ? {} : { dataCacheDir: config.cacheDir }),
  });
  if (dataset.kind !== 'examples') {
    throw new InvarlockError('E_DATASET_INVALID', `dataset ${config.dataset.provider} holds text documents; a classifier needs labelled examples`, {
      details: { field: 'dataset.provider' },
      hint: 'Use a labelled JSONL provider: jsonl:PATH#text=FIELD,label=FIELD.',
    });
  }
  const maxTokens = maxTokensOf(model, config.dataset.seqLen);
  const framing = framingOf(tokenizer);
  const prng = createPrng(deriveSeed(config.seed, policy.seed_offsets.window_draw));
  const plan = buildExamplePlan(dataset.examples, { encode: (text) => tokenizer.encode(text, { specialTokens: 'skip' }) }, {
    previewN: policy.windows.preview_n,
    finalN: policy.windows.final_n,
    maxTokens,
    prefixIds: framing.prefix,
    suffixIds: framing.suffix,
    rand: () => prng.nextFloat(),
    tokenizerHash: tokenizer.hash,
  });
  const classes = classesOf([...plan.preview, ...plan.final], model);
  const all = [...plan.preview, ...plan.final];
  const calibration = selectCalibrationWindows(all.length, policy.guards.rmt.calibration_windows).map((i) => all[i]!);
  const weights = config.guards.spectral === 'off' && config.guards.invariants === 'off' && config.mode.kind === 'compare' ? null : readWeights(model).map(toWeightMatrix);
  const taps = config.guards.rmt === 'off' ? [] : activationTapsOf(model);
  const scorer = await openClassifier(ctx, scoringModelOf(model, opened.reference, null), taps);
  try {
    const progress = (arm: ArmProgress['arm']): ArmProgress => progressOf(ctx, 'preview', null, 'baseline', arm);
    const preview = await predictArm(scorer, plan.preview, classes, progress('preview'));
    const final = await predictArm(scorer, plan.final, classes, progress('final'));
    const rmt = taps.length === 0 ? null : await measureActivations(scorer, calibration, taps, { pool: ctx.pool, iters: policy.guards.rmt.power_iterations, progress: progress('calibration') });
    return { opened, dataset, plan, maxTokens, classes, correctness: { preview, final }, weights, calibration, rmt, provider: scorer.provider };
  } finally {
    await scorer.release();
  }
}

/** A subject made ready to classify: its identity, what changed, and the graph to score. */
interface BuiltSubject {
  readonly identity: ModelInput;
  readonly change: ChangeInput;
  readonly scoringModel: ScoringModel;
  readonly loaded: LoadedModel;
  readonly weights: readonly WeightMatrix[] | null;
  readonly tokenizerHash: string;
  /** The subject's class of each example (its own label2id may order classes differently). */
  readonly classes: ReadonlyMap<string, number>;
  readonly edited: boolean;
}

/**
 * Certifies one subject against a prepared baseline on accuracy (ALGORITHMS.md §3–4): classifies
 * the preview arm, runs the weight guards exactly as the perplexity path does (`runGuards`:
 * invariants, spectral and RMT on the calibration examples; the variance guard is
 * `not_applicable_accuracy` for built-in edits and monitor-only in compare mode), classifies the
 * final arm, and returns the certificate input with `metricKind: 'accuracy'`: per-example
 * correctness 0/1 as values, weight 1. The accuracy gate (lower CI bound of Δ pp ≥ limit, n ≥ min
 * examples) is decided by `buildCertificate`.
 *
 * A failure after the subject was built gives a certificate input with outcome `error` (and an
 * `subject_error` warning event); failures before that throw: `E_TOKENIZER_MISMATCH` (the subject
 * tokenizes the examples differently), `E_ADAPTER_IO` (the subject is not a classifier with the
 * baseline's number of labels), `E_DATASET_INVALID` (a label the subject has no class for), and the
 * edit and model-loading errors.
 */
export async function runClassificationSubject(
  ctx: ClassificationContext,
  baseline: ClassificationBaseline,
  subject: { readonly label: string; readonly spec: ClassificationSubjectSpec },
): Promise<CertificateInput> {
  const { config, policy, timer, onEvent } = ctx;
  const label = subject.label;
  const partial: { built?: BuiltSubject; preview?: ArmCorrectness; final?: ArmCorrectness; provider?: ExecutionProviderName } = {};
  let scorer: Scorer | null = null;
  try {
    const built = await timer.run('apply', label, describeSpec(subject.spec), () => buildSubject(ctx, baseline, subject.spec));
    partial.built = built;
    const taps = config.guards.rmt === 'off' ? [] : activationTapsOf(built.loaded);
    const activeScorer = await openClassifier(ctx, built.scoringModel, taps);
    scorer = activeScorer;
    partial.provider = activeScorer.provider;
    const progress = (stage: 'preview' | 'guards' | 'evaluate', arm: ArmProgress['arm']) => progressOf(ctx, stage, label, 'subject', arm);
    partial.preview = await timer.run('preview', label, 'subject: preview examples', () => predictArm(activeScorer, baseline.plan.preview, built.classes, progress('preview', 'preview')));
    const guards = await timer.run('guards', label, 'invariants, spectral, RMT', async () => {
      const rmt =
        taps.length === 0
          ? null
          : await measureActivations(activeScorer, baseline.calibration, taps, { pool: ctx.pool, iters: policy.guards.rmt.power_iterations, progress: progress('guards', 'calibration') });
      const side = (weights: readonly WeightMatrix[] | null, tokenizerHash: string, measured: readonly RmtModuleMeasurement[] | null, model: LoadedModel): GuardSide => ({
        weights,
        tokenizerHash,
        rmt: measured,
        model,
      });
      return runGuards({
        config,
        policy,
        pool: ctx.pool,
        baseline: side(baseline.weights, requireTokenizer(baseline.opened.model).hash, baseline.rmt, baseline.opened.model),
        subject: side(built.weights, built.tokenizerHash, rmt, built.loaded),
        mode: built.edited ? 'edit' : 'monitor',
        // VE scales against a per-window loss A/B; accuracy has none, so a built-in edit records why
        ...(built.edited
          ? {
              variance: {
                blocks: notRunBlock(config.guards.variance === 'off' ? 'disabled' : 'not_applicable_accuracy'),
                overhead: { evaluated: false, reason: 'accuracy run: the variance guard needs perplexity windows' },
              },
            }
          : {}),
      });
    });
    partial.final = await timer.run('evaluate', label, 'subject: final examples', () => predictArm(activeScorer, baseline.plan.final, built.classes, progress('evaluate', 'final')));
    return await certificateInput(ctx, baseline, { outcome: { status: 'completed' }, built, preview: partial.preview, final: partial.final, guards, provider: activeScorer.provider });
  } catch (error) {
    if (!isInvarlockError(error) || partial.built === undefined) throw error;
    onEvent({ type: 'warning', id: 'subject_error', message: `${label}: ${error.code}: ${error.message}` });
    return certificateInput(ctx, baseline, {
      outcome: { status: 'error', code: error.code, message: error.message },
      built: partial.built,
      preview: partial.preview ?? null,
      final: partial.final ?? null,
      guards: null,
      provider: partial.provider ?? 'cpu',
    });
  } finally {
    await scorer?.release();
  }
}

function requireTokenizer(model: LoadedModel): LoadedTokenizer {
  if (model.tokenizer === null) {
    throw new InvarlockError('E_TOKENIZER_MISSING', `${model.dir} was loaded without a tokenizer; classifying text needs one`, { details: { file: model.dir } });
  }
  return model.tokenizer;
}

/** `seq_len`, capped by `max_position_embeddings` when config.json gives it (longer inputs cannot run). */
function maxTokensOf(model: LoadedModel, seqLen: number): number {
  const positions = model.config?.raw['max_position_embeddings'];
  return typeof positions === 'number' && Number.isInteger(positions) && positions > 0 ? Math.min(seqLen, positions) : seqLen;
}

/**
 * The ids the tokenizer's post-processor puts around a single sequence, found by encoding a probe
 * with and without special tokens: `[CLS]`/`[SEP]` for BERT, `<s>`/`</s>` for RoBERTa, nothing for
 * GPT-2. Classifiers were fine-tuned on inputs framed this way.
 */
function framingOf(tokenizer: LoadedTokenizer): { prefix: number[]; suffix: number[] } {
  const probe = 'framing probe';
  const bare = Array.from(tokenizer.encode(probe, { specialTokens: 'skip' }));
  const framed = Array.from(tokenizer.encode(probe, { specialTokens: 'add' }));
  for (let start = 0; start + bare.length <= framed.length; start++) {
    if (bare.every((id, k) => framed[start + k] === id)) {
      return { prefix: framed.slice(0, start), suffix: framed.slice(start + bare.length) };
    }
  }
  return { prefix: [], suffix: [] };
}

/** Number of classes: the logits' last dim when the graph fixes it, else config.json's `num_labels`. */
function labelCountOf(model: LoadedModel): number | null {
  const last = model.graph.io.logits.shape[model.graph.io.logits.shape.length - 1];
  return typeof last === 'number' ? last : (model.config?.numLabels ?? null);
}

/** Class name → index from config.json: `label2id`, else `id2label` inverted. */
function labelNamesOf(config: ModelConfig | null): Map<string, number> {
  const names = new Map<string, number>();
  const raw = config?.raw;
  const label2id = raw?.['label2id'];
  if (isRecord(label2id)) {
    for (const [name, id] of Object.entries(label2id)) {
      const index = typeof id === 'number' ? id : typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : Number.NaN;
      if (Number.isInteger(index) && index >= 0) names.set(name, index);
    }
  }
  const id2label = raw?.['id2label'];
  if (names.size === 0 && isRecord(id2label)) {
    for (const [id, name] of Object.entries(id2label)) {
      if (/^\d+$/.test(id) && typeof name === 'string') names.set(name, Number(id));
    }
  }
  return names;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Each example's class index for `model`; throws `E_DATASET_INVALID` naming the first unmappable label. */
function classesOf(examples: readonly EvalExample[], model: LoadedModel): Map<string, number> {
  const count = labelCountOf(model);
  const names = labelNamesOf(model.config);
  const out = new Map<string, number>();
  for (const example of examples) {
    const label = example.label;
    const index = typeof label === 'number' ? label : names.get(label);
    if (index === undefined || (count !== null && index >= count)) {
      const expected = typeof label === 'number' ? `a class id below ${count}` : names.size === 0 ? 'class ids (config.json has no label2id/id2label)' : [...names.keys()].join(', ');
      throw new InvarlockError('E_DATASET_INVALID', `example ${example.id} has label ${JSON.stringify(label)}, which names no class of ${model.dir}`, {
        details: { field: 'label', window: example.id, actual: String(label), expected },
        hint: 'String labels are mapped through config.json label2id (or id2label); integer labels are class ids.',
      });
    }
    out.set(example.id, index);
  }
  return out;
}

function openClassifier(ctx: ClassificationContext, model: ScoringModel, taps: readonly ActivationTap[]): Promise<Scorer> {
  return createScorer(model, {
    device: ctx.config.device,
    threads: ctx.config.threads,
    head: 'predicted-label',
    taps: taps.map((t) => t.value),
    onFallback: (message) => ctx.onEvent({ type: 'warning', id: 'cuda_fallback', message }),
  });
}

function progressOf(ctx: ClassificationContext, stage: ArmProgress['stage'], subject: string | null, model: 'baseline' | 'subject', arm: ArmProgress['arm']): ArmProgress {
  return { stage, subject, model, arm, onEvent: ctx.onEvent, batchSize: ctx.config.batchSize, signal: ctx.signal };
}

/**
 * Classifies an arm. A batch must hold sequences of one length (the scorer feeds an all-ones
 * attention mask), so examples are grouped by length, each group batched, and the predictions put
 * back in arm order: no padding, so a prediction never depends on which examples share its batch's
 * padding.
 */
async function predictArm(scorer: Scorer, examples: readonly EvalExample[], classes: ReadonlyMap<string, number>, progress: ArmProgress): Promise<ArmCorrectness> {
  const byLength = new Map<number, number[]>();
  examples.forEach((example, i) => {
    const group = byLength.get(example.ids.length) ?? [];
    group.push(i);
    byLength.set(example.ids.length, group);
  });
  const predicted = new Int32Array(examples.length);
  let done = 0;
  for (const length of [...byLength.keys()].sort((a, b) => a - b)) {
    const members = byLength.get(length)!;
    const labels = await scorer.predictLabels(
      members.map((i) => examples[i]!),
      { batchSize: progress.batchSize, ...(progress.signal === undefined ? {} : { signal: progress.signal }) },
    );
    members.forEach((i, k) => {
      predicted[i] = labels[k]!;
    });
    done += members.length;
    progress.onEvent({ type: 'batch', stage: progress.stage, subject: progress.subject, model: progress.model, arm: progress.arm, done, total: examples.length });
  }
  const correct = Float64Array.from(examples, (example, i) => (predicted[i] === classes.get(example.id) ? 1 : 0));
  return { ids: examples.map((e) => e.id), predicted, correct };
}



async function buildSubject(ctx: ClassificationContext, baseline: ClassificationBaseline, spec: ClassificationSubjectSpec): Promise<BuiltSubject> {
  const baseModel = baseline.opened.model;
  if (spec.kind === 'model') {
    const opened = await ctx.open(spec.model);
    assertSameTokenization(baseline, opened);
    assertSameLabels(baseModel, opened.model);
    return {
      identity: modelInputOf(opened, spec.label, []),
      change: { kind: 'compare', label: spec.label, params_changed: null, modules_touched: null },
      scoringModel: scoringModelOf(opened.model, spec.model, null),
      loaded: opened.model,
      weights: baseline.weights === null ? null : readWeights(opened.model).map(toWeightMatrix),
      tokenizerHash: requireTokenizer(opened.model).hash,
      classes: classesOf([...baseline.plan.preview, ...baseline.plan.final], opened.model),
      edited: false,
    };
  }
  const resolvePath = (p: string) => resolve(ctx.cwd, p);
  const plan: EditPlan =
    spec.kind === 'edit' ? await resolveEditPlan(spec.name, spec.config, resolvePath) : await resolveEditPlan('lora', { adapters: [{ path: spec.path, weight: spec.weight }] }, resolvePath);
  const matrices = baseline.weights ?? readWeights(baseModel).map(toWeightMatrix);
  const edit = applyEdit(plan, matrices);
  const replace = weightReplacements(baseModel, edit.changed);
  const loraAdapters =
    plan.name === 'lora'
      ? plan.config.adapters.map((a) => ({ reference: a.adapter.source, sha256: a.adapter.digest, rank: a.adapter.config.r, alpha: a.adapter.config.loraAlpha, weight: a.weight }))
      : [];
  const label = spec.kind === 'edit' ? `${lastSegment(baseline.opened.reference)} + ${plan.name}` : spec.label;
  const editConfig = JSON.parse(JSON.stringify(edit.config)) as { readonly [key: string]: JsonValue };
  return {
    identity: { ...modelInputOf(baseline.opened, label, loraAdapters), file_sha256: null },
    change:
      spec.kind === 'edit'
        ? { kind: 'edit', name: plan.name, config: editConfig, params_changed: edit.paramsChanged, modules_touched: edit.modulesTouched, rolled_back: false }
        : { kind: 'compare', label: spec.label, params_changed: edit.paramsChanged, modules_touched: edit.modulesTouched },
    scoringModel: scoringModelOf(baseModel, label, replace),
    loaded: baseModel,
    weights: applyEditResult(matrices, edit),
    tokenizerHash: requireTokenizer(baseModel).hash,
    classes: baseline.classes,
    edited: spec.kind === 'edit',
  };
}

/** The subject must turn every example into the same ids: same tokenizer hash, or equal ids on the examples. */
function assertSameTokenization(baseline: ClassificationBaseline, subject: OpenedModel): void {
  const base = requireTokenizer(baseline.opened.model);
  const other = requireTokenizer(subject.model);
  if (base.hash === other.hash) return;
  for (const example of [...baseline.plan.preview, ...baseline.plan.final]) {
    const text = baseline.dataset.examples[example.index]?.text ?? '';
    const a = base.encode(text);
    const b = other.encode(text);
    if (a.length !== b.length || a.some((id, k) => id !== b[k])) {
      throw new InvarlockError('E_TOKENIZER_MISMATCH', `the subject's tokenizer gives different ids than the baseline's (example ${example.id})`, {
        details: { file: other.source, expected: base.hash, actual: other.hash, field: `dataset.examples[${example.index}]` },
        hint: 'Both models must share a tokenizer: paired evaluation compares the same inputs.',
      });
    }
  }
}

/** A compared subject must be a classifier over as many labels as the baseline. */
function assertSameLabels(baseline: LoadedModel, subject: LoadedModel): void {
  const expected = labelCountOf(baseline);
  const actual = labelCountOf(subject);
  if (subject.adapter !== 'onnx_cls' || expected !== actual) {
    throw new InvarlockError('E_ADAPTER_IO', `the subject ${subject.dir} is not a classifier over the baseline's ${expected ?? 'unknown number of'} labels`, {
      details: { file: subject.graph.path, expected: `onnx_cls, ${expected} labels`, actual: `${subject.adapter}, ${actual} labels` },
    });
  }
}



interface Measured {
  readonly outcome: CertificateInput['outcome'];
  readonly built: BuiltSubject;
  readonly preview: ArmCorrectness | null;
  readonly final: ArmCorrectness | null;
  readonly guards: GuardOutcomes | null;
  readonly provider: ExecutionProviderName;
}

async function certificateInput(ctx: ClassificationContext, baseline: ClassificationBaseline, m: Measured): Promise<CertificateInput> {
  const { config, policy } = ctx;
  const plan = baseline.plan;
  const arm = (base: ArmCorrectness, subject: ArmCorrectness | null) =>
    subject === null
      ? { ids: [], weights: [], baseline: [], subject: [] }
      : { ids: [...subject.ids], weights: subject.ids.map(() => 1), baseline: Array.from(base.correct), subject: Array.from(subject.correct) };
  const finishedAt = ctx.clock();
  const provenance = await buildProvenance({
    provider: m.provider,
    seeds: seedsOf(config.seed, policy),
    container: ctx.container ?? (config.runtimeImageDigest === null ? null : { image: 'invarlock-runtime', digest: config.runtimeImageDigest }),
  });
  return {
    outcome: m.outcome,
    metricKind: 'accuracy',
    windows: { preview: arm(baseline.correctness.preview, m.preview), final: arm(baseline.correctness.final, m.final) },
    pairing: pairingOf(baseline, m),
    guards: m.guards?.blocks ?? {
      invariants: notRunBlock('run_error'),
      spectral: notRunBlock('run_error'),
      rmt: notRunBlock('run_error'),
      variance: notRunBlock('run_error'),
    },
    guardOverhead: m.guards?.overhead ?? { evaluated: false, reason: 'accuracy run: the variance guard needs perplexity windows' },
    change: m.built.change,
    models: { baseline: modelInputOf(baseline.opened, lastSegment(baseline.opened.reference), []), subject: m.built.identity },
    dataset: {
      provider: config.dataset.provider,
      split: baseline.dataset.split,
      seq_len: baseline.maxTokens,
      stride: baseline.maxTokens,
      counts: {
        documents: plan.counts.examples,
        candidates: plan.counts.candidates,
        duplicates_removed: plan.counts.duplicatesRemoved,
        preview: plan.counts.preview,
        final: plan.counts.final,
      },
      preview_hash: plan.hashes.preview,
      final_hash: plan.hashes.final,
      dataset_hash: plan.hashes.dataset,
      tokenizer_hash: plan.hashes.tokenizer,
      seed: config.seed,
    },
    policy,
    provenance,
    config: configRecord(config),
    timing: {
      started_at: ctx.startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      duration_ms: Math.max(0, finishedAt.getTime() - ctx.startedAt.getTime()),
      stages: [...ctx.timer.stages],
    },
  };
}

/** Both models classified exactly the planned examples on the planned ids (examples count 1 each). */
function pairingOf(baseline: ClassificationBaseline, m: Measured): CertificateInput['pairing'] {
  const plan = baseline.plan;
  const byId = new Map([...plan.preview, ...plan.final].map((e) => [e.id, e]));
  const refs = (arm: ArmCorrectness | null) => (arm?.ids ?? []).map((id) => ({ id, ids: byId.get(id)?.ids ?? new Uint32Array(0), scoredCount: 1 }));
  const finalScored = m.final !== null;
  const report = (preview: ArmCorrectness | null, final: ArmCorrectness | null): PairingReport =>
    comparePlanPairing({ preview: plan.preview, final: finalScored ? plan.final : [] }, { preview: refs(preview), final: refs(final) });
  const base = report(baseline.correctness.preview, finalScored ? baseline.correctness.final : null);
  const subject = report(m.preview, m.final);
  const problems = [...base.problems, ...subject.problems];
  return {
    match: m.preview === null ? null : Math.min(base.match, subject.match),
    overlap: m.preview === null ? null : Math.max(base.overlap, subject.overlap),
    duplicates: plan.counts.duplicatesRemoved,
    counts: {
      baseline: { preview: baseline.correctness.preview.ids.length, final: finalScored ? baseline.correctness.final.ids.length : 0 },
      subject: { preview: m.preview?.ids.length ?? 0, final: m.final?.ids.length ?? 0 },
    },
    reason: problems.length === 0 ? null : `${problems[0]!.code}: ${problems[0]!.message}`,
  };
}

