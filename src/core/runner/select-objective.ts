import type { LoadedModel } from '../../adapters/index.js';
import { InvarlockError } from '../../errors/index.js';
import { CLASSIFICATION_OBJECTIVE } from './classification-objective.js';
import type { Objective } from './objective.js';
import { CAUSAL_OBJECTIVE, MASKED_OBJECTIVE } from './perplexity-objective.js';

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
      throw new InvarlockError('E_ADAPTER_UNKNOWN', `the certify runner scores causal, masked and classification models; ${model.adapter} models load and describe, but have no scoring objective yet`, {
        details: { file: model.graph.path, actual: model.adapter, expected: 'onnx_causal, onnx_mlm or onnx_cls' },
      });
    default: {
      const never: never = model.adapter;
      return never;
    }
  }
}
