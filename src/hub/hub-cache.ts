import { mkdir, readFile, readdir, readlink, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ResolvedFile } from './types.js';

/** The public Hugging Face hub. */
export const DEFAULT_HUB_URL = 'https://huggingface.co';

const COMMIT = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** True when `revision` is a full 40-hex commit id. */
export function isCommitHash(revision: string): boolean {
  return COMMIT.test(revision);
}

/**
 * The hub cache directory the Python and JS Hugging Face clients use, from an environment record
 * (pass `process.env`; only the CLI and the Action read the real environment): `HF_HUB_CACHE`, else
 * `HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else
 * `<homeDir>/.cache/huggingface/hub`.
 */
export function hubCacheDirFromEnv(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const nonEmpty = (key: string): string | undefined => {
    const value = env[key];
    return value === undefined || value === '' ? undefined : value;
  };
  return (
    nonEmpty('HF_HUB_CACHE') ??
    nonEmpty('HUGGINGFACE_HUB_CACHE') ??
    join(nonEmpty('HF_HOME') ?? join(nonEmpty('XDG_CACHE_HOME') ?? join(homeDir, '.cache'), 'huggingface'), 'hub')
  );
}

/** The hub endpoint from an environment record: `HF_ENDPOINT`, else {@link DEFAULT_HUB_URL}. */
export function hubUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string {
  const value = env['HF_ENDPOINT'];
  return value === undefined || value === '' ? DEFAULT_HUB_URL : value.replace(/\/+$/, '');
}

/** `models--org--name` (or `datasets--org--name`): a repository's folder in the hub cache. */
export function repoFolderName(repo: string, type: 'model' | 'dataset' = 'model'): string {
  return `${type}s--${repo.replaceAll('/', '--')}`;
}

/** `<cacheDir>/models--org--name/snapshots/<commit>`. */
export function snapshotDir(cacheDir: string, repo: string, commit: string, type: 'model' | 'dataset' = 'model'): string {
  return join(cacheDir, repoFolderName(repo, type), 'snapshots', commit);
}

/**
 * The commit a revision points to in the cache: the revision itself when it is a commit, else the
 * content of `refs/<revision>`; `undefined` when the cache does not know it.
 */
export async function readCachedCommit(cacheDir: string, repo: string, revision: string, type: 'model' | 'dataset' = 'model'): Promise<string | undefined> {
  if (isCommitHash(revision)) return revision;
  const text = await readFile(join(cacheDir, repoFolderName(repo, type), 'refs', revision), 'utf8').catch(() => undefined);
  const commit = text?.trim();
  return commit !== undefined && isCommitHash(commit) ? commit : undefined;
}

/** Records `refs/<revision>` → `commit` (atomically), as huggingface_hub does, so later offline runs find it. */
export async function writeCachedRef(cacheDir: string, repo: string, revision: string, commit: string, type: 'model' | 'dataset' = 'model'): Promise<void> {
  if (revision === commit) return;
  const path = join(cacheDir, repoFolderName(repo, type), 'refs', revision);
  await mkdir(join(path, '..'), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, commit);
  await rename(temp, path);
}

/**
 * Every file under a snapshot directory (symlinks followed), `/`-separated relative paths sorted.
 * `sha256` is the blob name when the link points at a 64-hex blob (an LFS file), else `undefined`.
 */
export async function listSnapshotFiles(dir: string): Promise<ResolvedFile[]> {
  const out: ResolvedFile[] = [];
  const walk = async (abs: string, rel: string): Promise<void> => {
    const names = (await readdir(abs)).sort();
    for (const name of names) {
      const path = join(abs, name);
      const repoPath = rel === '' ? name : `${rel}/${name}`;
      const info = await stat(path).catch(() => undefined);
      if (info === undefined) continue;
      if (info.isDirectory()) {
        await walk(path, repoPath);
      } else if (info.isFile()) {
        const target = await readlink(path).catch(() => undefined);
        const blob = target === undefined ? undefined : basename(target);
        out.push({ repoPath, path, sizeBytes: info.size, sha256: blob !== undefined && SHA256.test(blob) ? blob : undefined });
      }
    }
  };
  await walk(dir, '');
  return out;
}
