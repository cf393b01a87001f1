/**
 * The exporter-pattern fixtures (tests/fixtures/models/<name>/FIXTURE.json, written by
 * scripts/fixtures/make_export_fixtures.py) carry describe() ground truth for issue #11. These checks keep
 * that truth honest against the committed bytes: the model is the one the generator recorded, every
 * consumer node and stored initializer the truth names is in the graph, and layers and families agree.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexModel } from '../../../src/onnx/index.js';
import { MODELS_DIR } from '../helpers/fixtures.js';

interface TruthWeight {
  readonly key: string;
  readonly role: string;
  readonly family: string;
  readonly layer: number | null;
  readonly consumer: string;
  readonly op: string;
  readonly slot: number;
  readonly initializers: readonly string[];
}

interface FixtureTruth {
  readonly name: string;
  readonly model_file?: string;
  readonly model_sha256: string;
  readonly describe: { readonly n_layer: number; readonly weights: readonly TruthWeight[]; readonly weights_by_family: Readonly<Record<string, number>> };
}

const FAMILY: Readonly<Record<string, string>> = {
  embed_tokens: 'embed',
  embed_positions: 'embed',
  q: 'attn',
  k: 'attn',
  v: 'attn',
  o: 'attn',
  qkv: 'attn',
  up: 'ffn',
  gate: 'ffn',
  down: 'ffn',
  lm_head: 'other',
  norm: 'other',
  router: 'other',
  expert_up: 'experts',
  expert_gate: 'experts',
  expert_down: 'experts',
};

const fixtures: FixtureTruth[] = readdirSync(MODELS_DIR)
  .filter((name) => existsSync(join(MODELS_DIR, name, 'FIXTURE.json')))
  .map((name) => JSON.parse(readFileSync(join(MODELS_DIR, name, 'FIXTURE.json'), 'utf8')) as FixtureTruth)
  .filter((fx) => fx.describe?.weights !== undefined);

describe('exporter-pattern fixtures: describe() ground truth', () => {
  it('covers every pattern of issue #11', () => {
    const names = fixtures.map((f) => f.name);
    for (const name of ['gpt2-noscope', 'gpt2-dynamo', 'llama-dynamo', 'gpt2-fused', 'gpt2-ortopt', 'gpt2-mha', 'gpt2-biasgelu', 'ort-genai-tiny-random-gpt2', 'llama-genai', 'mixtral-tiny', 'unknown-arch']) {
      expect(names).toContain(name);
    }
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s: bytes, consumers, initializers, layers and families agree', (name, fx) => {
    const bytes = readFileSync(join(MODELS_DIR, name, fx.model_file ?? 'model.onnx'));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(fx.model_sha256);
    const graph = indexModel(bytes, { source: name }).graph;
    const nodes = new Map(graph.nodes.map((n) => [n.name, n]));
    const initializers = new Set(graph.initializers.map((t) => t.name));
    const layers = new Set<number>();
    const families: Record<string, number> = {};
    for (const w of fx.describe.weights) {
      const node = nodes.get(w.consumer);
      expect(node?.opType, `${w.key}: consumer ${w.consumer}`).toBe(w.op);
      expect(node!.inputs[w.slot], `${w.key}: input ${w.slot} of ${w.consumer}`).toBeTruthy();
      for (const init of w.initializers) expect(initializers.has(init), `${w.key}: initializer ${init}`).toBe(true);
      expect(w.family, w.key).toBe(FAMILY[w.role]);
      families[w.family] = (families[w.family] ?? 0) + 1;
      if (w.layer !== null) layers.add(w.layer);
    }
    expect(families).toEqual(fx.describe.weights_by_family);
    expect(layers.size).toBe(fx.describe.n_layer);
    expect(Math.max(...layers) + 1).toBe(fx.describe.n_layer);
  });
});
