/**
 * Structural inference of a mixture-of-experts block (issue #11 §3): with no interface at all, the
 * mixtral-tiny graph's router (the small [n_experts, hidden] matrix whose output goes to Softmax/TopK)
 * is `router` and the many same-shaped matrices beside it are each expert's gate/up/down, keyed by
 * expert — the same roles, blocks and expert order the bundled mixtral interface gives from the names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel, indexModel } from '../../../src/onnx/index.js';
import { mapModelWeights } from '../../../src/adapters/index.js';
import { inferWeights } from '../../../src/adapters/weights/resolve-weights.js';
import { MODELS } from '../../core/runner/runner-fixtures.js';

/** The fields of a FIXTURE.json `describe.weights` entry this test reads. */
type TruthWeight = Readonly<Record<'key' | 'role' | 'family' | 'consumer', string> & { layer: number | null }>;

describe('structural inference of mixture-of-experts blocks', () => {
  for (const name of ['mixtral-tiny', 'mixtral-tiny-int8-qdq', 'mixtral-tiny-int2']) {
    it(`${name}: router and experts by structure equal the named truth, expert by expert`, () => {
      const index = indexModel(readFileSync(join(MODELS, name, 'model.onnx')), { source: name });
      const inferred = inferWeights([{ role: 'main', index }]);
      const truth = (JSON.parse(readFileSync(join(MODELS, name, 'FIXTURE.json'), 'utf8')) as { describe: { weights: TruthWeight[] } }).describe.weights;
      expect(inferred.map((w) => ({ consumer: w.consumer.node, role: w.role, family: w.family, layer: w.layer }))).toEqual(
        truth.map((w) => ({ consumer: w.consumer, role: w.role, family: w.family, layer: w.layer })),
      );
      // The inferred key carries the expert index the name has (`…experts.2.w3` → `layers.0.experts.2.expert_up`).
      for (const w of inferred.filter((r) => r.family === 'experts')) {
        const expert = /experts\.(\d+)\./.exec(truth.find((t) => t.consumer === w.consumer.node)!.key)![1];
        expect(w.key).toBe(`layers.${w.layer}.experts.${expert}.${w.role}`);
      }
      expect(inferred.filter((w) => w.role === 'router').map((w) => [w.rows, w.cols])).toEqual([
        [4, 64],
        [4, 64],
      ]);
    });
  }
});

describe('onnxruntime MoE / QMoE contrib ops', () => {
  it('are named in an interface_incomplete warning: their 3-D expert tensors are not read, so nothing guards them', () => {
    const [E, H, I] = [4, 8, 16];
    const f32 = (name: string, dims: number[]) => ({ name, dataType: 'FLOAT' as const, dims, values: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.01) });
    const bytes = buildModel({
      opsetImports: [
        { domain: '', version: 17 },
        { domain: 'com.microsoft', version: 1 },
      ],
      graph: {
        nodes: [
          { opType: 'Gather', name: '/model/embed_tokens/Gather', inputs: ['model.embed_tokens.weight', 'input_ids'], outputs: ['h'] },
          { opType: 'MatMul', name: '/model/layers.0/block_sparse_moe/gate/MatMul', inputs: ['h', 'router'], outputs: ['probs'] },
          { opType: 'MoE', domain: 'com.microsoft', name: '/model/layers.0/block_sparse_moe/MoE', inputs: ['h', 'probs', 'fc1', '', 'fc2'], outputs: ['logits'], attributes: [{ name: 'k', kind: 'int', value: 2 }] },
        ],
        initializers: [f32('model.embed_tokens.weight', [32, H]), f32('router', [H, E]), f32('fc1', [E, 2 * I, H]), f32('fc2', [E, H, I])],
        inputs: [{ name: 'input_ids', elemType: 'INT64', shape: ['batch', 'seq'] }],
        outputs: [{ name: 'logits', elemType: 'FLOAT', shape: ['batch', 'seq', H] }],
      },
    }).modelBytes;
    const mapped = mapModelWeights([{ role: 'main', index: indexModel(bytes, { source: 'moe.onnx' }) }], { modelType: 'mixtral_contrib' });
    expect(mapped.warnings.filter((w) => w.code === 'interface_incomplete').map((w) => w.message)).toContain(
      "MoE node '/model/layers.0/block_sparse_moe/MoE': its experts (fc1, fc2) are 3-D tensors invarlock does not read; no guard measures them and no edit reaches them",
    );
    expect(mapped.weights.some((w) => w.family === 'experts')).toBe(false);
  });
});
