import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isInvarlockError } from '../../src/errors/index.js';
import { buildModel, createDataSource, indexModel, readTensorTyped, resolveWeight, type GraphSpec } from '../../src/onnx/index.js';
import { ChunkWriter, concatChunks } from '../../src/onnx/chunk-writer.js';
import { thrown } from './ort-helpers.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const TORCH = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'torch-tiny.onnx')));
const TYPED = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'typed-storage.onnx')));
const MERGED = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'merged-if-external.onnx')));

/** A 1×1 PNG. */
const PNG = Uint8Array.from(
  Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e221bc330000000049454e44ae426082', 'hex'),
);

describe('indexModel rejects files that are not ONNX models', () => {
  it('rejects an empty file', () => {
    expect(thrown(() => indexModel(new Uint8Array(0), { source: 'empty.onnx' }))).toMatchObject({ code: 'E_MODEL_PARSE', details: { file: 'empty.onnx', offset: 0 } });
  });

  it('rejects a JSON file at its first byte', () => {
    const json = new TextEncoder().encode('{"architectures": ["GPT2LMHeadModel"]}');
    expect(thrown(() => indexModel(json, { source: 'config.json' }))).toMatchObject({ code: 'E_MODEL_PARSE', details: { file: 'config.json', offset: 0 } });
  });

  it('rejects PNG bytes', () => {
    expect(thrown(() => indexModel(PNG, { source: 'logo.png' }))).toMatchObject({ code: 'E_MODEL_PARSE', details: { file: 'logo.png', offset: expect.any(Number) } });
  });

  it('rejects a Git LFS pointer', () => {
    const pointer = new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12345\n');
    expect(thrown(() => indexModel(pointer, { source: 'model.onnx' }))).toMatchObject({ code: 'E_MODEL_PARSE', details: { file: 'model.onnx' } });
  });

  it('rejects a protobuf without a graph, and one without ir_version', () => {
    const noGraph = concatChunks(new ChunkWriter().varintField(1, 8).stringField(2, 'x').finish());
    expect(thrown(() => indexModel(noGraph, { source: 'a.onnx' }))).toMatchObject({ code: 'E_MODEL_PARSE', details: { file: 'a.onnx', field: 'ModelProto.graph' } });
    const noIr = concatChunks(new ChunkWriter().messageField(7, new ChunkWriter().stringField(2, 'g')).finish());
    expect(thrown(() => indexModel(noIr, { source: 'b.onnx' }))).toMatchObject({ code: 'E_MODEL_PARSE', details: { file: 'b.onnx', field: 'ModelProto.ir_version' } });
  });

  it('reports a truncated file as E_MODEL_TRUNCATED with the offset of the cut field', () => {
    const cut = TORCH.subarray(0, 1500);
    expect(thrown(() => indexModel(cut, { source: 'cut.onnx' }))).toMatchObject({ code: 'E_MODEL_TRUNCATED', details: { file: 'cut.onnx', offset: expect.any(Number), field: 'ModelProto.graph' } });
  });

  it('rejects negative dims', () => {
    const tensor = new ChunkWriter().varintField(1, -2).varintField(2, 1).stringField(8, 'w');
    const graph = new ChunkWriter().messageField(5, tensor);
    const bytes = concatChunks(new ChunkWriter().varintField(1, 8).messageField(7, graph).finish());
    expect(thrown(() => indexModel(bytes, { source: 'neg.onnx' }))).toMatchObject({ code: 'E_MODEL_PARSE', details: { file: 'neg.onnx', field: 'ModelProto.graph.initializer[0].dims' } });
  });

  it('refuses subgraphs nested deeper than 32 levels instead of overflowing the stack', () => {
    let graph: GraphSpec = { nodes: [], outputs: [] };
    for (let depth = 0; depth < 40; depth++) {
      graph = { nodes: [{ opType: 'If', inputs: ['c'], outputs: [], attributes: [{ name: 'then_branch', kind: 'graph', graph }] }], outputs: [] };
    }
    expect(thrown(() => indexModel(buildModel({ graph }).modelBytes, { source: 'deep.onnx' }))).toMatchObject({ code: 'E_MODEL_PARSE', details: { file: 'deep.onnx' } });
  });
});

/** Indexes, then reads every tensor and resolves every weight; only InvarlockErrors may escape. */
function exercise(bytes: Uint8Array): 'ok' | 'error' {
  try {
    const index = indexModel(bytes, { source: 'fuzz.onnx' });
    const source = createDataSource({ files: [{ path: 'merged-if-external.onnx_data', data: new Uint8Array(288) }] });
    for (const graph of index.graphs) {
      for (const tensor of graph.initializers) {
        try {
          readTensorTyped(index, tensor, source);
        } catch (error) {
          if (!isInvarlockError(error)) throw error;
        }
      }
      for (const node of graph.nodes) {
        for (let slot = 0; slot < node.inputs.length; slot++) {
          try {
            resolveWeight(index, { node, slot }, source);
          } catch (error) {
            if (!isInvarlockError(error)) throw error;
          }
        }
      }
    }
    return 'ok';
  } catch (error) {
    if (isInvarlockError(error) && (error.code === 'E_MODEL_PARSE' || error.code === 'E_MODEL_TRUNCATED')) return 'error';
    throw error;
  }
}

describe('indexModel on damaged models (property tests)', () => {
  const models = [TORCH, TYPED, MERGED];

  it('only succeeds or throws E_MODEL_PARSE / E_MODEL_TRUNCATED for any truncation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: models.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (m, fraction) => {
        const model = models[m]!;
        const cut = Math.floor(fraction * model.length);
        expect(['ok', 'error']).toContain(exercise(model.subarray(0, cut)));
      }),
      { seed: 20240611, numRuns: 200 },
    );
  });

  it('only succeeds or throws InvarlockError for random bit flips, and reading what it indexed never throws anything else', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: models.length - 1 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }),
        (m, flips) => {
          const bytes = models[m]!.slice();
          for (const [where, bit] of flips) bytes[Math.floor(where * bytes.length)]! ^= 1 << bit;
          expect(['ok', 'error']).toContain(exercise(bytes));
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it('never throws a foreign error on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 512 }), (bytes) => {
        expect(['ok', 'error']).toContain(exercise(bytes));
      }),
      { seed: 99, numRuns: 200 },
    );
  });
});
