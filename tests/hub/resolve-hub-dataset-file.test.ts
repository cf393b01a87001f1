import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveHubDatasetFile, type HubEvent } from '../../src/hub/index.js';
import { isInvarlockError } from '../../src/errors/index.js';
import { FAKE_COMMIT, startFakeHub, type FakeHub } from './fake-hub-server.js';
import { datasetFetch, type DatasetFetch } from './fake-dataset-fetch.js';

const REPO = 'tiny-org/tiny-data';
const DATA = Buffer.from('a,b\n1,2\n');
const NOTES = Buffer.from('# notes\n');
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let hub: FakeHub;
let client: DatasetFetch;
let cacheDir: string;
const consoleCalls: string[] = [];

beforeAll(async () => {
  hub = await startFakeHub(REPO, [
    { path: 'data/train.csv', content: DATA, lfs: true },
    { path: 'README.md', content: NOTES, lfs: false },
  ]);
  for (const method of ['debug', 'info', 'log', 'warn'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleCalls.push(`${method}: ${args.map(String).join(' ')}`));
  }
});
afterAll(async () => {
  await hub.close();
  vi.restoreAllMocks();
});
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'invarlock-hf-datasets-'));
  client = datasetFetch(hub);
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (isInvarlockError(error)) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('resolved');
}

describe('resolveHubDatasetFile', () => {
  it('downloads one file of a dataset repository into datasets--org--name, pinned to the commit, then serves it from the cache', async () => {
    const events: HubEvent[] = [];
    const options = { cacheDir, hubUrl: hub.url, fetch: client.fetch, onEvent: (e: HubEvent) => events.push(e) };
    const fetched = await resolveHubDatasetFile({ repo: REPO, revision: 'main', path: 'data/train.csv' }, { ...options, network: 'allow' });
    const path = join(cacheDir, 'datasets--tiny-org--tiny-data', 'snapshots', FAKE_COMMIT, 'data/train.csv');
    expect(fetched).toEqual({
      repo: REPO, revision: 'main', commit: FAKE_COMMIT, source: 'download',
      file: { repoPath: 'data/train.csv', path, sizeBytes: DATA.length, sha256: sha256(DATA) },
    });
    expect(await readFile(path)).toEqual(DATA);
    expect(events).toEqual([
      { type: 'hub-revision', repo: REPO, revision: 'main', commit: FAKE_COMMIT },
      { type: 'hub-download-start', repo: REPO, file: 'data/train.csv', sizeBytes: DATA.length },
      { type: 'hub-download-end', repo: REPO, file: 'data/train.csv', sizeBytes: DATA.length, durationMs: expect.any(Number) },
    ]);
    events.length = 0;
    client.requests.length = 0;
    const cached = await resolveHubDatasetFile({ repo: REPO, revision: 'main', path: 'data/train.csv' }, options);
    expect(cached).toEqual({ ...fetched, source: 'cache' });
    expect(events).toEqual([{ type: 'hub-cache-hit', repo: REPO, commit: FAKE_COMMIT }]);
    expect(client.requests).toEqual([]);
    expect(consoleCalls).toEqual([]);
  });

  it('hashes a small (non-LFS) file it downloads; a cache hit leaves its sha256 unknown', async () => {
    const options = { cacheDir, hubUrl: hub.url, fetch: client.fetch, network: 'allow' } as const;
    const fetched = await resolveHubDatasetFile({ repo: REPO, revision: 'main', path: 'README.md' }, options);
    expect(fetched.file.sha256).toBe(sha256(NOTES));
    const cached = await resolveHubDatasetFile({ repo: REPO, revision: 'main', path: 'README.md' }, options);
    expect(cached.file.sha256).toBeUndefined();
  });

  it('reports a file the revision does not hold as E_DOWNLOAD 404, and refuses unsafe paths', async () => {
    const missing = await errorOf(resolveHubDatasetFile({ repo: REPO, revision: 'main', path: 'data/test.csv' }, { cacheDir, hubUrl: hub.url, fetch: client.fetch, network: 'allow' }));
    expect(missing).toEqual({ code: 'E_DOWNLOAD', details: { repo: REPO, revision: 'main', file: 'data/test.csv', status: 404 } });
    const unsafe = await errorOf(resolveHubDatasetFile({ repo: REPO, revision: 'main', path: '../models--x/y' }, { cacheDir, network: 'allow' }));
    expect(unsafe).toEqual({ code: 'E_INTERNAL', details: { repo: REPO, file: '../models--x/y' } });
  });
});
