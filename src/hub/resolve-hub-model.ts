import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { listFiles, modelInfo, type ListFileEntry } from '@huggingface/hub';
import { InvarlockError } from '../errors/index.js';
import { downloadRepoFile } from './download-repo-file.js';
import { isCommitHash, listSnapshotFiles, readCachedCommit, repoFolderName, snapshotDir, writeCachedRef } from './hub-cache.js';
import { isExternalDataOf, listOnnxFiles, rankOnnxFiles } from './onnx-candidates.js';
import { isSafeRepoPath } from './parse-model-reference.js';
import { translateHubError } from './translate-hub-error.js';
import type { HubEvent, ModelReference, ResolvedFile, ResolvedModel } from './types.js';

type HubReference = Extract<ModelReference, { kind: 'hf' }>;

/** Options of {@link resolveHubModel}, defaults already applied. @internal */
export interface HubResolveSettings {
  readonly network: 'allow' | 'deny';
  readonly cacheDir: string;
  readonly hubUrl: string;
  readonly accessToken: string | undefined;
  readonly files: 'selected' | 'all';
  readonly fetch: typeof fetch | undefined;
  readonly onEvent: ((event: HubEvent) => void) | undefined;
}

// Small files a model directory needs besides the graph: config, tokenizer, generation settings, templates.
const METADATA_FILE = /\.(json|txt|model|jinja)$/;

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}

/** A cached snapshot that already holds the wanted ONNX file(s), or `undefined`. */
async function findCachedSnapshot(reference: HubReference, settings: HubResolveSettings): Promise<ResolvedModel | undefined> {
  const commit = await readCachedCommit(settings.cacheDir, reference.repo, reference.revision);
  if (commit === undefined) return undefined;
  const dir = snapshotDir(settings.cacheDir, reference.repo, commit);
  const onnx =
    reference.file === undefined ? await listOnnxFiles(dir) : (await isFile(join(dir, reference.file))) ? [reference.file] : [];
  if (onnx.length === 0) return undefined;
  settings.onEvent?.({ type: 'hub-cache-hit', repo: reference.repo, commit });
  return {
    reference: { kind: 'hf', input: reference.input, repo: reference.repo, revision: reference.revision, commit, file: reference.file, path: dir, source: 'cache' },
    dir,
    onnxFiles: onnx.map((p) => join(dir, p)),
    files: await listSnapshotFiles(dir),
  };
}

function networkDisallowed(reference: HubReference, settings: HubResolveSettings): InvarlockError {
  const folder = join(settings.cacheDir, repoFolderName(reference.repo));
  return new InvarlockError('E_NETWORK_DISALLOWED', `${reference.input} is not in the hub cache and network access is not allowed`, {
    hint:
      'Allow downloads with --allow-network (CLI), `allow-network: true` (Action) or `allow_network: true` (config file); ' +
      `or pre-fetch with \`huggingface-cli download ${reference.repo} --revision ${reference.revision}\` ` +
      `into the cache ${settings.cacheDir} (layout ${folder}/snapshots/<commit>/…, refs/${reference.revision} holding the commit).`,
    details: { repo: reference.repo, revision: reference.revision, cacheDir: settings.cacheDir },
  });
}

function chooseOnnx(reference: HubReference, entries: readonly ListFileEntry[]): string {
  const onnx = rankOnnxFiles(entries.map((e) => e.path));
  if (reference.file !== undefined) {
    if (!onnx.includes(reference.file)) {
      throw new InvarlockError('E_MODEL_REF', `${reference.repo}@${reference.revision} has no file ${reference.file}`, {
        details: { repo: reference.repo, file: reference.file, available: onnx.slice(0, 20) },
        hint: onnx.length > 0 ? `Pick one of: ${onnx.slice(0, 5).join(', ')}.` : 'This repository holds no ONNX file.',
      });
    }
    return reference.file;
  }
  const first = onnx[0];
  if (first === undefined) {
    throw new InvarlockError('E_MODEL_REF', `${reference.repo}@${reference.revision} holds no .onnx file`, {
      details: { repo: reference.repo, revision: reference.revision },
      hint: 'Use a repository with an ONNX export (e.g. onnx-community/…), or export one with `optimum-cli export onnx`.',
    });
  }
  return first;
}

/** The repository files to fetch for `onnxPath`: see {@link ResolveModelOptions.files}. */
export function selectRepoFiles(entries: readonly ListFileEntry[], onnxPath: string, files: 'selected' | 'all'): ListFileEntry[] {
  if (files === 'all') return [...entries];
  const onnxDir = onnxPath.includes('/') ? onnxPath.slice(0, onnxPath.lastIndexOf('/')) : '';
  return entries.filter((e) => {
    if (e.path === onnxPath || isExternalDataOf(onnxPath, e.path)) return true;
    const dir = e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/')) : '';
    return (dir === '' || dir === onnxDir) && METADATA_FILE.test(e.path);
  });
}

/**
 * Resolves an `hf:` reference to a snapshot in the hub cache (`<cacheDir>/models--org--name/
 * snapshots/<commit>/…`, the layout huggingface_hub uses). A snapshot already in the cache that holds
 * the wanted ONNX file is used as is, with no network access, whatever `network` says (a branch or tag
 * resolves through `refs/<revision>`; pin a commit for reproducible runs). Otherwise, with
 * `network: 'allow'`, the revision is resolved to a commit, the repository listed, and the selected
 * files downloaded through `@huggingface/hub`; each file's sha256 is computed and checked against its
 * LFS oid; `refs/<revision>` is written.
 *
 * @throws `E_NETWORK_DISALLOWED` when the snapshot is not cached and `network` is `deny`;
 *   `E_DOWNLOAD` for hub or transfer errors and hash mismatches; `E_MODEL_REF` when the repository has
 *   no (or not the named) ONNX file.
 */
export async function resolveHubModel(reference: HubReference, settings: HubResolveSettings): Promise<ResolvedModel> {
  const cached = await findCachedSnapshot(reference, settings);
  if (cached !== undefined) return cached;
  if (settings.network === 'deny') throw networkDisallowed(reference, settings);

  const auth = {
    hubUrl: settings.hubUrl,
    ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
    ...(settings.accessToken === undefined ? {} : { accessToken: settings.accessToken }),
  };
  let commit = reference.revision;
  if (!isCommitHash(commit)) {
    try {
      const info = await modelInfo({ name: reference.repo, revision: reference.revision, additionalFields: ['sha'], ...auth });
      commit = info.sha;
    } catch (error) {
      throw translateHubError(error, reference.repo, `Resolving revision ${reference.revision}`);
    }
    if (typeof commit !== 'string' || !isCommitHash(commit)) {
      throw new InvarlockError('E_DOWNLOAD', `The hub answered no commit for ${reference.repo}@${reference.revision}`, {
        details: { repo: reference.repo, revision: reference.revision, actual: String(commit) },
      });
    }
    settings.onEvent?.({ type: 'hub-revision', repo: reference.repo, revision: reference.revision, commit });
  }

  const entries: ListFileEntry[] = [];
  try {
    for await (const entry of listFiles({ repo: { type: 'model', name: reference.repo }, recursive: true, revision: commit, ...auth })) {
      if (entry.type !== 'file') continue;
      if (!isSafeRepoPath(entry.path)) {
        throw new InvarlockError('E_DOWNLOAD', `${reference.repo} lists an unsafe file path ${JSON.stringify(entry.path)}`, {
          details: { repo: reference.repo, file: entry.path },
        });
      }
      entries.push(entry);
    }
  } catch (error) {
    throw translateHubError(error, reference.repo, `Listing files at ${commit}`);
  }

  const onnxPath = chooseOnnx(reference, entries);
  // ONNX graphs last: a snapshot holding the graph then also holds its external data and metadata,
  // which is what the cache check above relies on after an interrupted download.
  const selected = selectRepoFiles(entries, onnxPath, settings.files);
  const ordered = [...selected.filter((e) => !e.path.endsWith('.onnx')), ...selected.filter((e) => e.path.endsWith('.onnx'))];
  const files: ResolvedFile[] = [];
  for (const entry of ordered) {
    const sizeBytes = entry.lfs?.size ?? entry.size;
    const started = performance.now();
    settings.onEvent?.({ type: 'hub-download-start', repo: reference.repo, file: entry.path, sizeBytes });
    const file = await downloadRepoFile({
      repo: reference.repo, type: 'model', commit, entry, cacheDir: settings.cacheDir, hubUrl: settings.hubUrl, accessToken: settings.accessToken, fetch: settings.fetch,
    });
    settings.onEvent?.({ type: 'hub-download-end', repo: reference.repo, file: entry.path, sizeBytes: file.sizeBytes, durationMs: performance.now() - started });
    files.push(file);
  }
  await writeCachedRef(settings.cacheDir, reference.repo, reference.revision, commit);

  const dir = snapshotDir(settings.cacheDir, reference.repo, commit);
  const onnx = reference.file === undefined ? await listOnnxFiles(dir) : [reference.file];
  return {
    reference: { kind: 'hf', input: reference.input, repo: reference.repo, revision: reference.revision, commit, file: reference.file, path: dir, source: 'download' },
    dir,
    onnxFiles: onnx.map((p) => join(dir, p)),
    files,
  };
}
