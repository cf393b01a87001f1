import { isNode, isScalar, LineCounter, parseDocument, visit } from 'yaml';
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

/**
 * Parses YAML/JSON text into a plain value. Throws `E_CONFIG_PARSE` naming line and column, also for
 * a key repeated in one mapping. Duplicate keys are found with one set per mapping: yaml's own
 * `uniqueKeys` check compares every pair, which took minutes on a file with 100k keys (#13).
 */
export function parseConfigText(text: string, source: string): unknown {
  const lines = new LineCounter();
  const fail = (message: string, offset: number | undefined, cause?: unknown): never => {
    const at = offset === undefined ? undefined : lines.linePos(offset);
    throw new InvarlockError('E_CONFIG_PARSE', `${source} is not valid YAML/JSON: ${message}`, {
      details: { file: source, ...(at === undefined ? {} : { line: at.line, column: at.col }) },
      ...(cause === undefined ? {} : { cause }),
    });
  };
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, lineCounter: lines });
  const first = doc.errors[0];
  if (first !== undefined) fail(first.message.split('\n')[0] ?? '', first.pos[0], first);
  visit(doc, {
    Map: (_key, map) => {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (seen.has(key)) fail(`map keys must be unique ('${key.slice(0, 80)}' repeats)`, isNode(pair.key) ? pair.key.range?.[0] : undefined);
        seen.add(key);
      }
    },
  });
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail((error as Error).message.split('\n')[0] ?? '', undefined, error);
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
