import { join } from 'node:path';
import { InvarlockError, readOptionalUntrustedText, UNTRUSTED_FILE_LIMITS, wrapError } from '../../errors/index.js';
import type { ModelConfig } from '../types.js';
import { FieldReader, isJsonObject } from './json-fields.js';

/** File name of the Hugging Face model configuration. */
export const CONFIG_JSON = 'config.json';

/**
 * Parses the text of a `config.json`. Field aliases follow the transformers configs: layers
 * `num_hidden_layers | n_layer | num_layers | n_layers`, heads `num_attention_heads | n_head |
 * num_heads | encoder_attention_heads`, kv heads `num_key_value_heads | num_kv_heads | n_head_kv`
 * (falcon's `multi_query: true` means 1), hidden `hidden_size | n_embd | d_model | dim`, MLP
 * `intermediate_size | n_inner | d_ff | ffn_dim | encoder_ffn_dim`.
 *
 * @throws InvarlockError `E_CONFIG_JSON` when the text is not a JSON object, `model_type` is missing,
 *   or a field has the wrong type; `details.file` names the file and `details.problems` every field.
 */
export function parseModelConfig(text: string, file: string): ModelConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw wrapError(error, 'E_CONFIG_JSON', `${file} is not valid JSON`, { details: { file } });
  }
  if (!isJsonObject(parsed)) {
    throw new InvarlockError('E_CONFIG_JSON', `${file} must hold a JSON object`, { details: { file, field: '/' } });
  }
  const read = new FieldReader(parsed);
  const modelType = read.string('model_type');
  read.require('model_type', modelType);
  const architectures = read.strings('architectures') ?? [];
  const numLayers = read.integer(1, 'num_hidden_layers', 'n_layer', 'num_layers', 'n_layers');
  const numHeads = read.integer(1, 'num_attention_heads', 'n_head', 'num_heads', 'encoder_attention_heads');
  const multiQuery = read.boolean('multi_query');
  const numKvHeads = read.integer(1, 'num_key_value_heads', 'num_kv_heads', 'n_head_kv') ?? (multiQuery === true ? 1 : null);
  const hiddenSize = read.integer(1, 'hidden_size', 'n_embd', 'd_model', 'dim');
  const intermediateSize = read.integer(1, 'intermediate_size', 'n_inner', 'd_ff', 'ffn_dim', 'encoder_ffn_dim');
  const vocabSize = read.integer(1, 'vocab_size');
  const tieWordEmbeddings = read.boolean('tie_word_embeddings');
  const isEncoderDecoder = read.boolean('is_encoder_decoder') ?? false;
  const id2label = read.object_('id2label');
  const numLabels = read.integer(1, 'num_labels') ?? (id2label === null ? null : Object.keys(id2label).length);
  if (read.problems.length > 0 || modelType === null) {
    throw new InvarlockError('E_CONFIG_JSON', `${file}: ${read.problems[0] ?? 'model_type is missing'}`, {
      details: { file, field: fieldOf(read.problems[0]), problems: read.problems },
      hint: 'config.json is written by transformers (`model.config.save_pretrained`); it must name model_type and use the documented field types.',
    });
  }
  return {
    file,
    modelType,
    architectures,
    numLayers,
    numHeads,
    numKvHeads,
    hiddenSize,
    intermediateSize,
    vocabSize,
    tieWordEmbeddings,
    isEncoderDecoder,
    numLabels,
    raw: parsed,
  };
}

/**
 * Reads `dir/config.json`; `null` when the file does not exist (a genai-only directory).
 * @throws InvarlockError `E_CONFIG_JSON` when it cannot be read or parsed (see {@link parseModelConfig}).
 */
export async function readModelConfig(dir: string): Promise<ModelConfig | null> {
  const file = join(dir, CONFIG_JSON);
  const text = await readOptionalText(file);
  return text === null ? null : parseModelConfig(text, file);
}

/**
 * The text of a file, or null when it does not exist.
 * @throws the codes of `readUntrustedText` (`E_FILE_TYPE` for a directory or pipe, `E_FILE_TOO_LARGE`, …).
 * @internal
 */
export async function readOptionalText(file: string): Promise<string | null> {
  return readOptionalUntrustedText(file, { what: 'model config', maxBytes: UNTRUSTED_FILE_LIMITS.modelJsonBytes });
}

function fieldOf(problem: string | undefined): string {
  return problem === undefined ? 'model_type' : problem.slice(0, problem.indexOf(':'));
}
