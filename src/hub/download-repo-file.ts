import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { downloadFile } from '@huggingface/hub';
import { InvarlockError } from '../errors/index.js';
import { fileSha256 } from './file-sha256.js';
import { repoFolderName, snapshotDir } from './hub-cache.js';
import { translateHubError } from './translate-hub-error.js';
import type { ResolvedFile } from './types.js';

/**
 * What the hub says about one file (the fields `listFiles` and `pathsInfo` of @huggingface/hub
 * both return). @internal
 */
export interface RepoFileEntry {
  readonly path: string;
  /** Bytes in git: the pointer size for an LFS file, else the content size. */
  readonly size: number;
  /** Git blob sha1 (hex). */
  readonly oid?: string | undefined;
  /** For files stored in LFS: sha256 (hex) and size of the content. */
  readonly lfs?: { readonly oid: string; readonly size: number } | undefined;
  readonly xetHash?: string | undefined;
}

/** Where and how to fetch one file of a model or dataset repository. @internal */
export interface RepoFileDownload {
  readonly repo: string;
  readonly type: 'model' | 'dataset';
  readonly commit: string;
  readonly entry: RepoFileEntry;
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

/** The content hash the hub vouches for, checked once the bytes are in. */
type Expected = { readonly kind: 'sha256'; readonly hex: string } | { readonly kind: 'git-sha1'; readonly hex: string; readonly sizeBytes: number } | { readonly kind: 'none' };

function expectedHash(entry: RepoFileEntry): Expected {
  if (entry.lfs !== undefined) return { kind: 'sha256', hex: entry.lfs.oid };
  if (entry.xetHash === undefined && entry.oid !== undefined && /^[0-9a-f]{40}$/.test(entry.oid)) {
    return { kind: 'git-sha1', hex: entry.oid, sizeBytes: entry.size };
  }
  // A Xet-only entry names its content by a Xet merkle hash, which is not computed here.
  return { kind: 'none' };
}

/**
 * Puts one file of a model or dataset repository into the hub cache as huggingface_hub lays it out:
 * the content in `<models|datasets>--org--name/blobs/<etag>` (etag = LFS sha256, else Xet hash, else
 * git oid), and `snapshots/<commit>/<path>` a relative symlink to it (a copy where links are not
 * possible). The bytes stream to a private `<blob>.<id>.incomplete` while they are hashed; the file
 * enters the cache only when its content matches what the hub listed: the LFS sha256 for LFS files,
 * the git blob sha1 (`sha1("blob <size>\0" + bytes)`) for small ones. A blob already cached is not
 * fetched again.
 *
 * Uses `downloadFile` of @huggingface/hub rather than `downloadFileToCacheDir`, which logs each
 * download with console.debug (this layer must not write to the console).
 *
 * @throws `E_DOWNLOAD` for hub or transfer errors (details.status for HTTP errors) and content that
 *   does not match its hash (details.expected / details.actual).
 */
export async function downloadRepoFile(job: RepoFileDownload): Promise<ResolvedFile> {
  const { entry } = job;
  const where = { repo: job.repo, file: entry.path };
  const pointer = join(snapshotDir(job.cacheDir, job.repo, job.commit, job.type), entry.path);
  const etag = entry.lfs?.oid ?? entry.xetHash ?? entry.oid;
  if (etag === undefined || !/^[0-9a-f]{40,64}$/.test(etag)) {
    throw new InvarlockError('E_DOWNLOAD', `The hub listed ${entry.path} of ${job.repo} without a usable oid`, {
      details: { ...where, actual: String(etag) },
    });
  }
  const blob = join(job.cacheDir, repoFolderName(job.repo, job.type), 'blobs', etag);
  let streamed: string | undefined;
  if (!(await exists(blob))) {
    let content: Blob | null;
    try {
      content = await downloadFile({
        repo: { type: job.type, name: job.repo },
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
      throw new InvarlockError('E_DOWNLOAD', `${entry.path} of ${job.repo}@${job.commit} is not on the hub`, { details: { ...where, status: 404 } });
    }
    await mkdir(dirname(blob), { recursive: true });
    // A private name: two processes sharing a cache may fetch the same blob at once.
    const incomplete = `${blob}.${randomUUID()}.incomplete`;
    const expected = expectedHash(entry);
    const sha256 = createHash('sha256');
    const sha1 = createHash('sha1');
    if (expected.kind === 'git-sha1') sha1.update(`blob ${expected.sizeBytes}\0`);
    let sizeBytes = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sha256.update(chunk);
        if (expected.kind === 'git-sha1') sha1.update(chunk);
        sizeBytes += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(content.stream() as NodeReadableStream<Uint8Array>), hashing, createWriteStream(incomplete));
    } catch (error) {
      await rm(incomplete, { force: true });
      throw translateHubError(error, job.repo, `Downloading ${entry.path}`);
    }
    streamed = sha256.digest('hex');
    const mismatch =
      expected.kind === 'sha256' && expected.hex !== streamed
        ? { what: 'LFS sha256', expected: expected.hex, actual: streamed }
        : expected.kind === 'git-sha1' && (sizeBytes !== expected.sizeBytes || sha1.digest('hex') !== expected.hex)
          ? { what: 'git blob id', expected: `${expected.hex} (${expected.sizeBytes} bytes)`, actual: `${sizeBytes} bytes, sha256 ${streamed}` }
          : undefined;
    if (mismatch !== undefined) {
      await rm(incomplete, { force: true });
      throw new InvarlockError('E_DOWNLOAD', `${entry.path} of ${job.repo}@${job.commit} does not match its ${mismatch.what}`, {
        details: { ...where, expected: mismatch.expected, actual: mismatch.actual },
        hint: 'Retry the download; if it persists, the hub or a proxy is serving altered content.',
      });
    }
    await rename(incomplete, blob);
  }
  if (!(await exists(pointer))) await link(blob, pointer);
  const sizeBytes = (await stat(pointer)).size;
  return { repoPath: entry.path, path: pointer, sizeBytes, sha256: streamed ?? entry.lfs?.oid ?? (await fileSha256(pointer)) };
}
