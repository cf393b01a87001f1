import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeReference, resolveModel, type HubEvent } from '../../src/hub/index.js';
import { isInvarlockError } from '../../src/errors/index.js';
import { FAKE_COMMIT, startFakeHub, type FakeHub, type FakeRepoFile } from './fake-hub-server.js';

const REPO = 'tiny-org/tiny-lm';
const files: FakeRepoFile[] = [
  { path: 'config.json', content: Buffer.from('{"model_type":"gpt2","vocab_size":257}'), lfs: false },
  { path: 'tokenizer.json', content: Buffer.from('{"model":{"type":"BPE","vocab":{},"merges":[]}}'), lfs: false },
  { path: 'README.md', content: Buffer.from('# tiny'), lfs: false },
  { path: 'onnx/model.onnx', content: Buffer.alloc(2048, 7), lfs: true },
  { path: 'onnx/model.onnx_data', content: Buffer.alloc(4096, 9), lfs: true },
  { path: 'onnx/model_q4.onnx', content: Buffer.alloc(512, 3), lfs: true },
];
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let hub: FakeHub;
let cacheDir: string;

const consoleCalls: string[] = [];

beforeAll(async () => {
  hub = await startFakeHub(REPO, files);
  // The hub layer must not write to the console (@huggingface/hub's downloadFileToCacheDir would).
  for (const method of ['debug', 'info', 'log', 'warn'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleCalls.push(`${method}: ${args.map(String).join(' ')}`));
  }
});
afterAll(async () => {
  await hub.close();
  vi.restoreAllMocks();
});
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'invarlock-hf-cache-'));
  hub.requests.length = 0;
  hub.corrupt.clear();
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown>; hint: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (isInvarlockError(error)) return { code: error.code, details: error.details, hint: error.hint };
    throw error;
  }
  throw new Error('resolved');
}

describe('resolveModel with hf: references', () => {
  it('refuses to download without network permission and says how to allow or pre-fetch', async () => {
    const error = await errorOf(resolveModel(`hf:${REPO}`, { cacheDir, hubUrl: hub.url }));
    expect(error.code).toBe('E_NETWORK_DISALLOWED');
    expect(error.details).toMatchObject({ repo: REPO, revision: 'main', cacheDir });
    expect(error.hint).toContain('--allow-network');
    expect(error.hint).toContain('allow-network: true');
    expect(error.hint).toContain(`huggingface-cli download ${REPO}`);
    expect(hub.requests).toEqual([]);
  });

  it('downloads the selected files into the HF cache layout, records sha256, then resolves offline', async () => {
    const events: HubEvent[] = [];
    const model = await resolveModel(`hf:${REPO}`, { cacheDir, hubUrl: hub.url, network: 'allow', onEvent: (e) => events.push(e) });
    const snapshot = join(cacheDir, 'models--tiny-org--tiny-lm', 'snapshots', FAKE_COMMIT);
    expect(model.dir).toBe(snapshot);
    expect(model.onnxFiles).toEqual([join(snapshot, 'onnx/model.onnx')]);
    expect(model.files.map((f) => f.repoPath).sort()).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model.onnx_data', 'tokenizer.json']);
    for (const f of model.files) {
      const source = files.find((s) => s.path === f.repoPath);
      expect(f.sha256).toBe(sha256(source?.content ?? Buffer.alloc(0)));
      expect(f.sizeBytes).toBe(source?.content.length);
      expect(await readFile(f.path)).toEqual(source?.content);
    }
    // LFS blobs are named by their sha256, as huggingface_hub does.
    expect(await readlink(join(snapshot, 'onnx/model.onnx'))).toBe(`../../../blobs/${sha256(files[3]?.content ?? Buffer.alloc(0))}`);
    expect((await readFile(join(cacheDir, 'models--tiny-org--tiny-lm', 'refs', 'main'), 'utf8')).trim()).toBe(FAKE_COMMIT);
    expect(describeReference(model)).toMatchObject({ kind: 'hf', repo: REPO, revision: 'main', commit: FAKE_COMMIT, source: 'download', path: snapshot });
    expect(events.filter((e) => e.type === 'hub-download-end')).toHaveLength(4);
    expect(consoleCalls).toEqual([]);

    hub.requests.length = 0;
    const again = await resolveModel(`hf:${REPO}@main`, { cacheDir, hubUrl: 'http://127.0.0.1:9' });
    expect(hub.requests).toEqual([]);
    expect(again.onnxFiles).toEqual(model.onnxFiles);
    expect(describeReference(again)).toMatchObject({ commit: FAKE_COMMIT, source: 'cache' });
    expect(again.files.find((f) => f.repoPath === 'onnx/model.onnx')?.sha256).toBe(sha256(files[3]?.content ?? Buffer.alloc(0)));
    expect(again.files.find((f) => f.repoPath === 'config.json')?.sha256).toBeUndefined();
  });

  it('fetches exactly the named ONNX file at a pinned commit without asking for the revision', async () => {
    const model = await resolveModel(`hf:${REPO}@${FAKE_COMMIT}#onnx/model_q4.onnx`, { cacheDir, hubUrl: hub.url, network: 'allow' });
    expect(model.onnxFiles).toEqual([join(model.dir, 'onnx/model_q4.onnx')]);
    expect(model.files.map((f) => f.repoPath).sort()).toEqual(['config.json', 'onnx/model_q4.onnx', 'tokenizer.json']);
    expect(hub.requests.some((r) => r.includes('/revision/'))).toBe(false);
    const offline = await resolveModel(`hf:${REPO}@${FAKE_COMMIT}#onnx/model_q4.onnx`, { cacheDir });
    expect(offline.onnxFiles).toEqual(model.onnxFiles);
  });

  it('fetches only what the snapshot lacks when another ONNX file of a cached commit is asked for', async () => {
    await resolveModel(`hf:${REPO}`, { cacheDir, hubUrl: hub.url, network: 'allow' });
    hub.requests.length = 0;
    const model = await resolveModel(`hf:${REPO}@main#onnx/model_q4.onnx`, { cacheDir, hubUrl: hub.url, network: 'allow' });
    expect(model.onnxFiles).toEqual([join(model.dir, 'onnx/model_q4.onnx')]);
    const fetched = new Set(hub.requests.filter((r) => r.includes('/resolve/')).map((r) => r.slice(r.lastIndexOf('/') + 1)));
    expect([...fetched]).toEqual(['model_q4.onnx']);
  });

  it('downloads every file with files: all', async () => {
    const model = await resolveModel(`hf:${REPO}`, { cacheDir, hubUrl: hub.url, network: 'allow', files: 'all' });
    expect(model.files).toHaveLength(files.length);
    expect(model.onnxFiles.map((p) => p.slice(model.dir.length + 1))).toEqual(['onnx/model.onnx', 'onnx/model_q4.onnx']);
  });

  it('rejects a file the repository does not have with E_MODEL_REF listing the candidates', async () => {
    const error = await errorOf(resolveModel(`hf:${REPO}#onnx/missing.onnx`, { cacheDir, hubUrl: hub.url, network: 'allow' }));
    expect(error.code).toBe('E_MODEL_REF');
    expect(error.details).toMatchObject({ file: 'onnx/missing.onnx', available: ['onnx/model.onnx', 'onnx/model_q4.onnx'] });
  });

  it('reports an unknown revision as E_DOWNLOAD with the HTTP status', async () => {
    const error = await errorOf(resolveModel(`hf:${REPO}@v9`, { cacheDir, hubUrl: hub.url, network: 'allow' }));
    expect(error.code).toBe('E_DOWNLOAD');
    expect(error.details).toMatchObject({ repo: REPO, status: 404 });
  });

  it('rejects content that does not match its LFS sha256, drops the bad blob and leaves no usable partial snapshot', async () => {
    hub.corrupt.set('onnx/model.onnx_data', Buffer.alloc(4096, 8));
    const error = await errorOf(resolveModel(`hf:${REPO}`, { cacheDir, hubUrl: hub.url, network: 'allow' }));
    expect(error.code).toBe('E_DOWNLOAD');
    expect(error.details).toMatchObject({
      file: 'onnx/model.onnx_data', expected: sha256(files[4]?.content ?? Buffer.alloc(0)), actual: sha256(Buffer.alloc(4096, 8)),
    });
    expect((await errorOf(resolveModel(`hf:${REPO}`, { cacheDir }))).code).toBe('E_NETWORK_DISALLOWED');
    hub.corrupt.clear();
    const model = await resolveModel(`hf:${REPO}`, { cacheDir, hubUrl: hub.url, network: 'allow' });
    expect(await readFile(join(model.dir, 'onnx/model.onnx_data'))).toEqual(files[4]?.content);
  });
});
