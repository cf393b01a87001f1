import { InvarlockError } from '../../errors/index.js';
import { opsetVersion, type GraphSurgery, type ModelIndex, type NodeSpec, type TensorSpec } from '../../onnx/index.js';
import type { ModelIo } from '../../adapters/index.js';

/** Names the scoring graph adds; prefixed so they cannot collide with a model's own values. */
export const SCORING_NAMES = Object.freeze({
  labels: 'invarlock_labels',
  tokenLogprobs: 'invarlock_token_logprobs',
  predictedLabel: 'invarlock_predicted_label',
});

/** What the appended head computes. */
export type HeadKind =
  /** Per-token log-probability of `labels` under the logits: `[batch, seq]` float32 (LMs). */
  | 'token-logprobs'
  /** Arg-max class of `[batch, labels]` logits: `[batch]` int64 (classifiers). */
  | 'predicted-label';

/** Options of {@link planScoringSurgery}. */
export interface ScoringSurgeryOptions {
  readonly head: HeadKind;
  /** Intermediate values to expose as extra graph outputs (activation taps for RMT/VE). */
  readonly taps?: readonly string[];
}

/**
 * The graph surgery that turns a model into a scoring model (ARCHITECTURE.md "loss on the device"):
 * `Cast(float) → LogSoftmax(axis=-1) → GatherElements(Unsqueeze(labels)) → Squeeze` after the
 * logits, so only `[batch, seq]` numbers leave onnxruntime, never `[batch, seq, vocab]`. Opsets
 * below 13 take `axes` as attributes, 13 and later as an input; both are handled.
 * Throws `E_ADAPTER_IO` when the default-domain opset is below 11 (LogSoftmax semantics changed).
 */
export function planScoringSurgery(index: ModelIndex, io: ModelIo, options: ScoringSurgeryOptions): GraphSurgery {
  const opset = opsetVersion(index, '') ?? opsetVersion(index, 'ai.onnx');
  if (opset === undefined || opset < 11) {
    throw new InvarlockError('E_ADAPTER_IO', `${index.source} imports the default ONNX opset at version ${opset ?? 'none'}; the scoring head needs 11 or later`, {
      details: { file: index.source, expected: 'opset >= 11', actual: String(opset ?? 'none') },
    });
  }
  const taps = (options.taps ?? []).map((name) => ({ name }));
  const logits = io.logits.name;
  const prefix = 'invarlock_head';
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  let floatLogits = logits;
  if (io.logits.elemType === 'float16') {
    floatLogits = `${prefix}_logits_f32`;
    nodes.push({ opType: 'Cast', name: `${prefix}/Cast`, inputs: [logits], outputs: [floatLogits], attributes: [{ name: 'to', kind: 'int', value: 1 }] });
  }
  if (options.head === 'predicted-label') {
    nodes.push({
      opType: 'ArgMax',
      name: `${prefix}/ArgMax`,
      inputs: [floatLogits],
      outputs: [SCORING_NAMES.predictedLabel],
      attributes: [
        { name: 'axis', kind: 'int', value: -1 },
        { name: 'keepdims', kind: 'int', value: 0 },
      ],
    });
    return { addNodes: nodes, addOutputs: [{ name: SCORING_NAMES.predictedLabel, elemType: 'INT64', shape: ['batch_size'] }, ...taps] };
  }
  const axesForm = opset >= 13 ? 'input' : 'attribute';
  const axisTwo = `${prefix}_axis2`;
  if (axesForm === 'input') initializers.push({ name: axisTwo, dataType: 'INT64', dims: [1], values: [2] });
  const axesInputs = (x: string) => (axesForm === 'input' ? [x, axisTwo] : [x]);
  const axesAttributes = axesForm === 'attribute' ? [{ name: 'axes', kind: 'ints' as const, values: [2] }] : [];
  nodes.push(
    { opType: 'LogSoftmax', name: `${prefix}/LogSoftmax`, inputs: [floatLogits], outputs: [`${prefix}_logp`], attributes: [{ name: 'axis', kind: 'int', value: -1 }] },
    { opType: 'Unsqueeze', name: `${prefix}/Unsqueeze`, inputs: axesInputs(SCORING_NAMES.labels), outputs: [`${prefix}_labels3`], attributes: axesAttributes },
    {
      opType: 'GatherElements',
      name: `${prefix}/GatherElements`,
      inputs: [`${prefix}_logp`, `${prefix}_labels3`],
      outputs: [`${prefix}_gathered`],
      attributes: [{ name: 'axis', kind: 'int', value: 2 }],
    },
    { opType: 'Squeeze', name: `${prefix}/Squeeze`, inputs: axesInputs(`${prefix}_gathered`), outputs: [SCORING_NAMES.tokenLogprobs], attributes: axesAttributes },
  );
  return {
    addInputs: [{ name: SCORING_NAMES.labels, elemType: 'INT64', shape: ['batch_size', 'sequence_length'] }],
    addInitializers: initializers,
    addNodes: nodes,
    addOutputs: [{ name: SCORING_NAMES.tokenLogprobs, elemType: 'FLOAT', shape: ['batch_size', 'sequence_length'] }, ...taps],
  };
}
