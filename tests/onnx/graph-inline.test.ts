import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/adapters/index.js';
import { buildFeeds } from '../../src/eval/scoring/build-feeds.js';
import { getGraphLookup, indexModel, inlineIfBranch, scoredBranchOf } from '../../src/onnx/index.js';
import { floats, runModel } from './ort-helpers.js';

const T5 = join(import.meta.dirname, '../fixtures/models/t5-tiny');

describe('inlineIfBranch (a merged decoder scored as the branch it takes)', () => {
  it('picks else_branch for use_cache_branch = false and then_branch for true', () => {
    const index = indexModel(readFileSync(join(T5, 'decoder_model_merged.onnx')), { source: 'decoder_model_merged.onnx' });
    const off = scoredBranchOf(index, 'use_cache_branch', false);
    const on = scoredBranchOf(index, 'use_cache_branch', true);
    expect(off?.attribute).toBe('else_branch');
    expect(on?.attribute).toBe('then_branch');
    expect(off?.branch.id).not.toBe(on?.branch.id);
    expect(scoredBranchOf(index, 'input_ids', false)).toBeNull();
  });

  it('gives the If graph’s logits bit for bit, with the branch values now main-graph values', async () => {
    const model = await loadModel(T5);
    const index = model.graph.index;
    const scored = scoredBranchOf(index, 'use_cache_branch', false)!;
    const inlined = indexModel(inlineIfBranch(index, scored.node.name, scored.attribute), { source: 'inlined' });
    expect(inlined.graph.nodes.some((n) => n.opType === 'If')).toBe(false);
    expect(inlined.graph.nodes).toHaveLength(scored.branch.nodes.length);
    // a value computed inside the branch is defined in the main graph after inlining
    const inner = scored.branch.nodes[Math.floor(scored.branch.nodes.length / 2)]!.outputs[0]!;
    expect(getGraphLookup(index).isDefined(inner, 0)).toBe(false);
    expect(getGraphLookup(inlined).isDefined(inner, 0)).toBe(true);

    const rows = 2;
    const seqLen = 5;
    const sourceLen = 7;
    const hiddenSize = JSON.parse(readFileSync(join(T5, 'config.json'), 'utf8')).d_model as number;
    const hidden = new Float32Array(rows * sourceLen * hiddenSize).map((_, i) => Math.sin(i * 0.37));
    const feeds = buildFeeds(ort, model.graph.io, {
      rows,
      seqLen,
      ids: Uint32Array.from({ length: rows * seqLen }, (_, i) => (i * 7 + 3) % 50),
      labels: null,
      encoder: { hidden: new ort.Tensor('float32', hidden, [rows, sourceLen, hiddenSize]), mask: new Float64Array(rows * sourceLen).fill(1), sourceLen },
    });
    const before = await runModel(index.bytes, feeds);
    const after = await runModel(inlined.bytes, feeds);
    expect(Array.from(floats(after.logits))).toEqual(Array.from(floats(before.logits)));
  });
});
