import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, readWeights, sessionInput, WRITE_WEIGHTS_DEFAULTS, writeWeights, type LoadedModel } from '../../../src/adapters/index.js';
import { sha256Hex } from '../../../src/contracts/index.js';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../src/onnx/index.js';
import { fixturePath } from '../helpers/fixtures.js';
import { modelDir, removeTempDirs } from '../helpers/model-dirs.js';
import { runLogits } from '../helpers/run-session.js';
import { TINY_INTERFACE, writeTinyModel } from '../helpers/tiny-runnable.js';

afterAll(removeTempDirs);

const IDS = [5, 17, 300, 42, 7, 911, 3];
const load = (path: string, modelInterface?: Record<string, unknown>): Promise<LoadedModel> => loadModel(path, { tokenizer: 'skip', ...(modelInterface === undefined ? {} : { modelInterface }) });

function scaled(data: Float32Array, factor: number): Float32Array {
  return Float32Array.from(data, (x) => x * factor);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('writeWeights', () => {
  it('writes an fp32 weight back in its [in, out] MatMul orientation; the in-memory model runs and its logits move', async () => {
    const model = await load(fixturePath('gpt2-tiny'));
    const before = await runLogits(sessionInput(model), model.graph.io, IDS);
    const [fc] = readWeights(model, ['transformer.h.1.mlp.c_fc']);
    const edited = writeWeights(model, new Map([['transformer.h.1.mlp.c_fc', scaled(fc!.data, 0.5)]]));
    expect(edited.written).toEqual(['transformer.h.1.mlp.c_fc']);
    expect(edited.externalData).toEqual([]);
    const after = await runLogits(edited, model.graph.io, IDS);
    expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-3);
    // copy mode leaves the loaded model alone
    expect(await runLogits(sessionInput(model), model.graph.io, IDS)).toEqual(before);
    // and the written bytes decode to exactly the values given
    const reloaded = await load(modelDir('gpt2-written', { 'model.onnx': edited.bytes }, fixturePath('gpt2-tiny')));
    expect(readWeights(reloaded, ['transformer.h.1.mlp.c_fc'])[0]!.data).toEqual(scaled(fc!.data, 0.5));
  });

  it('gives identical logits when the values written are the values read', async () => {
    const model = await load(fixturePath('llama-tiny'));
    const weights = readWeights(model);
    const edited = writeWeights(model, new Map(weights.map((w) => [w.key, w.data])));
    expect(edited.written).toHaveLength(weights.length);
    expect(sha256Hex(edited.bytes)).toBe(sha256Hex(model.graph.index.bytes));
    expect(await runLogits(edited, model.graph.io, IDS)).toEqual(await runLogits(sessionInput(model), model.graph.io, IDS));
  });

  it('writes fp16 weights rounded to nearest even, and the model still runs', async () => {
    const model = await load(fixturePath('gpt2-tiny-fp16'));
    const [o] = readWeights(model, ['transformer.h.0.attn.c_proj']);
    const target = scaled(o!.data, 1.37);
    const edited = writeWeights(model, new Map([['transformer.h.0.attn.c_proj', target]]));
    const reloaded = await load(modelDir('fp16-written', { 'model.onnx': edited.bytes }, fixturePath('gpt2-tiny-fp16')));
    expect(readWeights(reloaded, ['transformer.h.0.attn.c_proj'])[0]!.data).toEqual(float16BitsToFloat32(float32ToFloat16Bits(target)));
    const logits = await runLogits(edited, model.graph.io, IDS);
    expect(logits.every(Number.isFinite)).toBe(true);
  });

  it('edits a masked LM (bert-tiny, with token_type_ids) and the model runs with moved logits', async () => {
    const model = await load(fixturePath('bert-tiny'));
    expect(model.graph.io.tokenTypeIds?.name).toBe('token_type_ids');
    const before = await runLogits(sessionInput(model), model.graph.io, IDS);
    expect(before).toHaveLength(IDS.length * 1024);
    const [value] = readWeights(model, ['bert.encoder.layer.1.attention.self.value']);
    const edited = writeWeights(model, new Map([['bert.encoder.layer.1.attention.self.value', scaled(value!.data, 0)]]));
    expect(maxAbsDiff(before, await runLogits(edited, model.graph.io, IDS))).toBeGreaterThan(1e-3);
  });

  it('refuses to rewrite a quantized weight with E_DTYPE_UNSUPPORTED', async () => {
    const model = await load(fixturePath('gpt2-tiny-int4'));
    const [w] = readWeights(model, ['transformer.h.0.mlp.c_fc']);
    expect(() => writeWeights(model, new Map([['transformer.h.0.mlp.c_fc', w!.data]]))).toThrowError(
      expect.objectContaining({ code: 'E_DTYPE_UNSUPPORTED', details: expect.objectContaining({ field: 'transformer.h.0.mlp.c_fc', tensor: 'transformer.h.0.mlp.c_fc.weight_Q4', actual: 'matmulnbits' }) }),
    );
  });

  it('refuses values of the wrong length with E_TENSOR_RANGE', async () => {
    const model = await load(fixturePath('gpt2-tiny'));
    expect(() => writeWeights(model, new Map([['transformer.ln_f', new Float32Array(5)]]))).toThrowError(
      expect.objectContaining({ code: 'E_TENSOR_RANGE', details: { field: 'transformer.ln_f', expected: '96', actual: '5' } }),
    );
  });

  it('patches the loaded model in place when asked, and the model runs from those bytes', async () => {
    const model = await load(fixturePath('gpt2-tiny'));
    const before = await runLogits(sessionInput(model), model.graph.io, IDS);
    const [v] = readWeights(model, ['transformer.h.2.attn.c_attn']);
    const edited = writeWeights(model, new Map([['transformer.h.2.attn.c_attn', scaled(v!.data, -1)]]), { mode: 'in-place' });
    expect(edited.bytes).toBe(model.graph.index.bytes);
    expect(maxAbsDiff(before, await runLogits(sessionInput(model), model.graph.io, IDS))).toBeGreaterThan(1e-3);
    expect(WRITE_WEIGHTS_DEFAULTS.mode).toBe('copy');
  });

  describe('external data', () => {
    it('sends edited external weights to a new external file and keeps the untouched original one', async () => {
      const dir = writeTinyModel('ext-copy', { placement: 'external', head: 'separate' });
      const model = await load(dir, TINY_INTERFACE);
      expect(model.graph.store.externalLocations).toEqual(['model.onnx_data']);
      const before = await runLogits(sessionInput(model), model.graph.io, [1, 2, 3]);
      const [up] = readWeights(model, ['model.layers.0.mlp.up_proj']);
      const edited = writeWeights(model, new Map([['model.layers.0.mlp.up_proj', scaled(up!.data, 2)]]));
      expect(edited.externalData.map((e) => e.path).sort()).toEqual(['invarlock-edits.onnx_data', 'model.onnx_data']);
      expect(maxAbsDiff(before, await runLogits(edited, model.graph.io, [1, 2, 3]))).toBeGreaterThan(1e-4);
    });

    it('patches external buffers in place, which the session input then carries', async () => {
      const dir = writeTinyModel('ext-inplace', { placement: 'external', head: 'separate' });
      const model = await load(dir, TINY_INTERFACE);
      const before = await runLogits(sessionInput(model), model.graph.io, [1, 2, 3]);
      const [down] = readWeights(model, ['model.layers.0.mlp.down_proj']);
      const edited = writeWeights(model, new Map([['model.layers.0.mlp.down_proj', scaled(down!.data, 3)]]), { mode: 'in-place' });
      expect(edited.externalData.map((e) => e.path)).toEqual(['model.onnx_data']);
      expect(readWeights(model, ['model.layers.0.mlp.down_proj'])[0]!.data).toEqual(scaled(down!.data, 3));
      expect(maxAbsDiff(before, await runLogits(sessionInput(model), model.graph.io, [1, 2, 3]))).toBeGreaterThan(1e-4);
    });
  });

  describe('a tied embedding sharing one initializer with the lm_head', () => {
    it('is detected as tied and written once for both keys', async () => {
      const dir = writeTinyModel('shared', { placement: 'inline', head: 'shared' });
      const model = await load(dir, TINY_INTERFACE);
      const head = model.weights.find((w) => w.role === 'lm_head')!;
      expect(head).toMatchObject({ key: 'lm_head', tiedWith: 'model.embed_tokens', initializers: ['model.embed_tokens.weight'], storedOrientation: 'out-in' });
      const [embed] = readWeights(model, ['model.embed_tokens']);
      const next = scaled(embed!.data, 0.25);
      const edited = writeWeights(model, new Map([['model.embed_tokens', next], ['lm_head', next]]));
      const reloaded = await load(modelDir('shared-written', { 'model.onnx': edited.bytes }, dir), TINY_INTERFACE);
      const [e, h] = readWeights(reloaded, ['model.embed_tokens', 'lm_head']);
      expect(e!.data).toEqual(next);
      expect(h!.data).toBe(e!.data);
    });

    it('refuses different values for the two keys of one initializer with E_GRAPH_EDIT', async () => {
      const dir = writeTinyModel('shared-conflict', { placement: 'inline', head: 'shared' });
      const model = await load(dir, TINY_INTERFACE);
      const [embed] = readWeights(model, ['model.embed_tokens']);
      expect(() => writeWeights(model, new Map([['model.embed_tokens', embed!.data], ['lm_head', scaled(embed!.data, 2)]]))).toThrowError(
        expect.objectContaining({ code: 'E_GRAPH_EDIT', details: { tensor: 'model.embed_tokens.weight', problems: ['model.embed_tokens', 'lm_head'] } }),
      );
    });
  });

  it('decodes external weights lazily: a truncated or missing data file fails when a weight is read', async () => {
    const dir = writeTinyModel('ext-missing', { placement: 'external', head: 'shared' });
    writeFileSync(join(dir, 'model.onnx_data'), new Uint8Array(8));
    const model = await load(dir, TINY_INTERFACE);
    expect(() => readWeights(model, ['model.layers.0.mlp.up_proj'])).toThrowError(expect.objectContaining({ code: 'E_TENSOR_RANGE' }));
    rmSync(join(dir, 'model.onnx_data'));
    const again = await load(dir, TINY_INTERFACE);
    expect(() => readWeights(again, ['model.layers.0.mlp.up_proj'])).toThrowError(expect.objectContaining({ code: 'E_EXTERNAL_DATA_MISSING' }));
  });
});
