import type { LoadedTokenizer } from '../../adapters/index.js';
import { InvarlockError } from '../../errors/index.js';
import { buildWindowPlan, type Dataset, type WindowPlan } from '../../eval/index.js';
import { createPrng, deriveSeed } from '../../stats/index.js';
import type { Policy } from '../policy/index.js';
import type { RunConfig } from '../config/index.js';
import { loadRunDataset, type DatasetLocation } from './load-run-dataset.js';

/** The data of a run: the dataset read and the paired window plan built from it. */
export interface PreparedWindows {
  readonly dataset: Dataset;
  readonly plan: WindowPlan;
}

/**
 * Reads the dataset and builds the paired window plan with the baseline tokenizer (ALGORITHMS.md
 * §2): causal windows joined by EOS, or masked-LM windows framed `[CLS] … [SEP]`. Counts come from
 * the policy (profile, or the config's overrides). Throws `E_DATASET_*`, `E_INSUFFICIENT_DATA`,
 * `E_ADAPTER_UNKNOWN` for classification datasets with a language model.
 */
export async function prepareWindows(
  config: RunConfig,
  policy: Policy,
  tokenizer: LoadedTokenizer,
  objective: 'causal' | 'masked',
  hub: DatasetLocation,
): Promise<PreparedWindows> {
  const dataset = await loadRunDataset(config, hub);
  if (dataset.kind !== 'documents') {
    throw new InvarlockError('E_DATASET_INVALID', `dataset ${config.dataset.provider} holds labelled examples; perplexity needs text documents`, {
      details: { field: 'dataset.provider' },
      hint: 'Use a text provider (wikitext2, text:PATH, jsonl:PATH#field) for language models.',
    });
  }
  const prng = createPrng(deriveSeed(config.seed, policy.seed_offsets.window_draw));
  const special = tokenizer.specialTokens;
  const masked = objective === 'masked';
  const plan = buildWindowPlan(
    dataset.documents,
    { encode: (text) => tokenizer.encode(text, { specialTokens: 'skip' }), decode: (ids) => tokenizer.decode(ids) },
    {
      seqLen: config.dataset.seqLen,
      ...(config.dataset.stride === config.dataset.seqLen ? {} : { stride: config.dataset.stride }),
      previewN: policy.windows.preview_n,
      finalN: policy.windows.final_n,
      objective,
      separatorId: (masked ? special.sep : special.eos) ?? null,
      ...(masked && special.cls !== undefined ? { prefixIds: [special.cls] } : {}),
      ...(masked && special.sep !== undefined ? { suffixIds: [special.sep] } : {}),
      rand: () => prng.nextFloat(),
      tokenizerHash: tokenizer.hash,
    },
  );
  return { dataset, plan };
}
