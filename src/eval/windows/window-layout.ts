import { InvarlockError } from '../../errors/index.js';
import type { WindowObjective, WindowPlanOptions } from './types.js';

/** The resolved shape of every window of a plan. */
export interface WindowLayout {
  readonly objective: WindowObjective;
  readonly seqLen: number;
  readonly stride: number;
  readonly prefix: Uint32Array;
  readonly suffix: Uint32Array;
  /** seqLen − prefix − suffix. */
  readonly contentLen: number;
}

function configError(message: string, field: string, actual: unknown): InvarlockError {
  return new InvarlockError('E_WINDOW_CONFIG', message, { details: { field, actual: String(actual) } });
}

function tokenIds(ids: readonly number[] | undefined, field: string): Uint32Array {
  const list = ids ?? [];
  for (const id of list) {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw configError(`${field} holds ${id}, not a token id`, field, id);
  }
  return Uint32Array.from(list);
}

/**
 * Checks and resolves the window shape.
 * @throws `E_WINDOW_CONFIG` (details.field) when seqLen, stride or the framing ids are out of range,
 *   or a causal window without prefix would have fewer than 2 content tokens.
 */
export function resolveWindowLayout(options: Pick<WindowPlanOptions, 'seqLen' | 'stride' | 'objective' | 'prefixIds' | 'suffixIds'>): WindowLayout {
  const { seqLen, objective } = options;
  if (!Number.isInteger(seqLen) || seqLen < 2) throw configError(`seq_len must be an integer ≥ 2, got ${seqLen}`, 'seqLen', seqLen);
  const prefix = tokenIds(options.prefixIds, 'prefixIds');
  const suffix = tokenIds(options.suffixIds, 'suffixIds');
  const contentLen = seqLen - prefix.length - suffix.length;
  const minContent = objective === 'causal' && prefix.length === 0 ? 2 : 1;
  if (contentLen < minContent) {
    throw configError(`seq_len ${seqLen} leaves ${contentLen} content tokens after framing; at least ${minContent} needed`, 'seqLen', seqLen);
  }
  const stride = options.stride ?? contentLen;
  // Up to seqLen rather than contentLen, so a config's default stride = seq_len still works with
  // framing tokens: the stride − contentLen stream tokens between such windows are skipped.
  if (!Number.isInteger(stride) || stride < 1 || stride > seqLen) {
    throw configError(`stride must be an integer in [1, ${seqLen}], got ${stride}`, 'stride', stride);
  }
  return { objective, seqLen, stride, prefix, suffix, contentLen };
}

/**
 * Scored positions of the window at stream offset `k · stride` (window-relative, `[from, from+count)`):
 * the first window (k = 0) scores all its content positions; later windows only their last
 * min(stride, contentLen) content positions (the earlier ones were scored by the previous window). A causal model never scores
 * position 0, which has no context. Framing positions are never scored.
 */
export function scoredRange(layout: WindowLayout, k: number): { from: number; count: number } {
  const contentStart = layout.prefix.length;
  const firstContent = k === 0 ? 0 : Math.max(0, layout.contentLen - layout.stride);
  const from = Math.max(contentStart + firstContent, layout.objective === 'causal' ? 1 : 0);
  return { from, count: contentStart + layout.contentLen - from };
}
