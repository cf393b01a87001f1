import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildModel,
  createDataSource,
  denseWeightEdit,
  describeWeight,
  writeModel,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  indexModel,
  openModelFile,
  resolveWeight,
  type GraphSpec,
  type NodeSpec,
  type TensorSpec,
} from '../../src/onnx/index.js';
import { floats, identity, maxAbsDiff, runModel, thrown, transposed } from './ort-helpers.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const W = [1, 2, 3, 4, 5, 6]; // [2, 3] row-major

function single(node: NodeSpec, initializers: readonly TensorSpec[], k: number, n: number, extraNodes: readonly NodeSpec[] = []): Uint8Array {
  const graph: GraphSpec = {
    nodes: [...extraNodes, node],
    initializers,
    inputs: [{ name: 'a', elemType: 'FLOAT', shape: [k, k] }],
    outputs: [{ name: 'y', elemType: 'FLOAT', shape: [k, n] }],
  };
  return buildModel({ graph }).modelBytes;
}

describe('resolveWeight orientation', () => {
  it('transposes a MatMul B [in, out] into [out, in] and agrees with onnxruntime', async () => {
    const bytes = single({ name: 'mm', opType: 'MatMul', inputs: ['a', 'w'], outputs: ['y'] }, [{ name: 'w', dataType: 'FLOAT', dims: [2, 3], values: W }], 2, 3);
    const weight = resolveWeight(indexModel(bytes), { node: 'mm', slot: 1 }, createDataSource());
    expect(weight).toMatchObject({ format: 'fp32', rows: 3, cols: 2, storedOrientation: 'in-out', storedDims: [2, 3], quantization: undefined });
    expect(Array.from(weight.data)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(maxAbsDiff(transposed(weight.data, 3, 2), floats((await runModel(bytes, { a: identity(2) })).y))).toBe(0);
  });

  it('keeps a Gemm B with transB = 1 as stored [out, in]', async () => {
    const node: NodeSpec = { name: 'gemm', opType: 'Gemm', inputs: ['a', 'w'], outputs: ['y'], attributes: [{ name: 'transB', kind: 'int', value: 1 }] };
    const bytes = single(node, [{ name: 'w', dataType: 'FLOAT', dims: [3, 2], values: W }], 2, 3);
    const weight = resolveWeight(indexModel(bytes), { node: 'gemm', slot: 1 }, createDataSource());
    expect(weight).toMatchObject({ rows: 3, cols: 2, storedOrientation: 'out-in' });
    expect(Array.from(weight.data)).toEqual(W);
    expect(maxAbsDiff(transposed(weight.data, 3, 2), floats((await runModel(bytes, { a: identity(2) })).y))).toBe(0);
  });

  it('transposes a Gemm B with transB = 0', () => {
    const bytes = single({ name: 'gemm', opType: 'Gemm', inputs: ['a', 'w'], outputs: ['y'] }, [{ name: 'w', dataType: 'FLOAT', dims: [2, 3], values: W }], 2, 3);
    const weight = resolveWeight(indexModel(bytes), { node: 'gemm', slot: 1 }, createDataSource());
    expect(weight).toMatchObject({ rows: 3, cols: 2, storedOrientation: 'in-out' });
    expect(Array.from(weight.data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('follows a 2-D Transpose between the initializer and a MatMul (stored [out, in])', async () => {
    const bytes = single({ name: 'mm', opType: 'MatMul', inputs: ['a', 'wt'], outputs: ['y'] }, [{ name: 'w', dataType: 'FLOAT', dims: [3, 2], values: W }], 2, 3, [
      { name: 't', opType: 'Transpose', inputs: ['w'], outputs: ['wt'], attributes: [{ name: 'perm', kind: 'ints', values: [1, 0] }] },
    ]);
    const weight = resolveWeight(indexModel(bytes), { node: 'mm', slot: 1 }, createDataSource());
    expect(weight).toMatchObject({ rows: 3, cols: 2, storedOrientation: 'out-in', storedDims: [3, 2] });
    expect(weight.path.map((n) => n.opType)).toEqual(['Transpose']);
    expect(Array.from(weight.data)).toEqual(W);
    expect(maxAbsDiff(transposed(weight.data, 3, 2), floats((await runModel(bytes, { a: identity(2) })).y))).toBe(0);
  });

  it('reads float16 weights behind a Cast and bfloat16 weights as stored', () => {
    const values = [0.5, -1.25, 3, 1e-3, 65504, -2];
    const fp16 = single({ name: 'mm', opType: 'MatMul', inputs: ['a', 'w32'], outputs: ['y'] }, [{ name: 'w', dataType: 'FLOAT16', dims: [2, 3], values: float32ToFloat16Bits(values) }], 2, 3, [
      { name: 'cast', opType: 'Cast', inputs: ['w'], outputs: ['w32'], attributes: [{ name: 'to', kind: 'int', value: 1 }] },
    ]);
    const half = resolveWeight(indexModel(fp16), { node: 'mm', slot: 1 }, createDataSource());
    expect(half.format).toBe('fp16');
    expect(half.data[0]).toBe(0.5);
    expect(half.data[1]).toBeCloseTo(1e-3, 6);
    const bf16 = buildModel({
      graph: {
        nodes: [{ name: 'ln', opType: 'LayerNormalization', inputs: ['x', 'scale'], outputs: ['y'] }],
        initializers: [{ name: 'scale', dataType: 'BFLOAT16', dims: [6], values: float32ToBfloat16Bits(values) }],
        inputs: [{ name: 'x', elemType: 'BFLOAT16', shape: [1, 6] }],
        outputs: [{ name: 'y', elemType: 'BFLOAT16', shape: [1, 6] }],
      },
    }).modelBytes;
    const norm = resolveWeight(indexModel(bf16), { node: 'ln', slot: 1 }, createDataSource());
    expect(norm).toMatchObject({ format: 'bf16', rows: 1, cols: 6, storedOrientation: 'out-in' });
    expect(Array.from(norm.data)).toEqual([0.5, -1.25, 3, 0.00099945068359375, 65536, -2]);
  });

  it('reads embeddings as stored [vocab, hidden] and Constant-node weights', () => {
    const bytes = buildModel({
      graph: {
        nodes: [
          { name: 'c', opType: 'Constant', inputs: [], outputs: ['table'], attributes: [{ name: 'value', kind: 'tensor', tensor: { name: 'tv', dataType: 'FLOAT', dims: [3, 2], values: W } }] },
          { name: 'emb', opType: 'Gather', inputs: ['table', 'ids'], outputs: ['y'] },
        ],
        inputs: [{ name: 'ids', elemType: 'INT64', shape: [4] }],
        outputs: [{ name: 'y', elemType: 'FLOAT', shape: [4, 2] }],
      },
    }).modelBytes;
    const weight = resolveWeight(indexModel(bytes), { node: 'emb', slot: 0 }, createDataSource());
    expect(weight).toMatchObject({ rows: 3, cols: 2, storedOrientation: 'out-in' });
    expect(weight.tensor.origin).toEqual({ kind: 'attribute', node: 'c', nodePosition: 0, attribute: 'value' });
    expect(Array.from(weight.data)).toEqual(W);
  });

  it('finds weights inside If branches of a merged decoder, with external data', () => {
    const { index, source } = openModelFile(path.join(FIXTURES, 'merged-if-external.onnx'));
    const inBranch = resolveWeight(index, { node: 'then_mm', slot: 1 }, source);
    const shared = resolveWeight(index, { node: 'else_mm', slot: 1 }, source);
    expect(inBranch).toMatchObject({ rows: 3, cols: 4, tensor: { name: 'then_w', graphId: 2 } });
    expect(shared.tensor).toMatchObject({ name: 'shared_w', graphId: 0 });
    source.close();
  });
});

describe('describeWeight', () => {
  it('describes a weight like resolveWeight without reading any data', () => {
    const { index, source } = openModelFile(path.join(FIXTURES, 'merged-if-external.onnx'));
    const { data, ...described } = resolveWeight(index, { node: 'then_mm', slot: 1 }, source);
    expect(data).toHaveLength(12);
    // The data file is not even reachable from a source-less call: nothing is read.
    expect(describeWeight(index, { node: 'then_mm', slot: 1 })).toEqual(described);
    source.close();
  });
});

describe('resolveWeight with FusedMatMul', () => {
  it('honours transB like Gemm and agrees with onnxruntime', async () => {
    const node: NodeSpec = { name: 'fmm', opType: 'FusedMatMul', domain: 'com.microsoft', inputs: ['a', 'w'], outputs: ['y'], attributes: [{ name: 'transB', kind: 'int', value: 1 }] };
    const bytes = buildModel({
      opsetImports: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
      graph: { nodes: [node], initializers: [{ name: 'w', dataType: 'FLOAT', dims: [3, 2], values: W }], inputs: [{ name: 'a', elemType: 'FLOAT', shape: [2, 2] }], outputs: [{ name: 'y', elemType: 'FLOAT', shape: [2, 3] }] },
    }).modelBytes;
    const weight = resolveWeight(indexModel(bytes), { node: 'fmm', slot: 1 }, createDataSource());
    expect(weight).toMatchObject({ rows: 3, cols: 2, storedOrientation: 'out-in' });
    expect(maxAbsDiff(transposed(weight.data, 3, 2), floats((await runModel(bytes, { a: identity(2) })).y))).toBe(0);
  });
});

describe('denseWeightEdit', () => {
  it('writes a modified [out, in] matrix back in the stored orientation and type', async () => {
    const bytes = single({ name: 'mm', opType: 'MatMul', inputs: ['a', 'w32'], outputs: ['y'] }, [{ name: 'w', dataType: 'FLOAT16', dims: [2, 3], values: float32ToFloat16Bits(W) }], 2, 3, [
      { name: 'cast', opType: 'Cast', inputs: ['w'], outputs: ['w32'], attributes: [{ name: 'to', kind: 'int', value: 1 }] },
    ]);
    const index = indexModel(bytes);
    const weight = resolveWeight(index, { node: 'mm', slot: 1 }, createDataSource());
    const doubled = weight.data.map((v) => v * 2 + 0.0001);
    const written = writeModel(index, [denseWeightEdit(weight, doubled)]);
    expect(written.strategy).toBe('patched');
    const again = resolveWeight(indexModel(written.modelBytes), { node: 'mm', slot: 1 }, createDataSource());
    expect(maxAbsDiff(again.data, doubled)).toBeLessThan(0.01);
    expect(maxAbsDiff(transposed(again.data, 3, 2), floats((await runModel(written.modelBytes, { a: identity(2) })).y))).toBe(0);
  });

  it('refuses quantized weights and data of the wrong length', () => {
    const bytes = single({ name: 'mm', opType: 'MatMul', inputs: ['a', 'w'], outputs: ['y'] }, [{ name: 'w', dataType: 'FLOAT', dims: [2, 3], values: W }], 2, 3);
    const weight = resolveWeight(indexModel(bytes), { node: 'mm', slot: 1 }, createDataSource());
    expect(thrown(() => denseWeightEdit(weight, new Float32Array(5)))).toMatchObject({ code: 'E_TENSOR_RANGE', details: { tensor: 'w', expected: '6', actual: '5' } });
    const fake = { ...weight, format: 'qdq-int8' as const, quantization: { scale: weight.tensor, zeroPoint: undefined, bits: 8, blockSize: 0, axis: undefined } };
    expect(thrown(() => denseWeightEdit(fake, weight.data))).toMatchObject({ code: 'E_DTYPE_UNSUPPORTED', details: { tensor: 'w', actual: 'qdq-int8' } });
  });
});

describe('resolveWeight errors', () => {
  const bytes = single({ name: 'mm', opType: 'MatMul', inputs: ['a', 'w'], outputs: ['y'] }, [{ name: 'w', dataType: 'INT32', dims: [2, 3], values: W }], 2, 3);

  it('names an unknown node', () => {
    expect(thrown(() => resolveWeight(indexModel(bytes), { node: 'nope', slot: 1 }, createDataSource()))).toMatchObject({ code: 'E_NODE_NOT_FOUND', details: { node: 'nope' } });
  });

  it('refuses a weight slot fed by a graph input', () => {
    expect(thrown(() => resolveWeight(indexModel(bytes), { node: 'mm', slot: 0 }, createDataSource()))).toMatchObject({ code: 'E_OP_UNSUPPORTED', details: { node: 'mm' } });
  });

  it('refuses integer weights that no dequantizer reads', () => {
    expect(thrown(() => resolveWeight(indexModel(bytes), { node: 'mm', slot: 1 }, createDataSource()))).toMatchObject({ code: 'E_DTYPE_UNSUPPORTED', details: { tensor: 'w', actual: 'INT32' } });
  });
});
