import { InvarlockError } from '../../errors/index.js';
import { maskWindow, type EvalWindow, type MaskedWindow } from '../../eval/index.js';
import { selectCalibrationWindows } from '../../guards/index.js';
import { scoreArm, sliceArm, type ArmWindows } from './evaluate-arms.js';
import { datasetRecordOf, scoresOfLosses, type Evaluation, type Objective, type PrepareContext } from './objective.js';
import { requireTokenizer } from './open-model.js';
import { prepareWindows } from './prepare-windows.js';
import { shardWindows } from './shard-partial.js';

/** Documents whose ids a compared subject's tokenizer must reproduce (when the tokenizer hashes differ). */
const TOKENIZATION_PROBES = 64;

/**
 * Perplexity of a language model (ALGORITHMS.md §2): paired token windows cut from text documents,
 * scored with the token-logprobs head; causal windows score next-token NLL, masked windows the NLL
 * of their seeded masked positions (pseudo-perplexity).
 */
function perplexityObjective(name: 'causal' | 'masked'): Objective {
  return {
    name,
    metricKind: name === 'causal' ? 'ppl_causal' : 'ppl_mlm',
    head: 'token-logprobs',
    unit: 'windows',
    floors: 'windows',
    catastrophe: true,
    prepare: (ctx) => prepareWindowEvaluation(name, ctx),
  };
}

export const CAUSAL_OBJECTIVE: Objective = perplexityObjective('causal');
export const MASKED_OBJECTIVE: Objective = perplexityObjective('masked');

async function prepareWindowEvaluation(objective: 'causal' | 'masked', ctx: PrepareContext): Promise<Evaluation> {
  const { config, policy } = ctx;
  const tokenizer = requireTokenizer(ctx.baseline);
  const prepared = await prepareWindows(config, policy, tokenizer, objective, {
    cwd: ctx.cwd,
    ...(ctx.hubUrl === undefined ? {} : { hubUrl: ctx.hubUrl }),
    ...(ctx.accessToken === undefined ? {} : { accessToken: ctx.accessToken }),
  });
  const plan = prepared.plan;
  const maskSeed = ctx.seeds.mlm_mask;
  const toArm = (windows: readonly EvalWindow[]): ArmWindows => {
    if (objective === 'causal') return { objective, windows };
    if (tokenizer.specialTokens.mask === undefined) {
      throw new InvarlockError('E_TOKENIZER_INVALID', `${tokenizer.source} has no mask token; a masked LM needs one`, { details: { file: tokenizer.source } });
    }
    const maskId = tokenizer.specialTokens.mask;
    const masked: MaskedWindow[] = windows.map((w) => maskWindow(w, { seed: maskSeed, maskId, vocabSize: tokenizer.vocabSize, specialIds: tokenizer.specialIds }));
    return { objective, windows: masked };
  };
  // A shard job scores every n-th window of the final arm only. The preview arm and the calibration
  // windows stay the full plan's: the guards (the variance guard's scales and A/B, the catastrophe
  // rule) read them, so every shard decides them identically and the partials merge to the
  // unsharded certificate.
  const windows = { preview: [...plan.preview], final: config.shard === null ? [...plan.final] : shardWindows(plan.final, config.shard) };
  const arms = { preview: toArm(windows.preview), final: toArm(windows.final) };
  // a masked window scores its selected positions only: that is the count the pairing check expects
  const plannedOf = (planWindows: readonly EvalWindow[], arm: ArmWindows) =>
    arm.objective === 'masked' ? planWindows.map((w, i) => ({ ...w, scoredCount: arm.windows[i]!.positions.length })) : planWindows;
  const planned = { preview: plannedOf(windows.preview, arms.preview), final: plannedOf(windows.final, arms.final) };
  const all = [...plan.preview, ...plan.final];
  const documents = prepared.dataset.kind === 'documents' ? prepared.dataset.documents.slice(0, TOKENIZATION_PROBES) : [];
  return {
    dataset: datasetRecordOf({ split: prepared.dataset.split, seqLen: plan.seqLen, stride: plan.stride, sources: plan.counts.documents, counts: plan.counts, hashes: plan.hashes, truncation: null }),
    planned,
    duplicatesRemoved: plan.counts.duplicatesRemoved,
    calibration: selectCalibrationWindows(all.length, policy.guards.rmt.calibration_windows).map((i) => all[i]!),
    tokenizationProbes: documents.map((text, i) => ({ text, where: `document ${i}`, field: `dataset.documents[${i}]` })),
    windowPlan: plan,
    reuseKey: {
      datasetHash: plan.hashes.dataset,
      tokenizerHash: plan.hashes.tokenizer,
      objective,
      seqLen: plan.seqLen,
      stride: plan.stride,
      maskSeed: objective === 'masked' ? maskSeed : null,
    },
    variance: { kind: 'applies', preview: arms.preview },
    // a compared subject shares the baseline's token ids (checked before binding), so one set of windows serves both
    bind: () => ({
      score: async (scorer, arm, progress) => scoresOfLosses(await scoreArm(scorer, arms[arm], progress)),
      scoreFinalRange: async (scorer, start, end, progress) => scoresOfLosses(await scoreArm(scorer, sliceArm(arms.final, start, end), progress)),
    }),
  };
}
