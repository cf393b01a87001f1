/**
 * Sessions from files (issue 12): the scorer builds a small graph whose weights stay on disk
 * (inline tensors referenced inside the .onnx file, external data in place, edited tensors in a
 * scratch data file beside copies of the rest). Its token log-probabilities must be bit-identical
 * to a session on the whole model's bytes held in memory (the previous path) — on inline, external
 * data, fp16, quantized, masked and edited models — so streaming changes no certified number.
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tensor } from 'onnxruntime-node';
import { graphFiles, loadModel, readWeights, sessionInput, weightReplacements, writeWeights, type LoadedModel } from '../../../src/adapters/index.js';
import { applyEdit, resolveQuantRtnConfig } from '../../../src/edits/index.js';
import { buildFeeds, createScorer, loadOrt, planScoringSurgery, SCORING_NAMES } from '../../../src/eval/index.js';
import { applyGraphSurgery, createDataSource, indexModel, listTensors, readTensorPayload, writeModel, writeModelFiles, writeSessionModel } from '../../../src/onnx/index.js';

const MODELS = fileURLToPath(new URL('../../fixtures/models/', import.meta.url));
const SEQ = 24;
const ROWS = 2;
const scratch = mkdtempSync(join(tmpdir(), 'invarlock-session-files-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Token ids and labels for two rows. */
function batch(vocab: number): { ids: Uint32Array; labels: BigInt64Array } {
  const ids = new Uint32Array(ROWS * SEQ).map((_, i) => (i * 7919 + 13) % vocab);
  const labels = new BigInt64Array(ROWS * SEQ).map((_, i) => BigInt((i * 104729 + 5) % vocab));
  return { ids, labels };
}

/** Head output of a session over `bytes` (with in-memory external data, or a folder). */
async function headOutput(model: LoadedModel, bytes: Uint8Array, session: { externalData?: readonly { path: string; data: Uint8Array }[]; folder?: string }): Promise<Float32Array> {
  const ort = await loadOrt();
  const s = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    ...(session.externalData === undefined ? {} : { externalData: session.externalData.map((e) => ({ path: e.path, data: e.data })) }),
    ...(session.folder === undefined ? {} : { extra: { session: { model_external_initializers_file_folder_path: session.folder } } }),
  });
  try {
    const vocab = model.tokenizer!.vocabSize;
    const { ids, labels } = batch(vocab);
    const feeds: Record<string, Tensor> = buildFeeds(ort, model.graph.io, { rows: ROWS, seqLen: SEQ, ids, labels });
    const out = await s.run(feeds, [SCORING_NAMES.tokenLogprobs]);
    return out[SCORING_NAMES.tokenLogprobs]!.data as Float32Array;
  } finally {
    await s.release();
  }
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/** gpt2-tiny rewritten with every initializer of 1 KiB or more in `model.onnx_data`. */
function externalCopy(): string {
  const dir = join(scratch, 'gpt2-tiny-external');
  const source = join(MODELS, 'gpt2-tiny');
  const index = indexModel(new Uint8Array(readFileSync(join(source, 'model.onnx'))), { source: 'gpt2-tiny' });
  const edits = listTensors(index)
    .filter((t) => t.origin.kind === 'initializer' && t.data.storage === 'raw' && t.data.end - t.data.start >= 1024)
    .map((t) => ({ kind: 'replace' as const, tensor: t, payload: readTensorPayload(index, t, createDataSource()), placement: 'external' as const }));
  const written = writeModel(index, edits, { externalDataLocation: 'model.onnx_data' });
  writeModelFiles(written, { directory: dir });
  for (const file of readdirSync(source)) if (file !== 'model.onnx') copyFileSync(join(source, file), join(dir, file));
  return dir;
}

describe('session graphs whose weights stay in files', () => {
  const cases: [string, () => string][] = [
    ['gpt2-tiny (inline)', () => join(MODELS, 'gpt2-tiny')],
    ['gpt2-tiny (external data)', externalCopy],
    ['gpt2-tiny-fp16', () => join(MODELS, 'gpt2-tiny-fp16')],
    ['gpt2-tiny-int4', () => join(MODELS, 'gpt2-tiny-int4')],
    ['llama-tiny-int8-qdq', () => join(MODELS, 'llama-tiny-int8-qdq')],
    ['bert-tiny (masked)', () => join(MODELS, 'bert-tiny')],
  ];
  for (const [name, dirOf] of cases) {
    it(`${name}: the same head output, bit for bit, as a session on the model's bytes in memory`, async () => {
      const model = await loadModel(dirOf());
      const surgery = planScoringSurgery(model.graph.index, model.graph.io, { head: 'token-logprobs' });
      const inMemory = await headOutput(model, applyGraphSurgery(model.graph.index, surgery).modelBytes, { externalData: sessionInput(model).externalData });
      const session = writeSessionModel(model.graph.index, { files: graphFiles(model.graph), surgery });
      // the session graph carries no weight bytes
      expect(session.bytes.length).toBeLessThan(Math.max(64 * 1024, model.graph.index.bytes.length / 4));
      expect(session.writtenBytes).toBe(0);
      const fromFiles = await headOutput(model, session.bytes, { folder: session.folder });
      expect(fromFiles.some(Number.isFinite)).toBe(true);
      expect(sameBits(fromFiles, inMemory)).toBe(true);
    }, 60_000);
  }

  for (const [name, dirOf] of [cases[0]!, cases[1]!]) {
    it(`${name}, 3-bit RTN: edited tensors in a scratch data file give the bytes-in-memory result bit for bit`, async () => {
      const model = await loadModel(dirOf());
      const edit = applyEdit({ name: 'quant_rtn', config: resolveQuantRtnConfig({ bits: 3, scope: 'ffn' }) }, readWeights(model));
      const written = writeWeights(model, edit.changed, { mode: 'copy' });
      const editedIndex = indexModel(written.bytes, { source: 'edited' });
      const surgery = planScoringSurgery(editedIndex, model.graph.io, { head: 'token-logprobs' });
      const inMemory = await headOutput(model, applyGraphSurgery(editedIndex, surgery).modelBytes, { externalData: written.externalData });
      const dir = mkdtempSync(join(scratch, 'edit-'));
      const replace = weightReplacements(model, edit.changed).main;
      const session = writeSessionModel(model.graph.index, { files: graphFiles(model.graph), surgery, replace, scratchDirectory: dir });
      expect(session.folder).toBe(dir);
      expect(session.writtenBytes).toBeGreaterThan(0);
      const fromFiles = await headOutput(model, session.bytes, { folder: session.folder });
      expect(sameBits(fromFiles, inMemory)).toBe(true);
      // and the scorer (which writes, loads and removes its own scratch folder) agrees with the raw session
      const scorer = await createScorer({ source: name, index: model.graph.index, io: model.graph.io, files: graphFiles(model.graph), replace }, { device: 'cpu', threads: 1, head: 'token-logprobs', scratchDir: scratch });
      try {
        const { ids } = batch(model.tokenizer!.vocabSize);
        const windows = [0, 1].map((r) => ({ id: `w${r}`, ids: ids.slice(r * SEQ, (r + 1) * SEQ), scoreFrom: 1, scoredCount: SEQ - 1 }));
        const losses = await scorer.scoreCausal(windows, { batchSize: 2 });
        expect(losses.loss.every(Number.isFinite)).toBe(true);
      } finally {
        await scorer.release();
      }
      expect(readdirSync(scratch).filter((f) => f.startsWith('invarlock-session-'))).toEqual([]);
    }, 60_000);
  }
});
