import { join } from 'node:path';
import { InvarlockError, wrapError } from '../../errors/index.js';
import type { GenaiConfig } from '../types.js';
import { FieldReader, isJsonObject } from './json-fields.js';
import { readOptionalText } from './model-config.js';

/** File name of onnxruntime-genai's model configuration. */
export const GENAI_CONFIG_JSON = 'genai_config.json';

/**
 * Parses the text of an onnxruntime-genai `genai_config.json` (`model.type`, `model.vocab_size`,
 * `model.decoder.{filename, num_hidden_layers, num_attention_heads, num_key_value_heads,
 * hidden_size, head_size, inputs, outputs}`, `model.encoder.filename`).
 *
 * @throws InvarlockError `E_CONFIG_JSON` when it is not JSON, lacks `model` / `model.type`, or a
 *   field has the wrong type; `details.problems` lists every field.
 */
export function parseGenaiConfig(text: string, file: string): GenaiConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw wrapError(error, 'E_CONFIG_JSON', `${file} is not valid JSON`, { details: { file } });
  }
  if (!isJsonObject(parsed) || !isJsonObject(parsed['model'])) {
    throw new InvarlockError('E_CONFIG_JSON', `${file} must hold an object with a "model" object`, { details: { file, field: 'model' } });
  }
  const model = new FieldReader(parsed['model'], 'model.');
  const modelType = model.string('type');
  model.require('type', modelType);
  const vocabSize = model.integer(1, 'vocab_size');
  const contextLength = model.integer(1, 'context_length');
  const decoderObject = model.object_('decoder') ?? {};
  const encoderObject = model.object_('encoder');
  const decoder = new FieldReader(decoderObject, 'model.decoder.');
  const encoder = new FieldReader(encoderObject ?? {}, 'model.encoder.');
  const result = {
    filename: decoder.string('filename'),
    numLayers: decoder.integer(1, 'num_hidden_layers'),
    numHeads: decoder.integer(1, 'num_attention_heads'),
    numKvHeads: decoder.integer(1, 'num_key_value_heads'),
    hiddenSize: decoder.integer(1, 'hidden_size'),
    headSize: decoder.integer(1, 'head_size'),
    inputs: decoder.stringMap('inputs'),
    outputs: decoder.stringMap('outputs'),
  };
  const encoderFilename = encoder.string('filename');
  const problems = [...model.problems, ...decoder.problems, ...encoder.problems];
  if (problems.length > 0 || modelType === null) {
    throw new InvarlockError('E_CONFIG_JSON', `${file}: ${problems[0] ?? 'model.type is missing'}`, {
      details: { file, field: (problems[0] ?? 'model.type:').split(':')[0], problems },
    });
  }
  return { file, modelType, vocabSize, contextLength, decoder: result, encoderFilename, raw: parsed };
}

/**
 * Reads `dir/genai_config.json`; `null` when absent.
 * @throws InvarlockError `E_CONFIG_JSON` (see {@link parseGenaiConfig}).
 */
export async function readGenaiConfig(dir: string): Promise<GenaiConfig | null> {
  const file = join(dir, GENAI_CONFIG_JSON);
  const text = await readOptionalText(file);
  return text === null ? null : parseGenaiConfig(text, file);
}
