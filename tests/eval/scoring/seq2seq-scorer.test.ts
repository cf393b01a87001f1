/**
 * Teacher-forced seq2seq scoring on the trained fixtures: the encoder session feeds the decoder (loss
 * head appended), padded batches give each example's loss as scoring it alone does, both decoder
 * layouts (merged with use_cache_branch = false, plain decoder_model) are fed, and a decoder is
 * refused without its encoder.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphFiles, loadModel, type LoadedModel } from '../../../src/adapters/index.js';
import { createScorer, type ScoringModel, type Seq2seqSequence } from '../../../src/eval/index.js';

const MODELS = join(import.meta.dirname, '../../fixtures/models');

function scoringModel(model: LoadedModel): ScoringModel {
  const encoder = model.encoder!;
  return { source: model.dir, index: model.graph.index, io: model.graph.io, files: graphFiles(model.graph), encoder: { source: encoder.path, index: encoder.index, io: encoder.io, files: graphFiles(encoder) } };
}

/** Examples of different source and target lengths: `<s>`/`</s>`-free ids are fine for scoring. */
function examples(start: number): Seq2seqSequence[] {
  return Array.from({ length: 6 }, (_, i) => {
    const labels = Uint32Array.from({ length: 3 + i }, (_, k) => 20 + ((i * 7 + k * 13) % 400));
    return {
      id: `x${i}`,
      sourceIds: Uint32Array.from({ length: 5 + 3 * i }, (_, k) => 20 + ((i * 11 + k * 17) % 400)),
      decoderIds: Uint32Array.from([start, ...labels.slice(0, -1)]),
      labels,
    };
  });
}

describe.each([
  ['t5-tiny', 0, 0],
  ['bart-tiny', 2, 1],
])('%s', (name, start, padId) => {
  it('scores padded batches like single examples, weight = label count', async () => {
    const model = await loadModel(join(MODELS, name));
    const scorer = await createScorer(scoringModel(model), { device: 'cpu', threads: 1, head: 'token-logprobs' });
    try {
      const xs = examples(start);
      const alone = await scorer.scoreSeq2seq(xs, { batchSize: 1, padId });
      const padded = await scorer.scoreSeq2seq(xs, { batchSize: 4, padId });
      expect(padded.ids).toEqual(xs.map((x) => x.id));
      expect(Array.from(padded.weight)).toEqual(xs.map((x) => x.labels.length));
      for (let i = 0; i < xs.length; i++) expect(padded.loss[i]).toBeCloseTo(alone.loss[i]!, 4);
      for (const l of alone.loss) expect(l).toBeGreaterThan(0);
    } finally {
      await scorer.release();
    }
  });
});

it('refuses a seq2seq decoder without its encoder', async () => {
  const model = await loadModel(join(MODELS, 't5-tiny'));
  await expect(createScorer({ ...scoringModel(model), encoder: null }, { device: 'cpu', threads: 1, head: 'token-logprobs' })).rejects.toMatchObject({ code: 'E_ADAPTER_IO' });
});
