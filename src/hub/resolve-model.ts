import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HUB_URL } from './hub-cache.js';
import { parseModelReference } from './parse-model-reference.js';
import { resolveHubModel, type HubResolveSettings } from './resolve-hub-model.js';
import { resolveLocalModel } from './resolve-local-model.js';
import type { ModelReference, ResolvedModel, ResolveModelOptions } from './types.js';

/** Defaults of {@link ResolveModelOptions} (the cache directory default depends on the home directory). */
export const HUB_DEFAULTS = Object.freeze({
  network: 'deny',
  hubUrl: DEFAULT_HUB_URL,
  files: 'selected',
} as const);

/** @internal Applies {@link HUB_DEFAULTS}; the cache defaults to `~/.cache/huggingface/hub`. */
export function resolveHubSettings(options: ResolveModelOptions): HubResolveSettings {
  return {
    network: options.network ?? HUB_DEFAULTS.network,
    cacheDir: options.cacheDir ?? join(homedir(), '.cache', 'huggingface', 'hub'),
    hubUrl: (options.hubUrl ?? HUB_DEFAULTS.hubUrl).replace(/\/+$/, ''),
    accessToken: options.accessToken,
    files: options.files ?? HUB_DEFAULTS.files,
    fetch: options.fetch,
    onEvent: options.onEvent,
  };
}

/**
 * Resolves a model reference (a string, parsed with {@link parseModelReference}, or an already parsed
 * one) to files on disk: a local directory or `.onnx` file, or an `hf:` snapshot in the hub cache,
 * downloaded only when `options.network` is `allow`.
 *
 * @throws `E_MODEL_REF`, `E_FILE_NOT_FOUND`, `E_FILE_READ` (local); `E_NETWORK_DISALLOWED`,
 *   `E_DOWNLOAD` (hub). See {@link resolveLocalModel} and {@link resolveHubModel}.
 */
export async function resolveModel(reference: string | ModelReference, options: ResolveModelOptions = {}): Promise<ResolvedModel> {
  const parsed = typeof reference === 'string' ? parseModelReference(reference) : reference;
  switch (parsed.kind) {
    case 'local':
      return resolveLocalModel(parsed, options.cwd ?? process.cwd());
    case 'hf':
      return resolveHubModel(parsed, resolveHubSettings(options));
    default: {
      const unreachable: never = parsed;
      return unreachable;
    }
  }
}
