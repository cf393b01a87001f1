/**
 * A tiny runnable LM-shaped graph (embedding → q_proj → up → down → lm_head) with its weights in an
 * external data file, or with the lm_head reading the embedding through a Transpose (a shared,
 * tied initializer). Written as a model directory with config.json.
 */
import { buildModel, type NodeSpec, type TensorSpec } from '../../../src/onnx/index.js';
import { modelDir } from './model-dirs.js';
import { seededValues } from './synthetic-export.js';

export const TINY_INTERFACE = {
  model_embeddings: 'model.embed_tokens',
  model_layers: 'model.layers',
  layer_self_attn: 'self_attn',
  attn_q_proj: 'q_proj',
  layer_intermediate_proj: 'mlp.up_proj',
  layer_output_proj: 'mlp.down_proj',
  lm_head: 'lm_head',
} as const;

export const TINY = { vocab: 40, hidden: 16, ffn: 24 } as const;

export interface TinyOptions {
  readonly placement: 'inline' | 'external';
  /** `shared`: the lm_head is Transpose(embedding) (one initializer); `separate`: its own onnx::MatMul weight. */
  readonly head: 'shared' | 'separate';
}

/** Writes the model directory and returns its path. */
export function writeTinyModel(label: string, options: TinyOptions): string {
  const { vocab: v, hidden: h, ffn: f } = TINY;
  const placement = options.placement;
  const tensor = (name: string, dims: number[], seed: number): TensorSpec => ({ name, dataType: 'FLOAT', dims, values: seededValues(dims[0]! * dims[1]!, seed), placement });
  const initializers: TensorSpec[] = [
    tensor('model.embed_tokens.weight', [v, h], 1),
    tensor('onnx::MatMul_10', [h, h], 2),
    tensor('onnx::MatMul_11', [h, f], 3),
    tensor('onnx::MatMul_12', [f, h], 4),
  ];
  const nodes: NodeSpec[] = [
    { opType: 'Gather', name: '/model/embed_tokens/Gather', inputs: ['model.embed_tokens.weight', 'input_ids'], outputs: ['x0'] },
    { opType: 'MatMul', name: '/model/layers.0/self_attn/q_proj/MatMul', inputs: ['x0', 'onnx::MatMul_10'], outputs: ['x1'] },
    { opType: 'MatMul', name: '/model/layers.0/mlp/up_proj/MatMul', inputs: ['x1', 'onnx::MatMul_11'], outputs: ['x2'] },
    { opType: 'Tanh', name: '/model/layers.0/mlp/act/Tanh', inputs: ['x2'], outputs: ['x3'] },
    { opType: 'MatMul', name: '/model/layers.0/mlp/down_proj/MatMul', inputs: ['x3', 'onnx::MatMul_12'], outputs: ['x4'] },
  ];
  if (options.head === 'shared') {
    nodes.push({ opType: 'Transpose', name: '/lm_head/Transpose', inputs: ['model.embed_tokens.weight'], outputs: ['head_t'], attributes: [{ name: 'perm', kind: 'ints', values: [1, 0] }] });
    nodes.push({ opType: 'MatMul', name: '/lm_head/MatMul', inputs: ['x4', 'head_t'], outputs: ['logits'] });
  } else {
    initializers.push(tensor('onnx::MatMul_13', [h, v], 5));
    nodes.push({ opType: 'MatMul', name: '/lm_head/MatMul', inputs: ['x4', 'onnx::MatMul_13'], outputs: ['logits'] });
  }
  const built = buildModel(
    {
      graph: {
        name: 'tiny',
        nodes,
        initializers,
        inputs: [{ name: 'input_ids', elemType: 'INT64', shape: ['batch_size', 'sequence_length'] }],
        outputs: [{ name: 'logits', elemType: 'FLOAT', shape: ['batch_size', 'sequence_length', v] }],
      },
    },
    { externalDataLocation: 'model.onnx_data' },
  );
  const files: Record<string, Uint8Array | object> = {
    'config.json': { model_type: 'tinylm', architectures: ['TinyForCausalLM'], num_hidden_layers: 1, hidden_size: h, vocab_size: v },
    'model.onnx': built.modelBytes,
  };
  for (const entry of built.externalData) files[entry.path] = entry.data;
  return modelDir(label, files);
}
