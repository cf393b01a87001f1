import { copyFile, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { InvarlockError, wrapError } from '../../errors/index.js';

/** Limits on what an aggregate job accepts from the shard jobs' artifacts. */
export const SHARD_LIMITS = Object.freeze({
  /** Shards per run (the plan's `shard.count` maximum). */
  maxFiles: 256,
  /** Bytes per partial result. */
  maxBytes: 256 * 1024 * 1024,
  /** Directory depth searched below the aggregate input. */
  maxDepth: 8,
});

/** The partial results staged for `invarlock aggregate`. */
export interface StagedShards {
  readonly dir: string;
  /** Where each came from, relative to the input directory, in staging order. */
  readonly sources: readonly string[];
}

async function walk(root: string, dir: string, depth: number, out: string[]): Promise<void> {
  if (depth > SHARD_LIMITS.maxDepth) return;
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = join(dir, entry.name);
    // Artifacts are untrusted: links are never followed (they could point anywhere on the runner).
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await walk(root, full, depth + 1, out);
    else if (entry.isFile() && entry.name.endsWith('.partial.json')) out.push(relative(root, full).split(sep).join('/'));
  }
}

/**
 * Finds every `*.partial.json` below `inputDir` (e.g. one artifact folder per shard job from
 * actions/download-artifact), refusing symlinks, and copies them flat into `stagingDir` as
 * `shard-0001.partial.json`, … in path order, which `invarlock aggregate --in` reads. The CLI checks
 * that they form one complete set of one plan. Throws `E_FILE_NOT_FOUND` when none is found,
 * `E_ACTION_INPUT` above 256 files and `E_CERT_TOO_LARGE` for a file over 256 MiB.
 */
export async function stageShardPartials(inputDir: string, stagingDir: string): Promise<StagedShards> {
  const found: string[] = [];
  try {
    await walk(inputDir, inputDir, 0, found);
  } catch (error) {
    throw wrapError(error, 'E_FILE_NOT_FOUND', `cannot read the aggregate directory ${inputDir}`, { details: { file: inputDir, field: 'aggregate' } });
  }
  found.sort();
  if (found.length === 0) {
    throw new InvarlockError('E_FILE_NOT_FOUND', `no *.partial.json below ${inputDir}`, {
      hint: 'Download the shard jobs\' output-dir artifacts into this directory first (actions/download-artifact).',
      details: { file: inputDir, field: 'aggregate' },
    });
  }
  if (found.length > SHARD_LIMITS.maxFiles) {
    throw new InvarlockError('E_ACTION_INPUT', `${found.length} partial results below ${inputDir}; at most ${SHARD_LIMITS.maxFiles}`, { details: { file: inputDir, field: 'aggregate' } });
  }
  await rm(stagingDir, { recursive: true, force: true });
  await mkdir(stagingDir, { recursive: true });
  for (const [i, rel] of found.entries()) {
    const source = join(inputDir, ...rel.split('/'));
    const info = await lstat(source);
    if (info.size > SHARD_LIMITS.maxBytes) {
      throw new InvarlockError('E_CERT_TOO_LARGE', `${rel} is ${info.size} bytes, over the ${SHARD_LIMITS.maxBytes}-byte limit`, { details: { file: source } });
    }
    await copyFile(source, join(stagingDir, `shard-${String(i + 1).padStart(4, '0')}.partial.json`));
  }
  return { dir: stagingDir, sources: found };
}
