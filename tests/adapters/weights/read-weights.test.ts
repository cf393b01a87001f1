import { describe, expect, it } from 'vitest';
import { iterateWeights, loadModel, pairWeights, readWeights, type LoadedModel, type ModelWeight } from '../../../src/adapters/index.js';
import { resolveWeight } from '../../../src/onnx/index.js';
import { fixturePath, listFixtureModels, twinsOf } from '../helpers/fixtures.js';

const load = (name: string): Promise<LoadedModel> => loadModel(fixturePath(name), { tokenizer: 'skip' });

/** ‖a − b‖_F / ‖a‖_F in float64. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    num += d * d;
    den += a[i]! * a[i]!;
  }
  return Math.sqrt(num / den);
}

/** Tolerances per twin: fp16 rounding, 8-bit and 4-bit (block 32) quantization of trained weights. */
function tolerance(twin: string): number {
  if (twin.endsWith('-fp16')) return 1e-3;
  if (twin.includes('int8')) return 0.03;
  return 0.15;
}

describe('weight pairing', () => {
  describe.each(['gpt2-tiny', 'llama-tiny'])('%s', (base) => {
    it.each(twinsOf(base))('pairs every weight with %s by graph position, same role and logical shape', async (twin) => {
      const [a, b] = [await load(base), await load(twin)];
      const pairs = pairWeights(a.weights, b.weights);
      expect(pairs).toHaveLength(a.weights.length);
      for (const pair of pairs) expect([pair.subject.role, pair.subject.rows, pair.subject.cols]).toEqual([pair.baseline.role, pair.baseline.rows, pair.baseline.cols]);
      // Different initializers, same keys: names play no part in the pairing.
      expect(pairs.some((p) => p.baseline.initializers[0] !== p.subject.initializers[0]) || twin.endsWith('-fp16')).toBe(true);
    });

    it.each(twinsOf(base))('reads weights of %s that are close to the fp32 base (dequantized, [out, in])', async (twin) => {
      const baseline = new Map(readWeights(await load(base)).map((w) => [w.key, w]));
      const subject = readWeights(await load(twin));
      expect(subject).toHaveLength(baseline.size);
      let worst = 0;
      for (const w of subject) {
        const ref = baseline.get(w.key)!;
        expect(w.data).toHaveLength(ref.rows * ref.cols);
        worst = Math.max(worst, relativeError(ref.data, w.data));
      }
      expect(worst).toBeLessThan(tolerance(twin));
      expect(worst).toBeGreaterThan(0);
    });
  });

  it('fails with E_WEIGHT_PAIRING listing unpaired keys for different architectures', async () => {
    const [gpt2, llama] = [await load('gpt2-tiny'), await load('llama-tiny')];
    expect(() => pairWeights(gpt2.weights, llama.weights)).toThrowError(
      expect.objectContaining({ code: 'E_WEIGHT_PAIRING', details: expect.objectContaining({ missing: expect.arrayContaining(['transformer.wte']), extra: expect.arrayContaining(['model.embed_tokens']) }) }),
    );
  });

  it('fails with E_WEIGHT_PAIRING when a paired weight changed shape', async () => {
    const a = (await load('gpt2-tiny')).weights;
    const b = a.map((w) => (w.key === 'transformer.h.0.mlp.c_fc' ? { ...w, rows: 192 } : w));
    expect(() => pairWeights(a, b)).toThrowError(expect.objectContaining({ code: 'E_WEIGHT_PAIRING', details: expect.objectContaining({ problems: ['transformer.h.0.mlp.c_fc: shape 384×96 in the baseline, 192×96 in the subject'] }) }));
  });
});

describe('readWeights', () => {
  it.each(listFixtureModels())('describes every weight of %s exactly as the onnx layer decodes it (shape, format, tensor, orientation)', async (name) => {
    const model = await load(name);
    for (const record of model.weights) {
      const node = model.graph.index.graphs[record.consumer.graphId]!.nodes[record.consumer.position]!;
      expect(node.name).toBe(record.consumer.node);
      const resolved = resolveWeight(model.graph.index, { node, slot: record.consumer.slot }, model.graph.store.source);
      expect([resolved.rows, resolved.cols, resolved.format, resolved.tensor.name, resolved.storedOrientation]).toEqual([record.rows, record.cols, record.format, record.initializers[0], record.storedOrientation]);
    }
  });

  it('returns PyTorch-orientation float32 records in model order, tied weights sharing one array when they share storage', async () => {
    const model = await load('gpt2-tiny');
    const weights = readWeights(model);
    expect(weights.map((w) => w.key)).toEqual(model.weights.map((w) => w.key));
    const cAttn = weights.find((w) => w.key === 'transformer.h.0.attn.c_attn')!;
    expect([cAttn.rows, cAttn.cols, cAttn.data.length]).toEqual([288, 96, 288 * 96]);
    const [embed, head] = [weights.find((w) => w.role === 'embed_tokens')!, weights.find((w) => w.role === 'lm_head')!];
    // Stored apart (wte + a transposed onnx::MatMul copy) yet equal, bit for bit, at the same [out, in] position.
    expect(Buffer.from(head.data.buffer).equals(Buffer.from(embed.data.buffer))).toBe(true);
    expect(head.tiedWith).toBe(embed.key);
  });

  it('reads only the keys asked for, and one at a time through iterateWeights', async () => {
    const model = await load('llama-tiny');
    const picked = readWeights(model, ['model.layers.2.mlp.down_proj', 'model.embed_tokens']);
    expect(picked.map((w: ModelWeight) => w.key)).toEqual(['model.embed_tokens', 'model.layers.2.mlp.down_proj']);
    const streamed = [...iterateWeights(model, ['model.layers.2.mlp.down_proj'])];
    expect(streamed[0]!.data).toEqual(picked[1]!.data);
    expect(() => readWeights(model, ['model.layers.9.mlp.down_proj'])).toThrowError(expect.objectContaining({ code: 'E_GRAPH_EDIT', details: { problems: ['model.layers.9.mlp.down_proj'] } }));
  });
});
