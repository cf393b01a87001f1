import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getAdapter, loadModel, readWeights, restoreSnapshot, SNAPSHOT_DEFAULTS, takeSnapshot, writeWeights, type LoadedModel } from '../../../src/adapters/index.js';
import { sha256Hex } from '../../../src/contracts/index.js';
import { fixturePath } from '../helpers/fixtures.js';
import { removeTempDirs, tempDir } from '../helpers/model-dirs.js';
import { TINY_INTERFACE, writeTinyModel } from '../helpers/tiny-runnable.js';

afterAll(removeTempDirs);

const load = (path: string, modelInterface?: Record<string, unknown>): Promise<LoadedModel> => loadModel(path, { tokenizer: 'skip', ...(modelInterface === undefined ? {} : { modelInterface }) });

/** sha256 of every buffer an edit can touch: the model bytes and each external file. */
function fingerprint(model: LoadedModel): string {
  return [sha256Hex(model.graph.index.bytes), ...model.graph.store.externalLocations.map((l) => sha256Hex(model.graph.store.externalBuffer(l)))].join(',');
}

/** Overwrites every float weight in place with its negation. */
function vandalize(model: LoadedModel, keys?: readonly string[]): void {
  const changed = new Map(readWeights(model, keys).filter((w) => model.weights.find((r) => r.key === w.key)?.format === 'fp32').map((w) => [w.key, Float32Array.from(w.data, (x) => -x - 1)]));
  writeWeights(model, changed, { mode: 'in-place' });
}

describe('snapshots', () => {
  it.each(['memory', 'chunked'] as const)('restore gpt2-tiny bit-exactly after an in-place edit of every weight (%s)', async (mode) => {
    const model = await load(fixturePath('gpt2-tiny'));
    const original = fingerprint(model);
    const snapshot = takeSnapshot(model, mode === 'memory' ? {} : { mode, dir: tempDir('snap'), chunkBytes: 65_536 });
    expect(snapshot.kind).toBe(mode);
    vandalize(model);
    expect(fingerprint(model)).not.toBe(original);
    restoreSnapshot(model, snapshot);
    expect(fingerprint(model)).toBe(original);
  });

  it('cover only the keys asked for, one region per stored tensor', async () => {
    const model = await load(fixturePath('llama-tiny'));
    const keys = ['model.layers.0.self_attn.q_proj', 'model.layers.1.mlp.up_proj'];
    const snapshot = takeSnapshot(model, { keys });
    expect(snapshot.regions.map((r) => r.keys)).toEqual([[keys[0]], [keys[1]]]);
    const [q] = readWeights(model, [keys[0]!]);
    expect(snapshot.regions[0]!.length).toBe(q!.data.length * 4);
    vandalize(model, keys);
    restoreSnapshot(model, snapshot);
    expect(readWeights(model, [keys[0]!])[0]!.data).toEqual(q!.data);
  });

  it('stream a chunked snapshot into fixed-size chunk files with a sha256 manifest', async () => {
    const model = await load(fixturePath('gpt2-tiny'));
    const dir = tempDir('chunks');
    const snapshot = takeSnapshot(model, { mode: 'chunked', dir, chunkBytes: 100_000 });
    const total = snapshot.regions.reduce((sum, r) => sum + r.length, 0);
    const chunks = readdirSync(dir).filter((f) => f.startsWith('chunk-')).sort();
    expect(chunks).toHaveLength(Math.ceil(total / 100_000));
    const manifest = JSON.parse(readFileSync(join(dir, 'snapshot-manifest.json'), 'utf8')) as { chunks: { file: string; bytes: number; sha256: string }[] };
    for (const entry of manifest.chunks) expect(sha256Hex(readFileSync(join(dir, entry.file)))).toBe(entry.sha256);
    expect(manifest.chunks.reduce((sum, c) => sum + c.bytes, 0)).toBe(total);
  });

  it('refuse a chunked snapshot whose chunk was altered (E_SNAPSHOT), leaving nothing half-restored unnoticed', async () => {
    const model = await load(fixturePath('gpt2-tiny'));
    const dir = tempDir('tamper');
    const snapshot = takeSnapshot(model, { mode: 'chunked', dir, chunkBytes: 100_000 });
    const chunk = join(dir, 'chunk-00001.bin');
    const bytes = readFileSync(chunk);
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(chunk, bytes);
    expect(() => restoreSnapshot(model, snapshot)).toThrowError(expect.objectContaining({ code: 'E_SNAPSHOT' }));
  });

  it('refuse a chunked snapshot without a directory (E_SNAPSHOT)', async () => {
    const model = await load(fixturePath('gpt2-tiny'));
    expect(() => takeSnapshot(model, { mode: 'chunked' })).toThrowError(expect.objectContaining({ code: 'E_SNAPSHOT' }));
    expect(SNAPSHOT_DEFAULTS).toEqual({ mode: 'memory', chunkBytes: 67_108_864 });
  });

  it.each(['memory', 'chunked'] as const)('restore external data buffers bit-exactly (%s)', async (mode) => {
    const dir = writeTinyModel(`snap-ext-${mode}`, { placement: 'external', head: 'separate' });
    const adapter = getAdapter('onnx_causal');
    const model = await adapter.load({ dir, onnxFiles: [join(dir, 'model.onnx')] }, { tokenizer: 'skip', modelInterface: TINY_INTERFACE });
    const original = fingerprint(model);
    const snapshot = adapter.snapshot(model, mode === 'memory' ? {} : { mode, dir: tempDir('snap-ext'), chunkBytes: 1000 });
    expect(snapshot.regions.every((r) => r.buffer === 'model.onnx_data')).toBe(true);
    vandalize(model);
    expect(fingerprint(model)).not.toBe(original);
    adapter.restore(model, snapshot);
    expect(fingerprint(model)).toBe(original);
  });
});
