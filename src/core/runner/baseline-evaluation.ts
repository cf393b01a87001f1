import { readFile } from 'node:fs/promises';
import { InvarlockError, isInvarlockError, wrapError } from '../../errors/index.js';
import type { WindowLosses } from '../../eval/index.js';
import { canonicalJson, sha256Hex } from '../../contracts/index.js';

/** Everything a saved baseline evaluation depends on; reuse needs every field equal. */
export interface BaselineEvalKey {
  readonly baselineSha256: string;
  readonly datasetHash: string;
  readonly tokenizerHash: string;
  readonly objective: 'causal' | 'masked';
  readonly seqLen: number;
  readonly stride: number;
  readonly maskSeed: number | null;
  readonly onnxruntime: string;
  readonly provider: string;
  readonly platform: string;
}

/** Per-window baseline losses of both arms, with the key they were computed under. */
export interface BaselineEvaluation {
  readonly format: 'invarlock.baseline-eval/v1';
  readonly key: BaselineEvalKey;
  /** sha256 of the canonical key: the cache key the Action uses. */
  readonly keyDigest: string;
  readonly preview: SavedLosses;
  readonly final: SavedLosses;
  /**
   * The baseline's guard measurements (weight summaries and statistics, RMT activations), as
   * `encodeBaselineGuards` writes them; absent in records saved before they were kept.
   */
  readonly guards?: unknown;
}

interface SavedLosses {
  readonly ids: readonly string[];
  readonly loss: readonly number[];
  readonly weight: readonly number[];
}

/** The digest of a key (sha256 of its canonical JSON). */
export function baselineEvalKeyDigest(key: BaselineEvalKey): string {
  return sha256Hex(canonicalJson(key));
}

/** A saved evaluation record for the given losses. */
export function makeBaselineEvaluation(key: BaselineEvalKey, preview: WindowLosses, final: WindowLosses, guards?: unknown): BaselineEvaluation {
  const save = (l: WindowLosses): SavedLosses => ({ ids: [...l.ids], loss: Array.from(l.loss), weight: Array.from(l.weight) });
  return { format: 'invarlock.baseline-eval/v1', key, keyDigest: baselineEvalKeyDigest(key), preview: save(preview), final: save(final), ...(guards === undefined ? {} : { guards }) };
}

/** Why a saved evaluation cannot be reused, or null when it can. */
export function reuseMismatch(saved: BaselineEvaluation, key: BaselineEvalKey): string | null {
  for (const field of Object.keys(key) as (keyof BaselineEvalKey)[]) {
    if (saved.key[field] !== key[field]) return `${field} differs (saved ${String(saved.key[field])}, now ${String(key[field])})`;
  }
  return null;
}

/** Restores window losses from a saved record. */
export function lossesOf(saved: SavedLosses): WindowLosses {
  return { ids: [...saved.ids], loss: Float64Array.from(saved.loss), weight: Float64Array.from(saved.weight) };
}

/**
 * Reads a saved baseline evaluation. A missing file is `undefined` (a cache miss, not an error);
 * a malformed one throws `E_BASELINE_EVAL`.
 */
export async function readBaselineEvaluation(path: string): Promise<BaselineEvaluation | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw wrapError(error, 'E_FILE_READ', `cannot read baseline evaluation ${path}`, { details: { file: path } });
  }
  try {
    const value = JSON.parse(text) as BaselineEvaluation;
    const armOk = (a: SavedLosses | undefined) =>
      a !== undefined && Array.isArray(a.ids) && Array.isArray(a.loss) && Array.isArray(a.weight) && a.ids.length === a.loss.length && a.loss.length === a.weight.length;
    if (value.format !== 'invarlock.baseline-eval/v1' || typeof value.key !== 'object' || !armOk(value.preview) || !armOk(value.final)) {
      throw new InvarlockError('E_BASELINE_EVAL', `${path} is not an invarlock baseline evaluation (v1)`, { details: { file: path } });
    }
    if (value.keyDigest !== baselineEvalKeyDigest(value.key)) {
      throw new InvarlockError('E_BASELINE_EVAL', `${path}: key digest does not match its key`, { details: { file: path, field: 'keyDigest' } });
    }
    return value;
  } catch (error) {
    if (isInvarlockError(error)) throw error;
    throw wrapError(error, 'E_BASELINE_EVAL', `${path} is not valid JSON`, { details: { file: path } });
  }
}
