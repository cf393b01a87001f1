import { copyFile, mkdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import * as cache from '@actions/cache';
import { canonicalJson, sha256Hex } from '../../contracts/index.js';
import type { RunConfig } from '../../core/index.js';
import { isCommitHash, parseModelReference } from '../../hub/index.js';
import { contentDigest } from './content-digest.js';

/** The Actions cache, narrowed to what the Action uses, so tests can replace it. */
export interface CacheBackend {
  readonly isAvailable: () => boolean;
  /** The matched key, or undefined on a miss. May throw: callers turn errors into misses. */
  readonly restore: (paths: string[], key: string) => Promise<string | undefined>;
  readonly save: (paths: string[], key: string) => Promise<void>;
}

/** {@link CacheBackend} over `@actions/cache`. */
export const actionsCacheBackend: CacheBackend = {
  isAvailable: () => cache.isFeatureAvailable(),
  restore: (paths, key) => cache.restoreCache(paths, key),
  save: async (paths, key) => {
    await cache.saveCache(paths, key);
  },
};

/** File name of a saved baseline evaluation (per-window baseline scores, token windows and their hashes). */
export const BASELINE_EVAL_FILE = 'baseline-eval.json';

/** Everything the saved baseline evaluation depends on; its canonical JSON hash is the cache key. */
export interface BaselineCacheRecord {
  readonly format: 'invarlock-baseline-eval/1';
  /** sha256 of the baseline's files, or an `hf:` reference pinned to a commit. */
  readonly baseline: string;
  readonly dataset: { readonly provider: string; readonly split: string; readonly content: string };
  readonly windows: {
    readonly seq_len: number;
    readonly stride: number;
    readonly preview_n: number | null;
    readonly final_n: number | null;
    readonly dedupe: boolean;
    readonly seed: number;
    readonly profile: string;
    readonly tier: string;
    readonly adapter: string;
  };
  /** The runtime that scores: image digest or host platform, onnxruntime and tool versions, device. */
  readonly runtime: Readonly<Record<string, string | null>>;
}

/** A cache key, or why the run cannot be cached. */
export type CacheKeyResult = { readonly ok: true; readonly key: string; readonly record: BaselineCacheRecord } | { readonly ok: false; readonly reason: string };

async function datasetContent(config: RunConfig, workspace: string): Promise<string | null> {
  const provider = config.dataset.provider;
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(workspace, p));
  if (provider === 'wikitext2') return config.dataset.path === null ? 'builtin:wikitext2' : contentDigest(at(config.dataset.path));
  const match = /^(text|jsonl):([^#]+)/.exec(provider);
  return match?.[2] === undefined ? null : contentDigest(at(match[2]));
}

/**
 * Builds the baseline-evaluation cache key from every hash the evaluation depends on. Local
 * baselines and dataset files are hashed by content (so the key survives fresh checkouts); an
 * `hf:` baseline must name a commit. Returns `ok: false` with a reason (a notice, never an error)
 * when something cannot be pinned. Throws `E_FILE_NOT_FOUND` / `E_FILE_READ` from hashing.
 */
export async function baselineCacheKey(config: RunConfig, options: { readonly workspace: string; readonly runtime: Readonly<Record<string, string | null>> }): Promise<CacheKeyResult> {
  const ref = parseModelReference(config.baseline);
  let baseline: string;
  if (ref.kind === 'hf') {
    if (!isCommitHash(ref.revision)) return { ok: false, reason: `the baseline ${config.baseline} is not pinned to a commit, so its evaluation is not cached` };
    baseline = `hf:${ref.repo}@${ref.revision}${ref.file === undefined ? '' : `#${ref.file}`}`;
  } else {
    baseline = `sha256:${await contentDigest(isAbsolute(ref.path) ? ref.path : resolve(options.workspace, ref.path))}`;
  }
  const content = await datasetContent(config, options.workspace);
  if (content === null) return { ok: false, reason: `the dataset provider ${config.dataset.provider} cannot be pinned by content, so the baseline evaluation is not cached` };
  const record: BaselineCacheRecord = {
    format: 'invarlock-baseline-eval/1',
    baseline,
    dataset: { provider: config.dataset.provider, split: config.dataset.split, content },
    windows: {
      seq_len: config.dataset.seqLen,
      stride: config.dataset.stride,
      preview_n: config.dataset.previewN,
      final_n: config.dataset.finalN,
      dedupe: config.dataset.dedupe,
      seed: config.seed,
      profile: config.profile,
      tier: config.tier,
      adapter: config.adapter,
    },
    runtime: options.runtime,
  };
  return { ok: true, key: `invarlock-baseline-eval-v1-${sha256Hex(canonicalJson(record)).slice(0, 48)}`, record };
}

/** Result of {@link restoreBaselineEval}. */
export type RestoreResult =
  | { readonly status: 'hit'; readonly file: string }
  | { readonly status: 'miss' | 'unavailable'; readonly notice: string | null };

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Restores the saved baseline evaluation into `dir`. A service error, a missing cache service or a
 * restored entry without the file is a miss with a notice, never a failure.
 */
export async function restoreBaselineEval(backend: CacheBackend, options: { readonly key: string; readonly dir: string }): Promise<RestoreResult> {
  if (!backend.isAvailable()) return { status: 'unavailable', notice: null };
  try {
    await mkdir(options.dir, { recursive: true });
    const hit = await backend.restore([options.dir], options.key);
    if (hit === undefined) return { status: 'miss', notice: null };
    const file = join(options.dir, BASELINE_EVAL_FILE);
    const info = await stat(file).catch(() => null);
    if (info === null || !info.isFile()) return { status: 'miss', notice: `cache entry ${options.key} has no ${BASELINE_EVAL_FILE}; evaluating the baseline` };
    return { status: 'hit', file };
  } catch (error) {
    return { status: 'miss', notice: `baseline cache restore failed (${message(error)}); evaluating the baseline` };
  }
}

/**
 * Saves the baseline evaluation the CLI wrote (`<outputDir>/baseline-eval.json`) under `key`.
 * Returns a notice when nothing was saved (no file, service error, a concurrent job saved it first).
 */
export async function saveBaselineEval(backend: CacheBackend, options: { readonly key: string; readonly dir: string; readonly outputDir: string }): Promise<string | null> {
  if (!backend.isAvailable()) return null;
  const produced = join(options.outputDir, BASELINE_EVAL_FILE);
  const info = await stat(produced).catch(() => null);
  if (info === null || !info.isFile()) return `the CLI wrote no ${BASELINE_EVAL_FILE}; nothing to cache`;
  try {
    await mkdir(options.dir, { recursive: true });
    await copyFile(produced, join(options.dir, BASELINE_EVAL_FILE));
    await backend.save([options.dir], options.key);
    return null;
  } catch (error) {
    return `baseline cache save failed (${message(error)}); the next run evaluates the baseline again`;
  }
}
