/**
 * Issue #11 "Done when", describe() side: for every export-pattern fixture, the number of blocks and
 * the role, family and block of every weight describe() reports equal the ground truth the fixture
 * generator wrote (FIXTURE.json `describe`), and baseline and subject weights pair across exporters
 * (a TorchScript baseline against the scope-less, dynamo-named, onnxruntime-fused and
 * onnxruntime-optimized graphs of the same weights, and each pattern against its quantized twins).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeModel, loadModel, pairWeights, type ModelDescription } from '../../../src/adapters/index.js';
import { MODELS } from '../../core/runner/runner-fixtures.js';

interface GroundTruth {
  readonly n_layer: number;
  readonly interface: string;
  readonly weights_by_family: Readonly<Record<string, number>>;
  readonly weights: readonly { readonly key: string; readonly role: string; readonly family: string; readonly layer: number | null; readonly consumer: string; readonly slot: number }[];
}

const FIXTURES = [
  'gpt2-noscope',
  'gpt2-noscope-int8-qdq',
  'gpt2-noscope-int4',
  'gpt2-noscope-int2',
  'gpt2-dynamo',
  'gpt2-dynamo-int8-qdq',
  'gpt2-dynamo-int2',
  'llama-ts',
  'llama-dynamo',
  'llama-dynamo-int8-qdq',
  'llama-dynamo-int2',
  'llama-genai',
  'llama-genai-int8',
  'llama-genai-int4',
  'llama-genai-int2',
  'gpt2-fused',
  'gpt2-fused-int8-qdq',
  'gpt2-fused-int2',
  'gpt2-ortopt',
  'gpt2-mha',
  'gpt2-biasgelu',
  'ort-genai-tiny-random-gpt2',
  'mixtral-tiny',
  'mixtral-tiny-int8-qdq',
  'mixtral-tiny-int2',
  'unknown-arch',
  'unknown-arch-int8-qdq',
  'unknown-arch-int2',
] as const;

const cache = new Map<string, ModelDescription>();
async function describeFixture(name: string): Promise<ModelDescription> {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const dir = join(MODELS, name);
  const file = existsSync(join(dir, 'model.onnx')) ? 'model.onnx' : 'past.onnx';
  const described = describeModel(await loadModel({ dir, onnxFiles: [join(dir, file)] }, { tokenizer: 'optional' }));
  cache.set(name, described);
  return described;
}

function groundTruth(name: string): GroundTruth {
  return (JSON.parse(readFileSync(join(MODELS, name, 'FIXTURE.json'), 'utf8')) as { describe: GroundTruth }).describe;
}

describe.each(FIXTURES)('describe() of the %s fixture', (name) => {
  it('reports the blocks, and the role, family and block of every weight, as the fixture generator recorded them', async () => {
    const d = await describeFixture(name);
    const truth = groundTruth(name);
    expect(d.nLayer).toBe(truth.n_layer);
    const inferred = truth.interface === 'inferred';
    expect(d.interface.provenance).toBe(inferred ? 'inferred' : 'bundled');
    if (!inferred) expect(d.interface.origin).toBe(truth.interface);
    expect(d.interface.warnings.map((w) => w.code)).toEqual(inferred ? ['interface_inferred'] : []);
    const byFamily: Record<string, number> = {};
    for (const w of d.weights) byFamily[w.family] = (byFamily[w.family] ?? 0) + 1;
    expect(byFamily).toEqual(truth.weights_by_family);
    // Each weight by its consumer input: inferred keys name the place (layers.0.qkv), bundled ones the module path.
    const got = d.weights.map((w) => ({ consumer: w.consumer.node, slot: w.consumer.slot, role: w.role, family: w.family, layer: w.layer, ...(inferred ? {} : { key: w.key }) }));
    const want = truth.weights.map((w) => ({ consumer: w.consumer, slot: w.slot, role: w.role, family: w.family, layer: w.layer, ...(inferred ? {} : { key: w.key }) }));
    expect(got).toEqual(want);
  });
});

describe('weights pair across exporters and quantized twins', () => {
  it.each([
    ['gpt2-tiny', 'gpt2-noscope'],
    ['gpt2-tiny', 'gpt2-dynamo'],
    ['gpt2-tiny', 'gpt2-fused'],
    ['gpt2-tiny', 'gpt2-ortopt'],
    ['gpt2-tiny', 'gpt2-mha'],
    ['gpt2-fused', 'gpt2-mha'],
    ['gpt2-tiny', 'gpt2-biasgelu'],
    ['gpt2-tiny', 'gpt2-noscope-int4'],
    ['gpt2-noscope', 'gpt2-noscope-int8-qdq'],
    ['gpt2-noscope', 'gpt2-noscope-int4'],
    ['gpt2-noscope', 'gpt2-fused-int8-qdq'],
    ['gpt2-dynamo', 'gpt2-dynamo-int2'],
    ['gpt2-fused', 'gpt2-fused-int8-qdq'],
    ['llama-ts', 'llama-dynamo'],
    ['llama-ts', 'llama-genai'],
    ['llama-ts', 'llama-genai-int4'],
    ['llama-dynamo', 'llama-dynamo-int8-qdq'],
    ['llama-dynamo', 'llama-dynamo-int2'],
    ['llama-genai', 'llama-genai-int8'],
    ['llama-genai', 'llama-genai-int2'],
    ['mixtral-tiny', 'mixtral-tiny-int8-qdq'],
    ['mixtral-tiny', 'mixtral-tiny-int2'],
    ['unknown-arch', 'unknown-arch-int8-qdq'],
    ['unknown-arch', 'unknown-arch-int2'],
  ])('%s with %s: every weight paired, same role and shape, same structure hash', async (baseline, subject) => {
    const [base, subj] = [await describeFixture(baseline), await describeFixture(subject)];
    const pairs = pairWeights(base.weights, subj.weights);
    expect(pairs).toHaveLength(base.weights.length);
    expect(subj.structureHash).toBe(base.structureHash);
  });
});

describe('shared (deduplicated) tensors', () => {
  it('onnxruntime-genai fused GPT-2: one norm scale read by every layer is one tensor with a use per layer', async () => {
    const d = await describeFixture('ort-genai-tiny-random-gpt2');
    expect(d.sharedTensors).toEqual([
      {
        tensor: 'transformer.h.0.ln_1.weight',
        graph: 'main',
        keys: [...[0, 1, 2, 3, 4].flatMap((i) => [`transformer.h.${i}.ln_1`, `transformer.h.${i}.ln_2`]), 'transformer.ln_f'],
      },
    ]);
    // one stored tensor, counted once among the parameters
    const norms = d.weights.filter((w) => w.role === 'norm');
    expect(new Set(norms.map((w) => w.initializers[0]))).toEqual(new Set(['transformer.h.0.ln_1.weight']));
  });

  it('the dynamo GPT-2: the tied lm_head reads the embedding table itself (one tensor, two uses)', async () => {
    const d = await describeFixture('gpt2-dynamo');
    expect(d.sharedTensors).toEqual([{ tensor: 'transformer.wte.weight', graph: 'main', keys: ['transformer.wte', 'lm_head'] }]);
    expect(d.tiedEmbeddings).toBe(true);
  });
});
