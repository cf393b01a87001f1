import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvarlockError, readUntrustedFile, UNTRUSTED_FILE_LIMITS } from '../../errors/index.js';
import type { LoraAdapter } from '../types.js';
import { parsePeftAdapter } from './peft-adapter.js';

/**
 * Reads a PEFT adapter directory (`adapter_config.json` + `adapter_model.safetensors`) and parses it
 * with {@link parsePeftAdapter}.
 * @throws InvarlockError `E_FILE_NOT_FOUND` (directory or a file missing; a pickled `adapter_model.bin`
 * alone gets a hint to convert it), `E_FILE_READ`, and every code of `parsePeftAdapter`.
 */
export async function loadPeftAdapter(dir: string): Promise<LoraAdapter> {
  const configPath = join(dir, 'adapter_config.json');
  const tensorPath = join(dir, 'adapter_model.safetensors');
  if (!(await exists(tensorPath)) && (await exists(join(dir, 'adapter_model.bin')))) {
    throw new InvarlockError('E_FILE_NOT_FOUND', `${dir} holds adapter_model.bin but no adapter_model.safetensors`, {
      details: { file: tensorPath },
      hint: 'Pickled adapters are not read; save the adapter with safe_serialization=True.',
    });
  }
  // One after the other, so a missing config is reported before the weights.
  const configBytes = await readUntrustedFile(configPath, { what: 'adapter config', maxBytes: UNTRUSTED_FILE_LIMITS.modelJsonBytes });
  const safetensorsBytes = await readUntrustedFile(tensorPath, { what: 'adapter weights', maxBytes: UNTRUSTED_FILE_LIMITS.loraBytes });
  return parsePeftAdapter({ source: dir, configBytes, safetensorsBytes });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
