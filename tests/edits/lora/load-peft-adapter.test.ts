import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPeftAdapter, mergeLora } from '../../../src/edits/index.js';
import { tinyModel } from '../../guards/weights-fixture.js';
import { BASE_CONFIG } from './lora-fixture.js';
import { writeSafetensors } from './safetensors-writer.js';

describe('loadPeftAdapter', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'invarlock-lora-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a real-format adapter directory (PEFT config + safetensors with F16 tensors) and merges it', async () => {
    const adapterDir = join(dir, 'gpt2-lora');
    await rm(adapterDir, { recursive: true, force: true });
    await mkdir(adapterDir);
    const a = [0.5, -0.25, 0.125, 1, 0, 0.5, -1, 2, 0.25, 0.75, -0.5, 1.5, 0.125, 0.25, 1, -2, 0.5, -0.25, 0.125, 1, 0, 0.5, -1, 2, 0.25, 0.75, -0.5, 1.5, 0.125, 0.25, 1, -2];
    const b = Array.from({ length: 48 * 2 }, (_, i) => ((i % 7) - 3) / 8);
    await writeFile(join(adapterDir, 'adapter_config.json'), JSON.stringify({ ...BASE_CONFIG, target_modules: ['c_attn'], base_model_name_or_path: 'gpt2' }));
    await writeFile(
      join(adapterDir, 'adapter_model.safetensors'),
      writeSafetensors(
        [
          { name: 'base_model.model.h.0.attn.c_attn.lora_A.weight', dtype: 'F16', shape: [2, 16], values: a },
          { name: 'base_model.model.h.0.attn.c_attn.lora_B.weight', dtype: 'F16', shape: [48, 2], values: b },
        ],
        { format: 'pt' },
      ),
    );
    const adapter = await loadPeftAdapter(adapterDir);
    expect(adapter.source).toBe(adapterDir);
    expect(adapter.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(adapter.updates.map((u) => [u.module, u.kind, u.rank, u.scaling])).toEqual([['h.0.attn.c_attn', 'linear', 2, 2]]);
    const model = tinyModel();
    const result = mergeLora(model, { adapters: [{ adapter, weight: 1 }] });
    const merged = result.changed.get('h.0.attn.c_attn.weight');
    const base = model.find((m) => m.module === 'h.0.attn.c_attn');
    const expected = Math.fround((base?.data[1 * 16 + 3] ?? 0) + 2 * ((b[2] ?? 0) * (a[3] ?? 0) + (b[3] ?? 0) * (a[16 + 3] ?? 0)));
    expect(merged?.[1 * 16 + 3]).toBe(expected);
    expect(JSON.parse(result.digestInput)).toMatchObject({ name: 'lora', config: { adapters: [{ source: adapterDir, digest: adapter.digest, weight: 1 }] } });
  });

  it('says which file is missing, and hints at conversion for a pickled adapter', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(loadPeftAdapter(empty)).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND', details: { file: join(empty, 'adapter_config.json') } });
    await writeFile(join(empty, 'adapter_model.bin'), 'pickle');
    await expect(loadPeftAdapter(empty)).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND', details: { file: join(empty, 'adapter_model.safetensors') } });
  });
});
