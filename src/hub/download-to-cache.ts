import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { downloadFile, type ListFileEntry } from '@huggingface/hub';
import { InvarlockError } from '../errors/index.js';
import { fileSha256 } from './file-sha256.js';
import { repoFolderName, snapshotDir } from './hub-cache.js';
import { translateHubError } from './translate-hub-error.js';
import type { ResolvedFile } from './types.js';

/** Where and how to fetch one repository file. @internal */
export interface CacheDownload {
  readonly repo: string;
  readonly commit: string;
  readonly entry: ListFileEntry;
  readonly cacheDir: string;
  readonly hubUrl: string;
  readonly accessToken: string | undefined;
  readonly fetch: typeof fetch | undefined;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

async function link(blob: string, pointer: string): Promise<void> {
  await mkdir(dirname(pointer), { recursive: true });
  await rm(pointer, { force: true });
  try {
    // Relative links keep the cache valid when it is moved (huggingface_hub does the same).
    await symlink(relative(dirname(pointer), blob), pointer);
  } catch {
    await copyFile(blob, pointer);
  }
}

/**
 * Puts one repository file into the hub cache exactly as huggingface_hub lays it out: the content
 * in `blobs/<etag>` (etag = LFS sha256, else xet hash, else git oid), and
 * `snapshots/<commit>/<path>` a relative symlink to it (a copy where links are not possible). The
 * bytes are hashed while they stream to `<blob>.incomplete`; a file in LFS whose sha256 differs from
 * its oid never enters the cache. A file already in the snapshot is not fetched again.
 *
 * Uses `downloadFile` of @huggingface/hub rather than its `downloadFileToCacheDir`, which logs every
 * download with console.debug (this layer must not write to the console) and asks the hub for path
 * info the listing already gave.
 *
 * @throws `E_DOWNLOAD` for hub or transfer errors (details.status for HTTP errors) and hash mismatches.
 */
export async function downloadToCache(job: CacheDownload): Promise<ResolvedFile> {
  const { entry } = job;
  const pointer = join(snapshotDir(job.cacheDir, job.repo, job.commit), entry.path);
  const etag = entry.lfs?.oid ?? entry.xetHash ?? entry.oid;
  if (etag === undefined || !/^[0-9a-f]{40,64}$/.test(etag)) {
    throw new InvarlockError('E_DOWNLOAD', `The hub listed ${entry.path} of ${job.repo} without a usable oid`, {
      details: { repo: job.repo, file: entry.path, actual: String(etag) },
    });
  }
  const blob = join(job.cacheDir, repoFolderName(job.repo), 'blobs', etag);
  let streamed: string | undefined;
  if (!(await exists(blob))) {
    let content: Blob | null;
    try {
      content = await downloadFile({
        repo: { type: 'model', name: job.repo },
        path: entry.path,
        revision: job.commit,
        hubUrl: job.hubUrl,
        ...(job.fetch === undefined ? {} : { fetch: job.fetch }),
        ...(job.accessToken === undefined ? {} : { accessToken: job.accessToken }),
      });
    } catch (error) {
      throw translateHubError(error, job.repo, `Downloading ${entry.path}`);
    }
    if (content === null) {
      throw new InvarlockError('E_DOWNLOAD', `${entry.path} of ${job.repo}@${job.commit} is not on the hub`, { details: { repo: job.repo, file: entry.path, status: 404 } });
    }
    await mkdir(dirname(blob), { recursive: true });
    const incomplete = `${blob}.incomplete`;
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(content.stream() as NodeReadableStream<Uint8Array>), hashing, createWriteStream(incomplete));
    } catch (error) {
      await rm(incomplete, { force: true });
      throw translateHubError(error, job.repo, `Downloading ${entry.path}`);
    }
    const sha256 = hash.digest('hex');
    if (entry.lfs !== undefined && entry.lfs.oid !== sha256) {
      await rm(incomplete, { force: true });
      throw new InvarlockError('E_DOWNLOAD', `${entry.path} of ${job.repo}@${job.commit} does not match its LFS sha256`, {
        details: { repo: job.repo, file: entry.path, expected: entry.lfs.oid, actual: sha256 },
        hint: 'Retry the download; if it persists, the hub or a proxy is serving altered content.',
      });
    }
    await rename(incomplete, blob);
    streamed = sha256;
  }
  if (!(await exists(pointer))) await link(blob, pointer);
  const sizeBytes = (await stat(pointer)).size;
  return { repoPath: entry.path, path: pointer, sizeBytes, sha256: streamed ?? entry.lfs?.oid ?? (await fileSha256(pointer)) };
}
