import { readlink, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { datasetInfo, pathsInfo } from '@huggingface/hub';
import { InvarlockError } from '../errors/index.js';
import { downloadRepoFile } from './download-repo-file.js';
import { isCommitHash, readCachedCommit, repoFolderName, snapshotDir, writeCachedRef } from './hub-cache.js';
import { isSafeRepoPath } from './parse-model-reference.js';
import { resolveHubSettings } from './resolve-model.js';
import { translateHubError } from './translate-hub-error.js';
import type { ResolvedFile, ResolveModelOptions } from './types.js';

/** One file of a dataset repository on the hub. */
export interface HubDatasetFileRequest {
  /** `org/name` of the dataset repository (e.g. `Salesforce/wikitext`). */
  readonly repo: string;
  /** Branch, tag or 40-hex commit (e.g. `main`). */
  readonly revision: string;
  /** `/`-separated path inside the repository. */
  readonly path: string;
}

/**
 * Options of {@link resolveHubDatasetFile}: those of `resolveModel` that concern the hub, with the
 * same defaults (`HUB_DEFAULTS`; cache `~/.cache/huggingface/hub`).
 */
export type HubDatasetFileOptions = Pick<ResolveModelOptions, 'network' | 'cacheDir' | 'hubUrl' | 'accessToken' | 'fetch' | 'onEvent'>;

/** A dataset file resolved to the hub cache. */
export interface ResolvedHubDatasetFile {
  readonly repo: string;
  /** The revision as requested. */
  readonly revision: string;
  /** The 40-hex commit the revision resolved to. */
  readonly commit: string;
  /**
   * The file in `<cacheDir>/datasets--org--name/snapshots/<commit>/`. `sha256`: hashed while
   * streaming (checked against the LFS oid) after a download; the blob name of an LFS file (its
   * sha256, not re-hashed) or `undefined` for a cache hit.
   */
  readonly file: ResolvedFile;
  /** `download` when the file was fetched now, `cache` when it was already there. */
  readonly source: 'download' | 'cache';
}

const SHA256 = /^[0-9a-f]{64}$/;

async function cachedFile(request: HubDatasetFileRequest, cacheDir: string): Promise<{ commit: string; file: ResolvedFile } | undefined> {
  const commit = await readCachedCommit(cacheDir, request.repo, request.revision, 'dataset');
  if (commit === undefined) return undefined;
  const path = join(snapshotDir(cacheDir, request.repo, commit, 'dataset'), request.path);
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile() !== true) return undefined;
  const target = await readlink(path).catch(() => undefined);
  const blob = target === undefined ? undefined : basename(target);
  return { commit, file: { repoPath: request.path, path, sizeBytes: info.size, sha256: blob !== undefined && SHA256.test(blob) ? blob : undefined } };
}

/**
 * Resolves one file of a dataset repository to the hub cache, laid out as huggingface_hub does
 * (`<cacheDir>/datasets--org--name/snapshots/<commit>/<path>`, `refs/<revision>` holding the
 * commit). A file already in the cache snapshot that `refs/<revision>` points to is used with no
 * network access, whatever `network` says. Otherwise, with `network: 'allow'`, the revision is
 * resolved to a commit (so the download is pinned to it), the file's listing read, the file
 * downloaded and checked against its LFS sha256 (git blob id for small files), and the ref written.
 *
 * @throws `E_INTERNAL` for a path that is not a safe repository path (callers pass fixed paths);
 *   `E_NETWORK_DISALLOWED` when the file is not cached and
 *   `network` is `deny` (details.repo / revision / file / cacheDir); `E_DOWNLOAD` for hub or
 *   transfer errors, a file the revision does not hold (details.status 404) and hash mismatches.
 */
export async function resolveHubDatasetFile(request: HubDatasetFileRequest, options: HubDatasetFileOptions = {}): Promise<ResolvedHubDatasetFile> {
  if (!isSafeRepoPath(request.path)) {
    throw new InvarlockError('E_INTERNAL', `${JSON.stringify(request.path)} is not a safe path inside a repository`, {
      details: { repo: request.repo, file: request.path },
    });
  }
  const settings = resolveHubSettings(options);
  const cached = await cachedFile(request, settings.cacheDir);
  if (cached !== undefined) {
    settings.onEvent?.({ type: 'hub-cache-hit', repo: request.repo, commit: cached.commit });
    return { repo: request.repo, revision: request.revision, commit: cached.commit, file: cached.file, source: 'cache' };
  }
  if (settings.network === 'deny') {
    const folder = join(settings.cacheDir, repoFolderName(request.repo, 'dataset'));
    throw new InvarlockError('E_NETWORK_DISALLOWED', `${request.path} of dataset ${request.repo}@${request.revision} is not in the hub cache and network access is not allowed`, {
      hint:
        'Allow downloads with --allow-network (CLI), `allow-network: true` (Action) or `allow_network: true` (config file); ' +
        `or pre-fetch with \`huggingface-cli download ${request.repo} ${request.path} --repo-type dataset --revision ${request.revision}\` ` +
        `into the cache ${settings.cacheDir} (layout ${folder}/snapshots/<commit>/…, refs/${request.revision} holding the commit).`,
      details: { repo: request.repo, revision: request.revision, file: request.path, cacheDir: settings.cacheDir },
    });
  }

  const auth = {
    hubUrl: settings.hubUrl,
    ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
    ...(settings.accessToken === undefined ? {} : { accessToken: settings.accessToken }),
  };
  let commit: unknown = request.revision;
  if (!isCommitHash(request.revision)) {
    try {
      commit = (await datasetInfo({ name: request.repo, revision: request.revision, additionalFields: ['sha'], ...auth })).sha;
    } catch (error) {
      throw translateHubError(error, request.repo, `Resolving revision ${request.revision}`);
    }
    if (typeof commit !== 'string' || !isCommitHash(commit)) {
      throw new InvarlockError('E_DOWNLOAD', `The hub answered no commit for dataset ${request.repo}@${request.revision}`, {
        details: { repo: request.repo, revision: request.revision, actual: String(commit) },
      });
    }
    settings.onEvent?.({ type: 'hub-revision', repo: request.repo, revision: request.revision, commit });
  }
  const pinned = String(commit);

  let entries;
  try {
    entries = await pathsInfo({ repo: { type: 'dataset', name: request.repo }, paths: [request.path], revision: pinned, ...auth });
  } catch (error) {
    throw translateHubError(error, request.repo, `Reading the listing of ${request.path} at ${pinned}`);
  }
  const entry = entries.find((e) => e.path === request.path && e.type === 'file');
  if (entry === undefined) {
    throw new InvarlockError('E_DOWNLOAD', `Dataset ${request.repo}@${pinned} has no file ${request.path}`, {
      details: { repo: request.repo, revision: request.revision, file: request.path, status: 404 },
      hint: 'Check the repository name, the revision and the file path.',
    });
  }
  const sizeBytes = entry.lfs?.size ?? entry.size;
  const started = performance.now();
  settings.onEvent?.({ type: 'hub-download-start', repo: request.repo, file: entry.path, sizeBytes });
  const file = await downloadRepoFile({
    repo: request.repo, type: 'dataset', commit: pinned, entry, cacheDir: settings.cacheDir, hubUrl: settings.hubUrl, accessToken: settings.accessToken, fetch: settings.fetch,
  });
  settings.onEvent?.({ type: 'hub-download-end', repo: request.repo, file: entry.path, sizeBytes: file.sizeBytes, durationMs: performance.now() - started });
  await writeCachedRef(settings.cacheDir, request.repo, request.revision, pinned, 'dataset');
  return { repo: request.repo, revision: request.revision, commit: pinned, file, source: 'download' };
}
