import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { graphFiles, loadModel, sessionInput, type LoadedModel } from '../../../src/adapters/index.js';
import { applyGraphSurgery } from '../../../src/onnx/index.js';
import {
  autoBatchSize,
  buildFeeds,
  createScorer,
  loadOrt,
  planScoringSurgery,
  SCORING_NAMES,
} from '../../../src/eval/index.js';

const MODELS = fileURLToPath(new URL('../../fixtures/models/', import.meta.url));
const CAUSAL = ['gpt2-tiny', 'gpt2-tiny-fp16', 'gpt2-tiny-int8-qdq', 'gpt2-tiny-int8-dynamic', 'gpt2-tiny-int4', 'llama-tiny', 'llama-tiny-fp16', 'llama-tiny-int8-qdq', 'llama-tiny-int8-dynamic', 'llama-tiny-int4'].filter((m) =>
  existsSync(`${MODELS}${m}/model.onnx`),
);
const SEQ = 24;
const ROWS = 2;

/** Two deterministic sequences of in-vocabulary ids. */
function sequences(vocab: number): Uint32Array {
  const ids = new Uint32Array(ROWS * SEQ);
  for (let i = 0; i < ids.length; i++) ids[i] = (i * 7919 + 13) % vocab;
  return ids;
}

/** log-softmax of one row of logits, in float64. */
function logSoftmax(row: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]!);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i]! - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(row.length);
  for (let i = 0; i < row.length; i++) out[i] = row[i]! - lse;
  return out;
}

/**
 * A CPU session with graph optimisations off: with them on, onnxruntime may fold an fp16 model's
 * Cast(fp16) → Cast(fp32) pair in front of the head and score on unrounded logits (more precise than
 * the model's own fp16 output), which would make the comparison test the optimiser, not the head.
 */
async function plainSession(bytes: Uint8Array, externalData: readonly { path: string; data: Uint8Array }[]) {
  const ort = await loadOrt();
  return ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled', intraOpNumThreads: 1, externalData: [...externalData] });
}

async function rawLogits(model: LoadedModel, ids: Uint32Array): Promise<{ data: Float64Array; vocab: number }> {
  const ort = await loadOrt();
  const input = sessionInput(model);
  const session = await plainSession(input.bytes, input.externalData);
  const feeds = buildFeeds(ort, model.graph.io, { rows: ROWS, seqLen: SEQ, ids, labels: null });
  const out = await session.run(feeds, [model.graph.io.logits.name]);
  const tensor = out[model.graph.io.logits.name]!;
  const vocab = tensor.dims[2]!;
  const raw = tensor.data as Float32Array | Uint16Array;
  const { float16BitsToFloat32 } = await import('../../../src/onnx/index.js');
  const floats = tensor.type === 'float16' ? float16BitsToFloat32(raw as Uint16Array) : (raw as Float32Array);
  await session.release();
  return { data: Float64Array.from(floats), vocab };
}

describe('the on-device loss head', () => {
  for (const name of CAUSAL) {
    it(`matches a float64 JavaScript log-softmax over full logits to 1e-5 per token (${name})`, async () => {
      const model = await loadModel(`${MODELS}${name}`);
      const vocab = model.tokenizer!.vocabSize;
      const ids = sequences(vocab);
      const labels = new BigInt64Array(ROWS * SEQ);
      for (let r = 0; r < ROWS; r++) for (let t = 0; t + 1 < SEQ; t++) labels[r * SEQ + t] = BigInt(ids[r * SEQ + t + 1]!);

      // the fast path: the scoring graph hands back only [batch, seq] log-probabilities
      const ort = await loadOrt();
      // fp16 logits: also fetch the float32 logits the head computes from. onnxruntime's CPU provider runs
      // fp16 MatMuls in float32 and drops a Cast(fp16)→Cast(fp32) pair, so the head sees unrounded logits.
      const isFp16 = model.graph.io.logits.elemType === 'float16';
      const f32 = 'invarlock_head_logits_f32';
      const written = applyGraphSurgery(model.graph.index, planScoringSurgery(model.graph.index, model.graph.io, { head: 'token-logprobs', taps: isFp16 ? [f32] : [] }));
      const input = sessionInput(model);
      const session = await plainSession(written.modelBytes, input.externalData);
      const out = await session.run(buildFeeds(ort, model.graph.io, { rows: ROWS, seqLen: SEQ, ids, labels }), [SCORING_NAMES.tokenLogprobs, ...(isFp16 ? [f32] : [])]);
      const head = out[SCORING_NAMES.tokenLogprobs]!;
      expect(head.dims).toEqual([ROWS, SEQ]);
      expect(head.type).toBe('float32');
      await session.release();

      const worstAgainst = (logits: Float64Array, V: number): number => {
        let worst = 0;
        for (let r = 0; r < ROWS; r++) {
          for (let t = 0; t + 1 < SEQ; t++) {
            const lp = logSoftmax(logits.subarray((r * SEQ + t) * V, (r * SEQ + t + 1) * V));
            worst = Math.max(worst, Math.abs((head.data as Float32Array)[r * SEQ + t]! - lp[ids[r * SEQ + t + 1]!]!));
          }
        }
        return worst;
      };
      const raw = await rawLogits(model, ids);
      if (isFp16) {
        const f32Logits = Float64Array.from(out[f32]!.data as Float32Array);
        expect(worstAgainst(f32Logits, raw.vocab)).toBeLessThanOrEqual(1e-5);
        // the model's own fp16 output differs only by its rounding (half an fp16 ulp of the logits)
        expect(worstAgainst(raw.data, raw.vocab)).toBeLessThanOrEqual(4e-3);
      } else {
        expect(worstAgainst(raw.data, raw.vocab)).toBeLessThanOrEqual(1e-5);
      }
    });
  }

  it('gives the scorer the same window losses as the JavaScript reference (gpt2-tiny)', async () => {
    const model = await loadModel(`${MODELS}gpt2-tiny`);
    const ids = sequences(model.tokenizer!.vocabSize);
    const scorer = await createScorer({ source: 'gpt2-tiny', index: model.graph.index, io: model.graph.io, files: graphFiles(model.graph) }, { device: 'cpu', threads: 1, head: 'token-logprobs' });
    const windows = [0, 1].map((r) => ({ id: `w${r}`, ids: ids.slice(r * SEQ, (r + 1) * SEQ), scoreFrom: 1, scoredCount: SEQ - 1 }));
    const losses = await scorer.scoreCausal(windows, { batchSize: 1 });
    await scorer.release();
    const { data: logits, vocab: V } = await rawLogits(model, ids);
    for (let r = 0; r < ROWS; r++) {
      let nll = 0;
      for (let t = 0; t + 1 < SEQ; t++) nll -= logSoftmax(logits.subarray((r * SEQ + t) * V, (r * SEQ + t + 1) * V))[ids[r * SEQ + t + 1]!]!;
      expect(losses.loss[r]).toBeCloseTo(nll / (SEQ - 1), 5);
      expect(losses.weight[r]).toBe(SEQ - 1);
    }
  });

  it('sizes automatic batches to keep logits within the budget', () => {
    expect(autoBatchSize(128, 50257)).toBe(5);
    expect(autoBatchSize(128, 1024)).toBe(32);
    expect(autoBatchSize(4096, 151936)).toBe(1);
  });
});
