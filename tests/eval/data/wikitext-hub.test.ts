import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadDataset, wikitext2CachePath, wikitext2HubPath, type Dataset, type LoadDatasetOptions } from '../../../src/eval/data/index.js';
import type { HubEvent } from '../../../src/hub/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';
import { FAKE_COMMIT, startFakeHub, type FakeHub } from '../../hub/fake-hub-server.js';
import { datasetFetch, type DatasetFetch } from '../../hub/fake-dataset-fetch.js';
import { hubRowsOf, textParquet } from '../../fixtures/data/make-wikitext-parquet.js';

const fixtures = fileURLToPath(new URL('../../fixtures/data/', import.meta.url));
const MINI_TXT = join(fixtures, 'wikitext2-mini.txt');
const MINI_PARQUET = readFileSync(join(fixtures, 'wikitext2-mini.parquet'));
const WIKITEXT_TEST = fileURLToPath(new URL('../../fixtures/data/wikitext-2/test-raw-10-articles.txt', import.meta.url));
const REPO = 'Salesforce/wikitext';
const TEST_PATH = 'wikitext-2-raw-v1/test-00000-of-00001.parquet';
const VALIDATION_PATH = 'wikitext-2-raw-v1/validation-00000-of-00001.parquet';
const TRAIN_PATH = 'wikitext-2-raw-v1/train-00000-of-00001.parquet';
// The other blank-row convention: blank lines as '\n', text lines without their newline.
const VALIDATION_PARQUET = Buffer.from(textParquet(readFileSync(MINI_TXT, 'utf8').split('\n').map((l) => (l.trim() === '' ? '\n' : l)), 5));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let hub: FakeHub;
let client: DatasetFetch;
let cacheDir: string;
let expected: Dataset;

beforeAll(async () => {
  hub = await startFakeHub(REPO, [
    { path: TEST_PATH, content: MINI_PARQUET, lfs: true },
    { path: VALIDATION_PATH, content: VALIDATION_PARQUET, lfs: false },
    { path: TRAIN_PATH, content: Buffer.from('this is not a parquet file, only its name says so'), lfs: true },
  ]);
  expected = await loadDataset('wikitext2', { dataPath: MINI_TXT });
});
afterAll(async () => {
  await hub.close();
});
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'invarlock-data-hub-'));
  client = datasetFetch(hub);
  hub.corrupt.clear();
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

function hubOptions(network: 'allow' | 'deny', extra: LoadDatasetOptions = {}): LoadDatasetOptions {
  return { network, hubCacheDir: cacheDir, hubUrl: hub.url, fetch: client.fetch, ...extra };
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown>; hint: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (isInvarlockError(error)) return { code: error.code, details: error.details, hint: error.hint };
    throw error;
  }
  throw new Error('loaded');
}

const snapshotFile = (path: string): string => join(cacheDir, 'datasets--Salesforce--wikitext', 'snapshots', FAKE_COMMIT, path);

describe('loadDataset wikitext2 through the hub', () => {
  it('downloads the split as parquet pinned to a commit and returns the documents of the raw text file', async () => {
    const events: HubEvent[] = [];
    const data = await loadDataset('wikitext2', hubOptions('allow', { onEvent: (e) => events.push(e) }));
    expect(expected.kind === 'documents' && expected.documents.length).toBe(3);
    expect(data.kind === 'documents' && data.documents).toEqual(expected.kind === 'documents' && expected.documents);
    expect(data.stats).toEqual({ rows: 17, kept: 3, droppedShort: 1, droppedDuplicates: 1 });
    expect(data.stats).toEqual(expected.stats);
    expect(data.split).toBe('test');
    expect(data.source).toEqual({
      file: snapshotFile(TEST_PATH),
      sizeBytes: MINI_PARQUET.length,
      sha256: sha256(MINI_PARQUET),
      hub: { repo: REPO, repoPath: TEST_PATH, revision: 'main', commit: FAKE_COMMIT, from: 'download' },
    });
    // huggingface_hub's layout: a relative link into blobs/<sha256>, and refs/main naming the commit.
    expect(await readlink(snapshotFile(TEST_PATH))).toBe(join('..', '..', '..', 'blobs', sha256(MINI_PARQUET)));
    expect(await readFile(join(cacheDir, 'datasets--Salesforce--wikitext', 'refs', 'main'), 'utf8')).toBe(FAKE_COMMIT);
    expect(client.requests).toEqual([
      'GET /api/datasets/Salesforce/wikitext/revision/main',
      `POST /api/datasets/Salesforce/wikitext/paths-info/${FAKE_COMMIT}`,
      `GET /datasets/Salesforce/wikitext/resolve/${FAKE_COMMIT}/${TEST_PATH}`,
      // The content is fetched from the URL the first (range) request ended at: here the mapped one.
      `GET /Salesforce/wikitext/resolve/${FAKE_COMMIT}/${TEST_PATH}`,
    ]);
    expect(events.map((e) => e.type)).toEqual(['hub-revision', 'hub-download-start', 'hub-download-end']);
  });

  it('reads the cached split on later calls with network denied, sending no request', async () => {
    await loadDataset('wikitext2', hubOptions('allow'));
    client.requests.length = 0;
    const events: HubEvent[] = [];
    const data = await loadDataset('wikitext2', hubOptions('deny', { onEvent: (e) => events.push(e) }));
    expect(data.kind === 'documents' && data.documents).toEqual(expected.kind === 'documents' && expected.documents);
    expect(data.source.hub).toEqual({ repo: REPO, repoPath: TEST_PATH, revision: 'main', commit: FAKE_COMMIT, from: 'cache' });
    expect(data.source.sha256).toBe(sha256(MINI_PARQUET));
    expect(client.requests).toEqual([]);
    expect(events).toEqual([{ type: 'hub-cache-hit', repo: REPO, commit: FAKE_COMMIT }]);
  });

  it('refuses to download with network denied and names --allow-network and --dataset-path', async () => {
    const error = await errorOf(loadDataset('wikitext2', hubOptions('deny', { split: 'validation' })));
    expect(error.code).toBe('E_NETWORK_DISALLOWED');
    expect(error.details).toEqual({ repo: REPO, revision: 'main', file: VALIDATION_PATH, cacheDir, split: 'validation' });
    expect(error.hint).toContain('--allow-network');
    expect(error.hint).toContain('--dataset-path');
    expect(error.hint).toContain('wiki.valid.raw');
    expect(error.hint).toContain(`huggingface-cli download ${REPO} ${VALIDATION_PATH} --repo-type dataset --revision main --cache-dir ${cacheDir}`);
    expect(client.requests).toEqual([]);
    // Network is denied by default.
    expect((await errorOf(loadDataset('wikitext2', { hubCacheDir: cacheDir, hubUrl: hub.url, fetch: client.fetch }))).code).toBe('E_NETWORK_DISALLOWED');
  });

  it('rejects a download that does not match its LFS sha256 and caches nothing', async () => {
    const altered = Buffer.from(MINI_PARQUET);
    altered[100] = (altered[100] ?? 0) ^ 0xff;
    hub.corrupt.set(TEST_PATH, altered);
    const error = await errorOf(loadDataset('wikitext2', hubOptions('allow')));
    expect(error).toMatchObject({ code: 'E_DOWNLOAD', details: { repo: REPO, file: TEST_PATH, expected: sha256(MINI_PARQUET), actual: sha256(altered) } });
    expect(await readdir(join(cacheDir, 'datasets--Salesforce--wikitext', 'blobs'))).toEqual([]);
    expect((await errorOf(loadDataset('wikitext2', hubOptions('deny')))).code).toBe('E_NETWORK_DISALLOWED');
  });

  it('checks a small (non-LFS) file against its git blob id, and reads rows that keep blanks as newlines', async () => {
    hub.corrupt.set(VALIDATION_PATH, Buffer.concat([VALIDATION_PARQUET, Buffer.from('x')]));
    const error = await errorOf(loadDataset('wikitext2', hubOptions('allow', { split: 'validation' })));
    expect(error.code).toBe('E_DOWNLOAD');
    expect(error.details).toMatchObject({ repo: REPO, file: VALIDATION_PATH, actual: `${VALIDATION_PARQUET.length + 1} bytes, sha256 ${sha256(Buffer.concat([VALIDATION_PARQUET, Buffer.from('x')]))}` });
    hub.corrupt.clear();
    const data = await loadDataset('wikitext2', hubOptions('allow', { split: 'validation' }));
    expect(data.split).toBe('validation');
    expect(data.kind === 'documents' && data.documents).toEqual(expected.kind === 'documents' && expected.documents);
    expect(data.stats).toEqual(expected.stats);
    expect(data.source.sha256).toBe(sha256(VALIDATION_PARQUET));
  });

  it('detects a cached blob that changed after its download', async () => {
    await loadDataset('wikitext2', hubOptions('allow'));
    const blob = join(cacheDir, 'datasets--Salesforce--wikitext', 'blobs', sha256(MINI_PARQUET));
    const altered = Buffer.from(MINI_PARQUET);
    altered[200] = (altered[200] ?? 0) ^ 0x01;
    await writeFile(blob, altered);
    const error = await errorOf(loadDataset('wikitext2', hubOptions('deny')));
    expect(error).toMatchObject({ code: 'E_DOWNLOAD', details: { file: snapshotFile(TEST_PATH), expected: sha256(MINI_PARQUET), actual: sha256(altered) } });
  });

  it('uses dataPath, or a dataCacheDir copy that exists, before the hub', async () => {
    const fromPath = await loadDataset('wikitext2', hubOptions('allow', { dataPath: MINI_TXT }));
    expect(fromPath.source.hub).toBeUndefined();
    const copies = await mkdtemp(join(tmpdir(), 'invarlock-data-copies-'));
    try {
      await mkdir(join(copies, 'wikitext-2-raw-v1'));
      await writeFile(wikitext2CachePath(copies, 'test'), readFileSync(MINI_TXT));
      const fromCopy = await loadDataset('wikitext2', hubOptions('allow', { dataCacheDir: copies }));
      expect(fromCopy.source.file).toBe(wikitext2CachePath(copies, 'test'));
      expect(client.requests).toEqual([]);
      // No copy of this split there: the hub is next.
      const fallback = await loadDataset('wikitext2', hubOptions('allow', { dataCacheDir: copies, split: 'validation' }));
      expect(fallback.source.hub?.repoPath).toBe(VALIDATION_PATH);
    } finally {
      await rm(copies, { recursive: true, force: true });
    }
  });

  it('takes a revision given as a commit as is, without asking the hub to resolve it', async () => {
    const data = await loadDataset('wikitext2', hubOptions('allow', { hubRevision: FAKE_COMMIT }));
    expect(data.source.hub).toMatchObject({ revision: FAKE_COMMIT, commit: FAKE_COMMIT, from: 'download' });
    expect(client.requests.some((r) => r.includes('/revision/'))).toBe(false);
    const again = await loadDataset('wikitext2', hubOptions('deny', { hubRevision: FAKE_COMMIT }));
    expect(again.source.hub?.from).toBe('cache');
  });

  it('reports an unknown revision as E_DOWNLOAD with the HTTP status, and a file that is not parquet as E_DATASET_INVALID', async () => {
    const unknown = await errorOf(loadDataset('wikitext2', hubOptions('allow', { hubRevision: 'no-such-branch' })));
    expect(unknown.code).toBe('E_DOWNLOAD');
    expect(unknown.details).toMatchObject({ repo: REPO, status: 404 });
    const notParquet = await errorOf(loadDataset('wikitext2', hubOptions('allow', { split: 'train' })));
    expect(notParquet.code).toBe('E_DATASET_INVALID');
    expect(notParquet.details.file).toBe(snapshotFile(TRAIN_PATH));
  });

  it('reads a split pre-fetched by other tools (plain files) into the same WikiText-2 test articles, whatever the blank-row convention', async () => {
    const raw = readFileSync(WIKITEXT_TEST, 'utf8');
    const reference = await loadDataset('wikitext2', { dataPath: WIKITEXT_TEST });
    // The excerpt has its blank lines removed; put one after every line, as in the release.
    const lines = hubRowsOf(raw);
    const conventions: (string | null)[][] = [
      lines.flatMap((l) => [l, '']),
      lines.flatMap((l) => [l.slice(0, -1), '\n']),
      lines.flatMap((l) => [` ${l}`, null]),
    ];
    for (const rows of conventions) {
      const file = snapshotFile(wikitext2HubPath('test'));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, textParquet(rows, 1000));
      await mkdir(join(cacheDir, 'datasets--Salesforce--wikitext', 'refs'), { recursive: true });
      await writeFile(join(cacheDir, 'datasets--Salesforce--wikitext', 'refs', 'main'), `${FAKE_COMMIT}\n`);
      const data = await loadDataset('wikitext2', hubOptions('deny'));
      expect(data.kind === 'documents' && data.documents.length).toBe(10);
      expect(data.kind === 'documents' && data.documents).toEqual(reference.kind === 'documents' && reference.documents);
      expect(data.stats).toEqual(reference.stats);
      expect(data.source.hub?.from).toBe('cache');
    }
    expect(client.requests).toEqual([]);
  });
});
