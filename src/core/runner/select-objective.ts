import type { LoadedModel } from '../../adapters/index.js';
import { InvarlockError } from '../../errors/index.js';
import type { MetricChoice } from '../config/index.js';
import { CLASSIFICATION_OBJECTIVE } from './classification-objective.js';
import { NLL_PER_BYTE_OBJECTIVE } from './nll-per-byte-objective.js';
import type { Objective } from './objective.js';
import { CAUSAL_OBJECTIVE, MASKED_OBJECTIVE } from './perplexity-objective.js';
import { SEQ2SEQ_OBJECTIVE } from './seq2seq-objective.js';

/**
 * The objective of a baseline model, by its adapter and the configured metric.
 * @throws `E_CONFIG_INVALID` (`details.field` = `metric`) for `nll_per_byte` with a model that is
 *   not a causal LM: masked, seq2seq and classifier objectives have no per-byte likelihood of a text.
 */
export function objectiveFor(model: LoadedModel, metric: MetricChoice): Objective {
  if (metric === 'nll_per_byte') {
    if (model.adapter === 'onnx_causal') return NLL_PER_BYTE_OBJECTIVE;
    throw new InvarlockError('E_CONFIG_INVALID', `metric nll_per_byte scores causal language models; ${model.dir} is loaded by ${model.adapter}`, {
      details: { field: 'metric', expected: 'onnx_causal', actual: model.adapter },
      hint: 'Use metric: perplexity for masked, seq2seq and classifier models (their tokenizers must then match).',
    });
  }
  switch (model.adapter) {
    case 'onnx_causal':
      return CAUSAL_OBJECTIVE;
    case 'onnx_mlm':
      return MASKED_OBJECTIVE;
    case 'onnx_cls':
      return CLASSIFICATION_OBJECTIVE;
    case 'onnx_seq2seq':
      return SEQ2SEQ_OBJECTIVE;
    default: {
      const never: never = model.adapter;
      return never;
    }
  }
}
