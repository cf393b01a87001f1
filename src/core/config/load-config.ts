import { parse as parseYaml } from 'yaml';
import { InvarlockError, readUntrustedText, UNTRUSTED_FILE_LIMITS } from '../../errors/index.js';
import { parseRunConfigFile, type RunConfigFile } from './run-config.js';

/**
 * Reads a YAML or JSON config file (JSON is YAML, so one parser serves both) and validates it.
 * Relative model/dataset paths stay as written; the caller resolves them against its working dir.
 * Throws `E_FILE_NOT_FOUND`, `E_CONFIG_PARSE` (with line and column) or `E_CONFIG_INVALID`.
 */
export async function loadConfigFile(path: string): Promise<RunConfigFile> {
  const text = await readUntrustedText(path, { what: 'config file', maxBytes: UNTRUSTED_FILE_LIMITS.configBytes });
  return parseRunConfigFile(parseConfigText(text, path), path);
}

/** Parses YAML/JSON text into a plain value. Throws `E_CONFIG_PARSE` naming line and column. */
export function parseConfigText(text: string, source: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    const linePos = (error as { linePos?: readonly { line: number; col: number }[] }).linePos?.[0];
    throw new InvarlockError('E_CONFIG_PARSE', `${source} is not valid YAML/JSON: ${(error as Error).message.split('\n')[0] ?? ''}`, {
      details: { file: source, ...(linePos === undefined ? {} : { line: linePos.line, column: linePos.col }) },
      cause: error,
    });
  }
}

/**
 * Overlays flag/input overrides on a file record: scalars replace, `dataset` and `guards` merge key
 * by key, lists (subjects) replace. The result is validated again, so overrides cannot smuggle
 * unknown keys.
 */
export function mergeConfig(file: Partial<RunConfigFile>, overrides: Partial<RunConfigFile>, source = 'config'): RunConfigFile {
  const merged: Record<string, unknown> = { ...file };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if ((key === 'dataset' || key === 'guards') && typeof value === 'object' && value !== null) {
      merged[key] = { ...((file as Record<string, object>)[key] ?? {}), ...value };
    } else {
      merged[key] = value;
    }
  }
  return parseRunConfigFile(merged, source);
}
