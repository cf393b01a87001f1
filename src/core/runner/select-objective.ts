import type { LoadedModel } from '../../adapters/index.js';
import { CLASSIFICATION_OBJECTIVE } from './classification-objective.js';
import type { Objective } from './objective.js';
import { CAUSAL_OBJECTIVE, MASKED_OBJECTIVE } from './perplexity-objective.js';
import { SEQ2SEQ_OBJECTIVE } from './seq2seq-objective.js';

/** The objective of a baseline model, by its adapter. */
export function objectiveFor(model: LoadedModel): Objective {
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
