import { basename, join } from 'node:path';
import { InvarlockError, isInvarlockError, readOptionalUntrustedText, readUntrustedText, UNTRUSTED_FILE_LIMITS, type ErrorCode } from '../../errors/index.js';
import { createTokenizer } from './create-tokenizer.js';
import type { LoadedTokenizer } from './types.js';

async function readJson(path: string, code: ErrorCode, required: 'required' | 'optional'): Promise<unknown> {
  const options = { what: basename(path), maxBytes: required === 'required' ? UNTRUSTED_FILE_LIMITS.tokenizerBytes : UNTRUSTED_FILE_LIMITS.modelJsonBytes };
  const text = required === 'required' ? await readUntrustedText(path, options) : await readOptionalUntrustedText(path, options);
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvarlockError(code, `${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, {
      details: { file: path },
      cause: error,
    });
  }
}

/**
 * Loads `tokenizer.json` from a model directory, with `tokenizer_config.json`,
 * `special_tokens_map.json` and `config.json` when present (for special token ids and the
 * library's options).
 *
 * @throws `E_TOKENIZER_MISSING` (details.file, details.dir) when the directory has no tokenizer.json;
 *   `E_TOKENIZER_INVALID` when a tokenizer file is not valid JSON or not a usable tokenizer (see
 *   `createTokenizer`); `E_CONFIG_JSON` when config.json is not valid JSON; `E_FILE_READ` on I/O errors.
 */
export async function loadTokenizer(dir: string): Promise<LoadedTokenizer> {
  const file = join(dir, 'tokenizer.json');
  let tokenizerJson: unknown;
  try {
    tokenizerJson = await readJson(file, 'E_TOKENIZER_INVALID', 'required');
  } catch (error) {
    if (!isInvarlockError(error, 'E_FILE_NOT_FOUND')) throw error;
    throw new InvarlockError('E_TOKENIZER_MISSING', `No tokenizer.json in ${dir}`, {
      details: { file, dir },
      hint:
        'Save the fast tokenizer next to the model (transformers: AutoTokenizer.from_pretrained(...).save_pretrained(dir); ' +
        'optimum exports do this). vocab.json + merges.txt or a sentencepiece .model alone are not supported.',
      cause: error,
    });
  }
  const [tokenizerConfig, specialTokensMap, modelConfig] = await Promise.all([
    readJson(join(dir, 'tokenizer_config.json'), 'E_TOKENIZER_INVALID', 'optional'),
    readJson(join(dir, 'special_tokens_map.json'), 'E_TOKENIZER_INVALID', 'optional'),
    readJson(join(dir, 'config.json'), 'E_CONFIG_JSON', 'optional'),
  ]);
  return createTokenizer({
    tokenizerJson,
    source: dir,
    file,
    ...(tokenizerConfig === undefined ? {} : { tokenizerConfig }),
    ...(specialTokensMap === undefined ? {} : { specialTokensMap }),
    ...(modelConfig === undefined ? {} : { modelConfig }),
  });
}
