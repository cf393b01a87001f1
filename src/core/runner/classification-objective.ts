import type { LoadedModel, LoadedTokenizer, ModelConfig } from '../../adapters/index.js';
import { InvarlockError } from '../../errors/index.js';
import { buildExamplePlan, type EvalExample, type Scorer } from '../../eval/index.js';
import { selectCalibrationWindows } from '../../guards/index.js';
import { createPrng, deriveSeed } from '../../stats/index.js';
import type { ArmProgress } from './evaluate-arms.js';
import { loadRunDataset } from './load-run-dataset.js';
import { datasetRecordOf, refuseShards, type ArmScores, type Evaluation, type Objective, type PrepareContext } from './objective.js';
import { requireTokenizer } from './open-model.js';

/**
 * Accuracy of a sequence classifier (ALGORITHMS.md §3): labelled examples framed the way the
 * tokenizer's post-processor frames a single sequence, classified with the predicted-label head;
 * per-example correctness 0/1 as values, weight 1. The variance guard does not apply (it scales
 * against a per-window loss A/B), and there is no catastrophe skip: accuracy is bounded.
 */
export const CLASSIFICATION_OBJECTIVE: Objective = {
  name: 'classification',
  metricKind: 'accuracy',
  head: 'predicted-label',
  unit: 'examples',
  floors: 'accuracy',
  catastrophe: false,
  prepare: prepareExampleEvaluation,
};

/**
 * Reads the labelled examples, maps their labels to the baseline's class indices (`label2id`, else
 * the inverse of `id2label`; integer labels are class ids) and builds the paired preview/final
 * example plan with the baseline tokenizer.
 *
 * @throws `E_DATASET_INVALID` when the dataset holds documents rather than labelled examples, or a
 *   label names no class of the model (`details.field` = `label`, `details.actual`, `details.expected`);
 *   `E_CONFIG_INVALID` for a sharded run (shards split perplexity windows; accuracy runs whole);
 *   `E_INSUFFICIENT_DATA` / `E_WINDOW_CONFIG` from the example plan.
 */
async function prepareExampleEvaluation(ctx: PrepareContext): Promise<Evaluation> {
  const { config, policy } = ctx;
  refuseShards(config, 'an accuracy run evaluates its examples', 'Remove `shard` for classification models.');
  const model = ctx.baseline;
  const tokenizer = requireTokenizer(model);
  const dataset = await loadRunDataset(config, ctx);
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
  const all = [...plan.preview, ...plan.final];
  const classes = classesOf(all, model);
  return {
    dataset: datasetRecordOf({ split: dataset.split, seqLen: maxTokens, stride: maxTokens, sources: plan.counts.examples, counts: plan.counts, hashes: plan.hashes, truncation: { rule: 'keep_head', fields: [{ field: 'text', max_tokens: maxTokens, truncated: plan.counts.truncated }] } }),
    planned: { preview: plan.preview, final: plan.final },
    duplicatesRemoved: plan.counts.duplicatesRemoved,
    calibration: selectCalibrationWindows(all.length, policy.guards.rmt.calibration_windows).map((i) => all[i]!),
    tokenizationProbes: all.map((example) => ({
      text: dataset.examples[example.index]?.text ?? '',
      where: `example ${example.id}`,
      field: `dataset.examples[${example.index}]`,
    })),
    windowPlan: null,
    reuseKey: null,
    variance: { kind: 'not_applicable', code: 'not_applicable_accuracy', reason: 'accuracy run: the variance guard needs perplexity windows' },
    bind: (subject) => {
      // the subject's own label2id may order the classes differently from the baseline's
      let subjectClasses = classes;
      if (subject !== model) {
        assertSameLabels(model, subject);
        subjectClasses = classesOf(all, subject);
      }
      return { score: (scorer, arm, progress) => predictArm(scorer, plan[arm], subjectClasses, progress) };
    },
  };
}

/** `seq_len`, capped by `max_position_embeddings` when config.json gives it (longer inputs cannot run). */
export function maxTokensOf(model: LoadedModel, seqLen: number): number {
  const positions = model.config?.raw['max_position_embeddings'];
  return typeof positions === 'number' && Number.isInteger(positions) && positions > 0 ? Math.min(seqLen, positions) : seqLen;
}

/**
 * The ids the tokenizer's post-processor puts around a single sequence, found by encoding a probe
 * with and without special tokens: `[CLS]`/`[SEP]` for BERT, `<s>`/`</s>` for RoBERTa, nothing for
 * GPT-2. Classifiers were fine-tuned on inputs framed this way.
 */
export function framingOf(tokenizer: LoadedTokenizer): { prefix: number[]; suffix: number[] } {
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

/**
 * Classifies an arm. A batch must hold sequences of one length (the scorer feeds an all-ones
 * attention mask), so examples are grouped by length, each group batched, and the predictions put
 * back in arm order: no padding, so a prediction never depends on which examples share its batch's
 * padding.
 */
async function predictArm(scorer: Scorer, examples: readonly EvalExample[], classes: ReadonlyMap<string, number>, progress: ArmProgress): Promise<ArmScores> {
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
  return { ids: examples.map((e) => e.id), values: correct, weights: new Float64Array(examples.length).fill(1) };
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