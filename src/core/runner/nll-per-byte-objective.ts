import type { LoadedModel, LoadedTokenizer } from '../../adapters/index.js';
import { InvarlockError } from '../../errors/index.js';
import { buildSpanPlan, type EvalWindow, type TextSpan } from '../../eval/index.js';
import { selectCalibrationWindows } from '../../guards/index.js';
import { createPrng, deriveSeed } from '../../stats/index.js';
import { maxTokensOf } from './classification-objective.js';
import { scoreArm } from './evaluate-arms.js';
import { loadRunDataset } from './load-run-dataset.js';
import { datasetRecordOf, refuseShards, type ArmName, type ArmScores, type BoundScoring, type CalibrationUnit, type Evaluation, type Objective, type PrepareContext } from './objective.js';
import { requireTokenizer } from './open-model.js';

/**
 * NLL per UTF-8 byte of a causal LM (config `metric: nll_per_byte`, ALGORITHMS.md §2 and §4): a
 * tokenizer-independent primary metric, so a subject whose tokenizer differs from the baseline's (a
 * vocabulary-trimmed export, a retokenized fine-tune) is certified against it on the same text.
 *
 * - Windows are text spans (build-span-plan.ts): adjacent runs of code points drawn like token
 *   windows, paired by the hash of their text, never by token ids.
 * - Each model tokenizes each span with its own tokenizer, after its own BOS (or EOS) as context, so
 *   every byte of the span is predicted; the window's value is the summed token NLL over the span's
 *   UTF-8 bytes (nats per byte), its weight the bytes, and each model's token count is recorded.
 * - The report scales the per-byte Δ by the baseline's bytes per token, so the ratio and its gates
 *   read as for perplexity; on one shared tokenizer the ratio is the perplexity ratio of the spans.
 *
 * Span length: `seq_len − 1` baseline tokens' worth of code points (the baseline's code points per
 * token over the documents), so a span fills about one window; a span that tokenizes past a model's
 * `max_position_embeddings` is refused (`E_WINDOW_CONFIG`). Causal models only; no shards, no
 * overlapping stride, no variance guard (it scales one tokenization's windows), no saved baseline
 * evaluation (those hold token-window losses).
 */
export const NLL_PER_BYTE_OBJECTIVE: Objective = {
  name: 'nll_per_byte',
  metricKind: 'nll_per_byte',
  head: 'token-logprobs',
  unit: 'windows',
  floors: 'windows',
  catastrophe: true,
  prepare: prepareSpanEvaluation,
};

async function prepareSpanEvaluation(ctx: PrepareContext): Promise<Evaluation> {
  const { config, policy } = ctx;
  refuseShards(config, 'an nll_per_byte run scores its spans', 'Remove `shard`, or use metric: perplexity.');
  if (config.dataset.stride !== config.dataset.seqLen) {
    throw new InvarlockError('E_CONFIG_INVALID', `nll_per_byte scores adjacent text spans; stride ${config.dataset.stride} ≠ seq_len ${config.dataset.seqLen} has no meaning for spans`, {
      details: { field: 'dataset.stride', expected: String(config.dataset.seqLen), actual: String(config.dataset.stride) },
      hint: 'Remove `dataset.stride`.',
    });
  }
  const tokenizer = requireTokenizer(ctx.baseline);
  const dataset = await loadRunDataset(config, ctx);
  if (dataset.kind !== 'documents') {
    throw new InvarlockError('E_DATASET_INVALID', `dataset ${config.dataset.provider} holds ${dataset.kind}; nll_per_byte needs text documents`, {
      details: { field: 'dataset.provider' },
      hint: 'Use a text provider (wikitext2, text:PATH, jsonl:PATH#field).',
    });
  }
  const spanChars = spanLengthOf(dataset.documents, tokenizer, config.dataset.seqLen);
  const prng = createPrng(deriveSeed(config.seed, policy.seed_offsets.window_draw));
  const spans = buildSpanPlan(dataset.documents, { spanChars, previewN: policy.windows.preview_n, finalN: policy.windows.final_n, rand: () => prng.nextFloat() });
  const plan = spans.plan;
  const all = [...spans.preview, ...spans.final];
  const calibrationSpans = selectCalibrationWindows(all.length, policy.guards.rmt.calibration_windows).map((i) => all[i]!);
  // the pairing check compares span ids, their code points and their bytes (the weight both models must give)
  const plannedOf = (arm: readonly TextSpan[]) => arm.map((s) => ({ id: s.window.id, ids: s.window.ids, scoredCount: s.bytes }));
  const bind = (model: LoadedModel): BoundScoring => bindSpans(model, { preview: spans.preview, final: spans.final }, calibrationSpans);
  return {
    // seq_len / stride of an nll_per_byte run are the span length in code points; the tokenizer is the baseline's (the ratio's scale)
    dataset: datasetRecordOf({
      split: dataset.split,
      seqLen: plan.seqLen,
      stride: plan.stride,
      sources: plan.counts.documents,
      counts: plan.counts,
      hashes: { ...plan.hashes, tokenizer: tokenizer.hash },
      // a span that does not fit a model's positions stops the run (E_WINDOW_CONFIG): nothing is cut
      truncation: null,
    }),
    planned: { preview: plannedOf(spans.preview), final: plannedOf(spans.final) },
    duplicatesRemoved: plan.counts.duplicatesRemoved,
    calibration: bind(ctx.baseline).calibration ?? [],
    // no probe: each model tokenizes the spans itself, so a subject's tokenizer may differ (both hashes are recorded)
    tokenizationProbes: [],
    windowPlan: null,
    reuseKey: null,
    variance: {
      kind: 'not_applicable',
      code: 'not_applicable_nll_per_byte',
      reason: 'nll_per_byte run: the variance guard scales window losses of one tokenization; each model tokenizes the spans itself',
    },
    bind,
  };
}

/**
 * Code points per span: `seqLen − 1` tokens at the baseline's code points per token over the
 * documents (one slot of the window is the BOS context).
 */
function spanLengthOf(documents: readonly string[], tokenizer: LoadedTokenizer, seqLen: number): number {
  let codePoints = 0;
  let tokens = 0;
  for (const text of documents) {
    for (const _ of text) codePoints++;
    tokens += tokenizer.encode(text, { specialTokens: 'skip' }).length;
  }
  const perToken = tokens === 0 ? 1 : codePoints / tokens;
  return Math.max(1, Math.floor((seqLen - 1) * perToken));
}

/** One arm's spans as `model` scores them: BOS + the span's tokens, right-padded to the arm's longest. */
interface TokenizedArm {
  readonly windows: readonly EvalWindow[];
  readonly tokens: Uint32Array;
  readonly bytes: Float64Array;
}

/**
 * Scoring of the spans bound to one model's tokenizer. Right padding is inert for a causal model:
 * no scored position attends to a later one, and the padded positions are never scored.
 *
 * @throws `E_TOKENIZER_INVALID` when the tokenizer has neither BOS nor EOS (the context token);
 *   `E_WINDOW_CONFIG` (when scored) for a span longer than the model's positions.
 */
function bindSpans(model: LoadedModel, arms: Readonly<Record<ArmName, readonly TextSpan[]>>, calibrationSpans: readonly TextSpan[]): BoundScoring {
  const tokenizer = requireTokenizer(model);
  const context = tokenizer.specialTokens.bos ?? tokenizer.specialTokens.eos;
  if (context === undefined) {
    throw new InvarlockError('E_TOKENIZER_INVALID', `${tokenizer.source} has neither a BOS nor an EOS token; nll_per_byte predicts a span's first token after one`, {
      details: { file: tokenizer.source },
    });
  }
  const positions = maxTokensOf(model, Number.MAX_SAFE_INTEGER);
  const sequenceOf = (span: TextSpan): Uint32Array => {
    const ids = tokenizer.encode(span.text, { specialTokens: 'skip' });
    if (ids.length + 1 > positions) {
      throw new InvarlockError('E_WINDOW_CONFIG', `span ${span.window.id} is ${ids.length} tokens under ${tokenizer.source}, more than the model's ${positions - 1} positions after its context token`, {
        details: { window: span.window.id, field: 'dataset.seq_len', actual: String(ids.length + 1), expected: `≤ ${positions}` },
        hint: 'Lower seq_len: spans are sized to seq_len − 1 baseline tokens.',
      });
    }
    const sequence = new Uint32Array(ids.length + 1);
    sequence[0] = context;
    sequence.set(ids, 1);
    return sequence;
  };
  const tokenized = new Map<ArmName, TokenizedArm>();
  const tokenize = (arm: ArmName): TokenizedArm => {
    const done = tokenized.get(arm);
    if (done !== undefined) return done;
    const spans = arms[arm];
    const sequences = spans.map(sequenceOf);
    const length = sequences.reduce((max, s) => Math.max(max, s.length), 0);
    const windows = spans.map((span, i): EvalWindow => {
      const ids = new Uint32Array(length).fill(context);
      ids.set(sequences[i]!);
      return { id: span.window.id, start: span.window.start, ids, scoreFrom: 1, scoredCount: sequences[i]!.length - 1, difficulty: span.window.difficulty, hash: span.window.hash };
    });
    const result = { windows, tokens: Uint32Array.from(sequences, (s) => s.length - 1), bytes: Float64Array.from(spans, (s) => s.bytes) };
    tokenized.set(arm, result);
    return result;
  };
  return {
    score: async (scorer, arm, progress): Promise<ArmScores> => {
      const { windows, tokens, bytes } = tokenize(arm);
      const losses = await scoreArm(scorer, { objective: 'causal', windows }, progress);
      // the span's summed NLL (mean × tokens) over its bytes; NaN stays NaN for the non-finite checks
      const values = Float64Array.from(losses.loss, (loss, i) => (loss * tokens[i]!) / bytes[i]!);
      return { ids: losses.ids, values, weights: bytes, tokens };
    },
    calibration: calibrationSpans.map((span): CalibrationUnit => ({ id: span.window.id, ids: sequenceOf(span) })),
  };
}
