/** The calibration's harmful model writers (bench/calibration/materialise.ts) on gpt2-tiny. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNoisyModel, writeScaledBlock, writeZeroedBlock } from '../../bench/calibration/index.js';
import { loadModel, readWeights, type ModelWeight } from '../../src/adapters/index.js';

const GPT2 = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/models/gpt2-tiny');
const tmp = mkdtempSync(join(tmpdir(), 'invarlock-calibration-materialise-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function weightsOf(dir: string): Promise<Map<string, ModelWeight>> {
  return new Map(readWeights(await loadModel(dir)).map((w) => [w.key, w]));
}

/** Element-wise equality (vitest's deep equality walks large typed arrays slowly). */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe('materialised harmful subjects', () => {
  it('scales exactly the linear weights of the chosen block and keeps the side files', async () => {
    const written = await writeScaledBlock(GPT2, join(tmp, 'scaled'), 1, 1.5);
    expect(written.modules).toEqual(['transformer.h.1.attn.c_attn', 'transformer.h.1.attn.c_proj', 'transformer.h.1.mlp.c_fc', 'transformer.h.1.mlp.c_proj']);
    const base = await weightsOf(GPT2);
    const scaled = await weightsOf(written.dir);
    for (const [key, w] of base) {
      const s = scaled.get(key)!;
      const factor = written.modules.includes(key) ? 1.5 : 1;
      expect(s.data.every((v, i) => v === Math.fround(w.data[i]! * factor)), key).toBe(true);
    }
    expect(readFileSync(join(written.dir, 'tokenizer.json')).equals(readFileSync(join(GPT2, 'tokenizer.json')))).toBe(true);
  });

  it('zeroes the linear weights of the block, norms untouched', async () => {
    const written = await writeZeroedBlock(GPT2, join(tmp, 'zeroed'), 0);
    const zeroed = await weightsOf(written.dir);
    expect(zeroed.get('transformer.h.0.mlp.c_fc')!.data.every((v) => v === 0)).toBe(true);
    expect(zeroed.get('transformer.h.0.ln_1')!.data.some((v) => v !== 0)).toBe(true);
  });

  it('adds noise of 10 % of each matrix std, the same bytes for the same seed, tied weights still tied', async () => {
    const a = await writeNoisyModel(GPT2, join(tmp, 'noise-a'), 0.1, 9001);
    const b = await writeNoisyModel(GPT2, join(tmp, 'noise-b'), 0.1, 9001);
    const c = await writeNoisyModel(GPT2, join(tmp, 'noise-c'), 0.1, 9002);
    const bytes = (m: { dir: string }) => readFileSync(join(m.dir, 'model.onnx'));
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(bytes(a).equals(bytes(c))).toBe(false);
    const base = await weightsOf(GPT2);
    const noisy = await weightsOf(a.dir);
    const w = base.get('transformer.h.2.mlp.c_fc')!;
    const n = noisy.get('transformer.h.2.mlp.c_fc')!;
    const std = (xs: ArrayLike<number>): number => {
      let s = 0;
      let q = 0;
      for (let i = 0; i < xs.length; i++) {
        s += xs[i]!;
        q += xs[i]! * xs[i]!;
      }
      return Math.sqrt(q / xs.length - (s / xs.length) ** 2);
    };
    const diff = Float64Array.from(n.data, (v, i) => v - w.data[i]!);
    expect(std(diff) / std(w.data)).toBeGreaterThan(0.095);
    expect(std(diff) / std(w.data)).toBeLessThan(0.105);
    expect(sameValues(noisy.get('lm_head')!.data, noisy.get('transformer.wte')!.data)).toBe(true);
    expect(sameValues(noisy.get('transformer.h.2.ln_2')!.data, base.get('transformer.h.2.ln_2')!.data)).toBe(true);
    expect(sameValues(noisy.get('transformer.wte')!.data, base.get('transformer.wte')!.data)).toBe(false);
  });
});
