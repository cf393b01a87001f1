import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/adapters/index.js';
import { activationTapsOf } from '../../../src/core/runner/activation-taps.js';
import { MODELS } from './runner-fixtures.js';

describe('activationTapsOf', () => {
  it('taps float values in a dynamic-int8 twin: the dequantized embedding and the rescaled integer matmuls', async () => {
    const model = await loadModel(`${MODELS}/llama-tiny-int8-dynamic`);
    const taps = activationTapsOf(model);
    const producers = new Map(model.graph.index.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n.opType] as const)));
    expect(taps.length).toBeGreaterThan(0);
    // a quantized embedding gathers uint8: its tap must be the DequantizeLinear after the Gather
    const embed = taps.find((t) => t.key.includes('embed_tokens'))!;
    expect(producers.get(embed.value)).toBe('DequantizeLinear');
    for (const tap of taps) expect(['Gather', 'MatMulInteger', 'Cast']).not.toContain(producers.get(tap.value));
  });

  it('pairs with the float baseline: same keys, one tap per mapped module', async () => {
    const base = activationTapsOf(await loadModel(`${MODELS}/llama-tiny`));
    const twin = activationTapsOf(await loadModel(`${MODELS}/llama-tiny-int8-dynamic`));
    expect(twin.map((t) => t.key).sort()).toEqual(base.map((t) => t.key).sort());
  });
});
