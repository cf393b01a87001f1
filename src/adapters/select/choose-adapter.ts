import { InvarlockError } from '../../errors/index.js';
import type { ValueInfoRecord } from '../../onnx/index.js';
import type { AdapterName, AdapterSelection, GenaiConfig, ModelConfig } from '../types.js';

/** What {@link chooseAdapter} looks at; every part is optional evidence, strongest first. */
export interface AdapterEvidence {
  readonly config: ModelConfig | null;
  readonly genaiConfig: GenaiConfig | null;
  /** Base names of the ONNX files found (e.g. `encoder_model.onnx`). */
  readonly onnxFiles: readonly string[];
  /** Declared inputs/outputs of the preferred graph, when config files do not decide. */
  readonly graph?: { readonly inputs: readonly ValueInfoRecord[]; readonly outputs: readonly ValueInfoRecord[] } | null;
}

// Class-name suffixes of transformers heads, checked in this order (ConditionalGeneration before
// LMHeadModel: old T5 checkpoints say `T5WithLMHeadModel`).
const ARCHITECTURE_RULES: readonly (readonly [RegExp, AdapterName])[] = [
  [/(ForConditionalGeneration|ForSeq2SeqLM|WithLMHeadModel)$/, 'onnx_seq2seq'],
  [/ForSequenceClassification$/, 'onnx_cls'],
  [/ForMaskedLM$/, 'onnx_mlm'],
  [/(ForCausalLM|LMHeadModel)$/, 'onnx_causal'],
];

// model_types whose config.json may lack `architectures` (hand-written configs, old exports).
const MODEL_TYPE_DEFAULTS: Readonly<Record<string, AdapterName>> = {
  gpt2: 'onnx_causal',
  llama: 'onnx_causal',
  mistral: 'onnx_causal',
  qwen2: 'onnx_causal',
  qwen3: 'onnx_causal',
  gemma: 'onnx_causal',
  gemma2: 'onnx_causal',
  phi3: 'onnx_causal',
  opt: 'onnx_causal',
  gpt_neox: 'onnx_causal',
  falcon: 'onnx_causal',
  bert: 'onnx_mlm',
  roberta: 'onnx_mlm',
  t5: 'onnx_seq2seq',
  bart: 'onnx_seq2seq',
};

const ENCODER_FILE = /^encoder_model(_[A-Za-z0-9]+)?\.onnx$/;
const DECODER_FILE = /^decoder_model(_merged)?(_[A-Za-z0-9]+)?\.onnx$/;

/**
 * Picks the adapter for a model, from (in order): config.json `architectures` (`*ForCausalLM` /
 * `*LMHeadModel` → causal, `*ForMaskedLM` → mlm, `*ForConditionalGeneration` → seq2seq,
 * `*ForSequenceClassification` → cls), config.json `is_encoder_decoder`, an `encoder_model*.onnx`
 * beside a `decoder_model*.onnx`, config.json `model_type`, genai_config.json (a decoder, or an
 * encoder–decoder when it names an encoder), then the graph: `encoder_hidden_states` input →
 * seq2seq, logits of rank 2 → cls, past key/value or `position_ids` inputs → causal,
 * `token_type_ids` → mlm.
 *
 * @throws InvarlockError `E_ADAPTER_UNKNOWN` when nothing decides (`details.problems` says what was seen).
 */
export function chooseAdapter(evidence: AdapterEvidence): AdapterSelection {
  const { config, genaiConfig } = evidence;
  for (const architecture of config?.architectures ?? []) {
    for (const [pattern, adapter] of ARCHITECTURE_RULES) {
      if (pattern.test(architecture)) return { adapter, source: 'config.json', reason: `architectures: ${architecture}` };
    }
  }
  if (config?.isEncoderDecoder === true) return { adapter: 'onnx_seq2seq', source: 'config.json', reason: 'is_encoder_decoder: true' };
  const hasEncoder = evidence.onnxFiles.some((f) => ENCODER_FILE.test(f));
  const hasDecoder = evidence.onnxFiles.some((f) => DECODER_FILE.test(f));
  if (hasEncoder && hasDecoder) return { adapter: 'onnx_seq2seq', source: 'files', reason: 'encoder_model.onnx beside decoder_model*.onnx' };
  const byType = config === null ? undefined : MODEL_TYPE_DEFAULTS[config.modelType];
  if (config !== null && byType !== undefined) return { adapter: byType, source: 'config.json', reason: `model_type: ${config.modelType}` };
  if (genaiConfig !== null) {
    return genaiConfig.encoderFilename === null
      ? { adapter: 'onnx_causal', source: 'genai_config.json', reason: `genai decoder (model.type: ${genaiConfig.modelType})` }
      : { adapter: 'onnx_seq2seq', source: 'genai_config.json', reason: 'genai model with an encoder' };
  }
  const fromGraph = evidence.graph === undefined || evidence.graph === null ? null : chooseFromGraph(evidence.graph);
  if (fromGraph !== null) return fromGraph;
  throw new InvarlockError('E_ADAPTER_UNKNOWN', 'Cannot tell which adapter fits this model', {
    details: {
      problems: [
        config === null ? 'config.json: absent' : `config.json: model_type ${config.modelType}, architectures [${config.architectures.join(', ')}]`,
        'genai_config.json: absent',
        `onnx files: ${evidence.onnxFiles.join(', ') || 'none'}`,
        evidence.graph === undefined || evidence.graph === null ? 'graph: not read' : `graph inputs: ${evidence.graph.inputs.map((i) => i.name).join(', ')}`,
      ],
    },
    hint: 'Name the adapter in the config (adapter: onnx_causal | onnx_mlm | onnx_seq2seq | onnx_cls).',
  });
}

function chooseFromGraph(graph: NonNullable<AdapterEvidence['graph']>): AdapterSelection | null {
  const inputs = new Set(graph.inputs.map((i) => i.name));
  const logits = graph.outputs.find((o) => o.name === 'logits');
  if (inputs.has('encoder_hidden_states')) return { adapter: 'onnx_seq2seq', source: 'graph', reason: 'input encoder_hidden_states' };
  if (logits?.shape?.length === 2) return { adapter: 'onnx_cls', source: 'graph', reason: 'logits of rank 2 [batch, labels]' };
  const past = [...inputs].find((name) => /^past_key_values\.\d+\.key$|^past_\d+$/.test(name));
  if (past !== undefined) return { adapter: 'onnx_causal', source: 'graph', reason: `input ${past}` };
  if (inputs.has('position_ids') && logits !== undefined) return { adapter: 'onnx_causal', source: 'graph', reason: 'input position_ids' };
  if (inputs.has('token_type_ids') && logits !== undefined) return { adapter: 'onnx_mlm', source: 'graph', reason: 'input token_type_ids' };
  return null;
}
