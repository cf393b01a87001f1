import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGenaiConfig, parseModelConfig } from '../../../src/adapters/index.js';
import { InvarlockError } from '../../../src/errors/index.js';

const GPT2_CONFIG = JSON.stringify({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_layer: 3, n_head: 4, n_embd: 96, vocab_size: 1024, tie_word_embeddings: true });
const GENAI_CONFIG = JSON.stringify({ model: { type: 'llama', vocab_size: 32000, decoder: { filename: 'model.onnx', num_hidden_layers: 2, inputs: { input_ids: 'input_ids' } } } });

/** Runs `parse`, returning 'ok', or the error code when it throws an InvarlockError; anything else fails the property. */
function outcome(parse: () => unknown): string {
  try {
    parse();
    return 'ok';
  } catch (error) {
    if (error instanceof InvarlockError) return error.code;
    throw error;
  }
}

describe('config parsers under damaged input', () => {
  it('turn every truncation of config.json / genai_config.json into a result or E_CONFIG_JSON, never another error', () => {
    fc.assert(
      fc.property(fc.nat(GPT2_CONFIG.length), fc.nat(GENAI_CONFIG.length), (a, b) => {
        expect(['ok', 'E_CONFIG_JSON']).toContain(outcome(() => parseModelConfig(GPT2_CONFIG.slice(0, a), 'config.json')));
        expect(['ok', 'E_CONFIG_JSON']).toContain(outcome(() => parseGenaiConfig(GENAI_CONFIG.slice(0, b), 'genai_config.json')));
      }),
      { seed: 20240611, numRuns: 300 },
    );
  });

  it('turn arbitrary JSON values into a result or E_CONFIG_JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (value, model) => {
        expect(['ok', 'E_CONFIG_JSON']).toContain(outcome(() => parseModelConfig(JSON.stringify(value), 'config.json')));
        expect(['ok', 'E_CONFIG_JSON']).toContain(outcome(() => parseGenaiConfig(JSON.stringify({ model }), 'genai_config.json')));
        expect(['ok', 'E_CONFIG_JSON']).toContain(outcome(() => parseModelConfig(JSON.stringify({ model_type: 'x', n_layer: value, architectures: value }), 'config.json')));
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('turn single-byte corruptions into a result or E_CONFIG_JSON', () => {
    fc.assert(
      fc.property(fc.nat(GPT2_CONFIG.length - 1), fc.integer({ min: 32, max: 126 }), (at, code) => {
        const text = `${GPT2_CONFIG.slice(0, at)}${String.fromCharCode(code)}${GPT2_CONFIG.slice(at + 1)}`;
        expect(['ok', 'E_CONFIG_JSON']).toContain(outcome(() => parseModelConfig(text, 'config.json')));
      }),
      { seed: 99, numRuns: 300 },
    );
  });
});
