import { isAbsolute, relative, resolve } from 'node:path';
import type { RunConfigFile } from '../../core/index.js';
import { InvarlockError } from '../../errors/index.js';
import { parseModelReference } from '../../hub/index.js';
import type { BindMount } from './docker-run-args.js';
import { isForbiddenHostPath } from '../inputs/inputs.js';

/** Fixed paths inside the container. */
export const CONTAINER_PATHS = Object.freeze({
  plan: '/io/plan.json',
  out: '/io/out',
  input: '/io/in',
  baselineEvalDir: '/io/baseline',
  cache: '/cache',
});

/** Options of {@link containerPlan}. */
export interface ContainerPlanOptions {
  /** Host workspace; mounted read-only at the same path and used as the working directory. */
  readonly workspace: string;
  /** Host model cache, or null. */
  readonly cacheDir: string | null;
  readonly cacheMode: 'ro' | 'rw';
  /** Host directory holding a restored baseline evaluation, or null. */
  readonly baselineEvalDir: string | null;
  readonly baselineEvalFile: string;
  /** Pinned image digest, recorded in the plan (`runtime_image_digest`). */
  readonly imageDigest: string;
}

/** A plan rewritten for the container, and the extra mounts it needs. */
export interface ContainerPlan {
  readonly plan: RunConfigFile;
  /** Local paths outside the workspace, mounted read-only at the same path. */
  readonly mounts: readonly BindMount[];
}

function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Local paths a plan reads (model directories/files, LoRA adapters, dataset files), as written. */
export function localPathsOf(plan: RunConfigFile): { readonly field: string; readonly path: string }[] {
  const out: { field: string; path: string }[] = [];
  const model = (field: string, ref: string): void => {
    const parsed = parseModelReference(ref);
    if (parsed.kind === 'local') out.push({ field, path: parsed.path });
  };
  model('baseline', plan.baseline);
  (plan.subjects ?? []).forEach((s, i) => model(`subjects.${i}.model`, s.model));
  (plan.subject_lora ?? []).forEach((s, i) => out.push({ field: `subject_lora.${i}.path`, path: s.path }));
  if (plan.dataset?.path !== undefined) out.push({ field: 'dataset.path', path: plan.dataset.path });
  const provider = /^(text|jsonl):([^#]+)/.exec(plan.dataset?.provider ?? '');
  if (provider?.[2] !== undefined) out.push({ field: 'dataset.provider', path: provider[2] });
  return out;
}

/**
 * Rewrites a plan for the container: outputs to `/io/out`, the model cache to `/cache`, a
 * restored baseline evaluation to `/io/baseline/…`, the image digest recorded. Paths inside the
 * workspace stay as written (the workspace is mounted at the same path and is the working
 * directory); local paths outside it are mounted read-only at the same path. Throws
 * `E_ACTION_INPUT` for a path under a system directory (`/`, `/etc`, `/proc`, …).
 */
export function containerPlan(plan: RunConfigFile, options: ContainerPlanOptions): ContainerPlan {
  const mounts: BindMount[] = [];
  const seen = new Set<string>();
  for (const { field, path } of localPathsOf(plan)) {
    const absolute = isAbsolute(path) ? resolve(path) : resolve(options.workspace, path);
    if (isInside(options.workspace, absolute)) continue;
    if (isForbiddenHostPath(absolute)) {
      throw new InvarlockError('E_ACTION_INPUT', `${field} '${path}' is under a system directory and will not be mounted into the container`, { details: { field, actual: path } });
    }
    if (!seen.has(absolute)) {
      seen.add(absolute);
      mounts.push({ source: absolute, target: absolute, mode: 'ro' });
    }
  }
  if (options.cacheDir !== null) mounts.push({ source: options.cacheDir, target: CONTAINER_PATHS.cache, mode: options.cacheMode });
  if (options.baselineEvalDir !== null) mounts.push({ source: options.baselineEvalDir, target: CONTAINER_PATHS.baselineEvalDir, mode: 'ro' });
  const rewritten: RunConfigFile = {
    ...plan,
    output_dir: CONTAINER_PATHS.out,
    runtime_image_digest: options.imageDigest,
    ...(options.cacheDir === null ? {} : { cache_dir: CONTAINER_PATHS.cache }),
    ...(options.baselineEvalDir === null ? {} : { baseline_eval: `${CONTAINER_PATHS.baselineEvalDir}/${options.baselineEvalFile}` }),
  };
  return { plan: rewritten, mounts };
}
