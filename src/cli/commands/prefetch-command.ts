import { resolve } from 'node:path';
import { loadConfigFile, mergeConfig, resolveRunConfig } from '../../core/index.js';
import { fileSha256, resolveModel } from '../../hub/index.js';
import { loadDataset } from '../../eval/index.js';
import type { CliContext } from '../cli-context.js';
import { hubOptionsFromEnv } from './certify-command.js';

/**
 * `invarlock prefetch --config PLAN [--json]`: downloads every `hf:` model the plan names into the
 * plan's `cache_dir` (HF cache layout, hashes verified while streaming), so that a later certify can
 * run with the network off (the Action runs this on the host before starting the container).
 * Local references are only checked. Exit 0, or 2/3 with a coded error.
 */
export async function runPrefetch(flags: { readonly config?: string; readonly json?: boolean }, ctx: CliContext): Promise<number> {
  const file = flags.config === undefined ? {} : await loadConfigFile(resolve(ctx.cwd, flags.config));
  const config = resolveRunConfig(mergeConfig(file, {}, flags.config ?? 'command line'), flags.config ?? 'command line');
  const refs = [config.baseline, ...(config.mode.kind === 'compare' ? config.mode.subjects.flatMap((s) => (s.kind === 'model' ? [s.model] : [])) : [])];
  const models = [];
  for (const ref of refs) {
    const resolved = await resolveModel(ref, { cwd: ctx.cwd, network: 'allow', ...(config.cacheDir === null ? {} : { cacheDir: resolve(ctx.cwd, config.cacheDir) }), ...hubOptionsFromEnv(ctx.env) });
    models.push({ reference: ref, dir: resolved.dir, onnx: resolved.onnxFiles[0] ?? null, sha256: resolved.onnxFiles[0] === undefined ? null : await fileSha256(resolved.onnxFiles[0]) });
    if (flags.json !== true) ctx.stdout.write(`${ref} → ${resolved.dir}\n`);
  }
  // the dataset too, so that the evaluation can run with the network off (wikitext2 from the hub)
  const dataset = await loadDataset(config.dataset.provider, {
    cwd: ctx.cwd,
    split: config.dataset.split,
    network: 'allow',
    ...(config.dataset.path === null ? {} : { dataPath: config.dataset.path }),
    ...(config.cacheDir === null ? {} : { hubCacheDir: resolve(ctx.cwd, config.cacheDir) }),
    ...hubOptionsFromEnv(ctx.env),
  });
  if (flags.json !== true) ctx.stdout.write(`dataset ${config.dataset.provider} → ${dataset.source.file}\n`);
  if (flags.json === true) ctx.stdout.write(`${JSON.stringify({ models, dataset: { provider: config.dataset.provider, file: dataset.source.file, sha256: dataset.source.sha256 } })}\n`);
  return 0;
}
