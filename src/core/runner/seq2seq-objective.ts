import type { LoadedModel } from '../../adapters/index.js';
import { InvarlockError } from '../../errors/index.js';
import { buildPairPlan, type PairExample } from '../../eval/index.js';
import { selectCalibrationWindows } from '../../guards/index.js';
import { createPrng, deriveSeed } from '../../stats/index.js';
import { framingOf, maxTokensOf } from './classification-objective.js';
import { scoreArm } from './evaluate-arms.js';
import { loadRunDataset } from './load-run-dataset.js';
import { datasetRecordOf, refuseShards, scoresOfLosses, type Evaluation, type Objective, type PrepareContext } from './objective.js';
import { requireTokenizer } from './open-model.js';

/**
 * Perplexity of an encoder–decoder (ALGORITHMS.md §2–3, "Seq2seq: NLL of target tokens under
 * teacher forcing; w = target tokens"): paired source/target examples, the encoder run on the
 * source, the decoder (with the token-logprobs head) on the decoder start id followed by the
 * target, every target token scored, the end-of-sequence token included.
 */
export const SEQ2SEQ_OBJECTIVE: Objective = {
  name: 'seq2seq',
  metricKind: 'ppl_seq2seq',
  head: 'token-logprobs',
  unit: 'examples',
  floors: 'windows',
  catastrophe: true,
  prepare: preparePairEvaluation,
};

/** An integer id from config.json, or null. */
function configId(model: LoadedModel, field: string): number | null {
  const value = model.config?.raw[field];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

/**
 * Reads the source/target pairs and builds the paired preview/final plan with the baseline
 * tokenizer: sources framed as the tokenizer frames one sequence (`… </s>` for T5, `<s> … </s>` for
 * BART), targets the same way (the labels), both cut to `seq_len` (capped by
 * `max_position_embeddings`) keeping their heads and framing; the decoder input starts with
 * config.json's `decoder_start_token_id`; padding uses `pad_token_id`.
 *
 * @throws `E_DATASET_INVALID` when the dataset is not a `src=`/`tgt=` pairs provider;
 *   `E_CONFIG_JSON` when config.json lacks `decoder_start_token_id` or `pad_token_id`;
 *   `E_CONFIG_INVALID` for a sharded run; `E_INSUFFICIENT_DATA` / `E_WINDOW_CONFIG` from the plan.
 */
async function preparePairEvaluation(ctx: PrepareContext): Promise<Evaluation> {
  const { config, policy } = ctx;
  refuseShards(config, 'a seq2seq run evaluates its examples', 'Remove `shard` for encoder–decoder models.');
  const model = ctx.baseline;
  const tokenizer = requireTokenizer(model);
  const dataset = await loadRunDataset(config, ctx);
  if (dataset.kind !== 'pairs') {
    throw new InvarlockError('E_DATASET_INVALID', `dataset ${config.dataset.provider} holds ${dataset.kind}; an encoder–decoder needs source/target pairs`, {
      details: { field: 'dataset.provider' },
      hint: 'Use a pairs provider: jsonl:PATH#src=FIELD,tgt=FIELD (add ,prefix=summarize:%20 for a task prefix).',
    });
  }
  const decoderStartId = configId(model, 'decoder_start_token_id');
  const padId = configId(model, 'pad_token_id');
  for (const [field, value] of [['decoder_start_token_id', decoderStartId], ['pad_token_id', padId]] as const) {
    if (value === null) {
      throw new InvarlockError('E_CONFIG_JSON', `${model.config?.file ?? model.dir}: ${field} is missing; teacher-forced scoring needs it`, {
        details: { file: model.config?.file ?? model.dir, field },
      });
    }
  }
  const maxTokens = maxTokensOf(model, config.dataset.seqLen);
  const framing = framingOf(tokenizer);
  const prng = createPrng(deriveSeed(config.seed, policy.seed_offsets.window_draw));
  const plan = buildPairPlan(dataset.pairs, { encode: (text) => tokenizer.encode(text, { specialTokens: 'skip' }) }, {
    previewN: policy.windows.preview_n,
    finalN: policy.windows.final_n,
    maxSourceTokens: maxTokens,
    maxTargetTokens: maxTokens,
    sourceFraming: framing,
    targetFraming: framing,
    decoderStartId: decoderStartId!,
    rand: () => prng.nextFloat(),
    tokenizerHash: tokenizer.hash,
  });
  const all: PairExample[] = [...plan.preview, ...plan.final];
  const cut = plan.truncation;
  if (cut.sourceTruncated + cut.targetTruncated > 0) {
    ctx.onEvent?.({
      type: 'warning',
      id: 'pairs_truncated',
      message: `${cut.sourceTruncated} sources and ${cut.targetTruncated} targets exceed ${maxTokens} tokens: their heads are scored, framing kept`,
    });
  }
  const arms = { preview: { objective: 'seq2seq' as const, windows: plan.preview, padId: padId! }, final: { objective: 'seq2seq' as const, windows: plan.final, padId: padId! } };
  return {
    // the certificate's seq_len / stride of a seq2seq run are the source / target token limits
    dataset: datasetRecordOf({
      split: dataset.split,
      seqLen: plan.truncation.sourceMaxTokens,
      stride: plan.truncation.targetMaxTokens,
      sources: plan.counts.pairs,
      counts: plan.counts,
      hashes: plan.hashes,
      truncation: {
        rule: 'keep_head',
        fields: [
          { field: 'source', max_tokens: cut.sourceMaxTokens, truncated: cut.sourceTruncated },
          { field: 'target', max_tokens: cut.targetMaxTokens, truncated: cut.targetTruncated },
        ],
      },
    }),
    planned: { preview: plan.preview.map(plannedRef), final: plan.final.map(plannedRef) },
    duplicatesRemoved: plan.counts.duplicatesRemoved,
    calibration: selectCalibrationWindows(all.length, policy.guards.rmt.calibration_windows).map((i) => all[i]!),
    tokenizationProbes: all.flatMap((pair) => {
      const text = dataset.pairs[pair.index];
      return text === undefined
        ? []
        : [
            { text: text.source, where: `source of ${pair.id}`, field: `dataset.pairs[${pair.index}].source` },
            { text: text.target, where: `target of ${pair.id}`, field: `dataset.pairs[${pair.index}].target` },
          ];
    }),
    windowPlan: null,
    reuseKey: null,
    variance: { kind: 'not_applicable', code: 'not_applicable_seq2seq', reason: 'seq2seq run: the variance guard scales one graph against window losses; an encoder–decoder model has two graphs, so the guard does not run on it' },
    // a compared subject shares the baseline's token ids (checked before binding), so one plan serves both
    bind: () => ({ score: async (scorer, arm, progress) => scoresOfLosses(await scoreArm(scorer, arms[arm], progress)) }),
  };
}

/** What the pairing check compares: the labels scored, one weight per label. */
function plannedRef(pair: PairExample) {
  return { id: pair.id, ids: pair.labels, scoredCount: pair.labels.length };
}
