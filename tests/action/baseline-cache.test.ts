import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baselineCacheKey, restoreBaselineEval, saveBaselineEval } from '../../src/action/evaluate/baseline-cache.js';
import { resolveRunConfig, type RunConfigFile } from '../../src/core/index.js';
import { memoryCache, removeDirs, tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => removeDirs(dirs));

function workspace(): string {
  const ws = tempDir();
  dirs.push(ws);
  mkdirSync(join(ws, 'models', 'gpt2'), { recursive: true });
  writeFileSync(join(ws, 'models', 'gpt2', 'model.onnx'), 'weights-v1');
  writeFileSync(join(ws, 'models', 'gpt2', 'tokenizer.json'), '{}');
  writeFileSync(join(ws, 'valid.txt'), 'some text');
  return ws;
}

const RUNTIME = { mode: 'container', image: `sha256:${'a'.repeat(64)}`, gpu: 'H100' };
const config = (file: Partial<RunConfigFile> = {}) => resolveRunConfig({ baseline: 'models/gpt2', edit: { name: 'quant_rtn' }, ...file });

describe('baselineCacheKey', () => {
  it('is the same for the same content and changes with every hash and setting it depends on', async () => {
    const ws = workspace();
    const key = async (file: Partial<RunConfigFile> = {}, runtime = RUNTIME) => {
      const result = await baselineCacheKey(config(file), { workspace: ws, runtime });
      if (!result.ok) throw new Error(result.reason);
      return result.key;
    };
    const base = await key();
    expect(base).toMatch(/^invarlock-baseline-eval-v1-[0-9a-f]{48}$/);
    expect(await key()).toBe(base);
    // The subject is not part of the key: the baseline evaluation does not depend on it.
    expect(await key({ edit: { name: 'quant_rtn', config: { bits: 4 } } })).toBe(base);
    const variants = [
      await key({ seed: 7 }),
      await key({ dataset: { seq_len: 256 } }),
      await key({ dataset: { final_n: 10 } }),
      await key({ tier: 'conservative' }),
      await key({ dataset: { provider: 'text:valid.txt' } }),
      await key({}, { ...RUNTIME, image: `sha256:${'b'.repeat(64)}` }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    writeFileSync(join(ws, 'models', 'gpt2', 'model.onnx'), 'weights-v2');
    expect(await key()).not.toBe(base);
  });

  it('does not cache hub baselines that are not pinned to a commit', async () => {
    const ws = workspace();
    const moving = await baselineCacheKey(config({ baseline: 'hf:org/gpt2@main' }), { workspace: ws, runtime: RUNTIME });
    expect(moving.ok).toBe(false);
    const pinned = await baselineCacheKey(config({ baseline: `hf:org/gpt2@${'c'.repeat(40)}` }), { workspace: ws, runtime: RUNTIME });
    expect(pinned.ok).toBe(true);
  });
});

describe('restore and save', () => {
  it('saves the CLI\'s baseline evaluation and restores it on the next run', async () => {
    const ws = workspace();
    const cache = memoryCache();
    const out = join(ws, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'baseline-eval.json'), '{"windows":[1,2,3]}');
    expect(await restoreBaselineEval(cache, { key: 'k', dir: join(ws, 'c1') })).toEqual({ status: 'miss', notice: null });
    expect(await saveBaselineEval(cache, { key: 'k', dir: join(ws, 'c1'), outputDir: out })).toBeNull();
    const restored = await restoreBaselineEval(cache, { key: 'k', dir: join(ws, 'c2') });
    expect(restored).toEqual({ status: 'hit', file: join(ws, 'c2', 'baseline-eval.json') });
    expect(readFileSync(join(ws, 'c2', 'baseline-eval.json'), 'utf8')).toBe('{"windows":[1,2,3]}');
  });

  it('turns every cache error into a miss with a notice', async () => {
    const ws = workspace();
    const failing = memoryCache({ failRestore: true, failSave: true });
    const restored = await restoreBaselineEval(failing, { key: 'k', dir: join(ws, 'c') });
    expect(restored.status).toBe('miss');
    expect(restored.status !== 'hit' && restored.notice).toContain('503');
    const out = join(ws, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'baseline-eval.json'), '{}');
    expect(await saveBaselineEval(failing, { key: 'k', dir: join(ws, 'c'), outputDir: out })).toContain('reserve');
    expect(await restoreBaselineEval(memoryCache({ available: false }), { key: 'k', dir: join(ws, 'c') })).toEqual({ status: 'unavailable', notice: null });
  });

  it('says so when the CLI wrote no baseline evaluation', async () => {
    const ws = workspace();
    expect(await saveBaselineEval(memoryCache(), { key: 'k', dir: join(ws, 'c'), outputDir: join(ws, 'nothing') })).toContain('baseline-eval.json');
  });
});
