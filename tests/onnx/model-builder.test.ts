import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  BUILD_MODEL_DEFAULTS,
  buildModel,
  buildModelChunks,
  encodeTensorPayload,
  indexModel,
  type GraphSpec,
  type ModelSpec,
} from '../../src/onnx/index.js';
import { floats, floatTensor, runModel, thrown } from './ort-helpers.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');

const MATMUL_RELU: ModelSpec = {
  graph: {
    nodes: [
      { opType: 'MatMul', name: 'mm', inputs: ['x', 'w'], outputs: ['h'] },
      { opType: 'Relu', name: 'r', inputs: ['h'], outputs: ['y'] },
    ],
    initializers: [{ name: 'w', dataType: 'FLOAT', dims: [2, 3], values: new Float32Array([1, 2, 3, 4, 5, 6]) }],
    inputs: [{ name: 'x', elemType: 'FLOAT', shape: ['batch', 2] }],
    outputs: [{ name: 'y', elemType: 'FLOAT', shape: ['batch', 3] }],
  },
};

describe('buildModel', () => {
  it('writes the same bytes as onnx.helper + SerializeToString for the same model', () => {
    const expected = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'helper-matmul-relu.onnx')));
    expect(Buffer.from(buildModel(MATMUL_RELU).modelBytes).equals(Buffer.from(expected))).toBe(true);
  });

  it('builds models that onnxruntime runs', async () => {
    const out = await runModel(buildModel(MATMUL_RELU).modelBytes, { x: floatTensor([1, -1], [1, 2]) });
    expect(Array.from(floats(out.y))).toEqual([0, 0, 0]);
  });

  it('places external tensors at aligned offsets and returns their file for onnxruntime', async () => {
    const spec: ModelSpec = {
      graph: {
        ...MATMUL_RELU.graph,
        nodes: [...MATMUL_RELU.graph.nodes, { opType: 'Add', name: 'add', inputs: ['y', 'b'], outputs: ['z'] }],
        initializers: [
          { name: 'w', dataType: 'FLOAT', dims: [2, 3], values: [1, 2, 3, 4, 5, 6], placement: 'external' },
          { name: 'b', dataType: 'FLOAT', dims: [3], values: [10, 20, 30], placement: 'external' },
        ],
        outputs: [{ name: 'z', elemType: 'FLOAT', shape: ['batch', 3] }],
      },
    };
    const built = buildModel(spec, { externalDataLocation: 'weights.bin' });
    expect(built.externalData.map((e) => [e.path, e.data.length])).toEqual([['weights.bin', 64 + 12]]);
    const index = indexModel(built.modelBytes);
    expect(index.graph.initializers.map((t) => t.data)).toEqual([
      { storage: 'external', location: 'weights.bin', offset: 0, length: 24, checksum: undefined },
      { storage: 'external', location: 'weights.bin', offset: 64, length: 12, checksum: undefined },
    ]);
    const out = await runModel(built.modelBytes, { x: floatTensor([1, 0], [1, 2]) }, built.externalData);
    expect(Array.from(floats(out.z))).toEqual([11, 22, 33]);
  });

  it('builds If subgraphs that onnxruntime runs', async () => {
    const branch = (value: number): GraphSpec => ({
      nodes: [{ opType: 'Add', inputs: ['x', `c${value}`], outputs: [`o${value}`] }],
      initializers: [{ name: `c${value}`, dataType: 'FLOAT', dims: [1], values: [value] }],
      outputs: [{ name: `o${value}`, elemType: 'FLOAT', shape: [1] }],
    });
    const bytes = buildModel({
      graph: {
        nodes: [{ opType: 'If', name: 'if', inputs: ['cond'], outputs: ['y'], attributes: [{ name: 'then_branch', kind: 'graph', graph: branch(1) }, { name: 'else_branch', kind: 'graph', graph: branch(2) }] }],
        inputs: [{ name: 'x', elemType: 'FLOAT', shape: [1] }, { name: 'cond', elemType: 'BOOL', shape: [1] }],
        outputs: [{ name: 'y', elemType: 'FLOAT', shape: [1] }],
      },
    }).modelBytes;
    const yes = await runModel(bytes, { x: floatTensor([5], [1]), cond: new ort.Tensor('bool', Uint8Array.from([1]), [1]) });
    const no = await runModel(bytes, { x: floatTensor([5], [1]), cond: new ort.Tensor('bool', Uint8Array.from([0]), [1]) });
    expect([floats(yes.y)[0], floats(no.y)[0]]).toEqual([6, 7]);
  });

  it('references large weight arrays instead of copying them', () => {
    const weight = new Float32Array(4096);
    const built = buildModelChunks({ graph: { nodes: [], initializers: [{ name: 'w', dataType: 'FLOAT', dims: [4096], values: weight }], outputs: [] } });
    expect(built.chunks.some((chunk) => chunk.buffer === weight.buffer)).toBe(true);
    expect(built.byteLength).toBe(built.chunks.reduce((n, c) => n + c.length, 0));
  });

  it('reports data that does not match the dims, and types without a typed field', () => {
    expect(thrown(() => buildModel({ graph: { nodes: [], initializers: [{ name: 'w', dataType: 'FLOAT', dims: [3], values: [1, 2] }], outputs: [] } }))).toMatchObject({
      code: 'E_TENSOR_RANGE',
      details: { tensor: 'w', expected: '12', actual: '8' },
    });
    expect(thrown(() => buildModel({ graph: { nodes: [], initializers: [{ name: 's', dataType: 'STRING', dims: [1], payload: new Uint8Array(0), storage: 'typed_data' }], outputs: [] } }))).toMatchObject({
      code: 'E_DTYPE_UNSUPPORTED',
      details: { tensor: 's' },
    });
  });

  it('documents its defaults truthfully', () => {
    expect(BUILD_MODEL_DEFAULTS).toEqual({ externalDataLocation: 'model.onnx_data', externalAlignmentBytes: 64 });
    const built = buildModel({ graph: { nodes: [], initializers: [{ name: 'a', dataType: 'UINT8', dims: [1], values: [1], placement: 'external' }, { name: 'b', dataType: 'UINT8', dims: [1], values: [2], placement: 'external' }], outputs: [] } });
    expect(built.externalData[0]?.path).toBe('model.onnx_data');
    expect(built.externalData[0]?.data.length).toBe(65);
    const index = indexModel(built.modelBytes);
    expect(index.irVersion).toBe(10);
    expect(index.producerName).toBe('invarlock');
    expect(index.opsetImports).toEqual([{ domain: '', version: 17 }]);
  });
});

describe('encodeTensorPayload', () => {
  it('uses a typed array of the right layout as is', () => {
    const values = new Float32Array([1, 2]);
    expect(encodeTensorPayload('FLOAT', values).buffer).toBe(values.buffer);
    const bits = new Uint16Array([0x3c00]);
    expect(encodeTensorPayload('FLOAT16', bits).buffer).toBe(bits.buffer);
  });

  it('packs sub-byte types low bits first, padding the last byte', () => {
    expect(Array.from(encodeTensorPayload('INT4', [1, -1, 7]))).toEqual([0xf1, 0x07]);
    expect(Array.from(encodeTensorPayload('UINT2', [1, 2, 3, 0, 1]))).toEqual([0b00111001, 0b01]);
  });

  it('rounds integer values half to even and refuses values outside the type', () => {
    expect(Array.from(encodeTensorPayload('INT8', [0.5, 1.5, -2.5, 2.4]))).toEqual([0, 2, 0xfe, 2]);
    expect(thrown(() => encodeTensorPayload('UINT8', [256], { name: 'q' }))).toMatchObject({ code: 'E_TENSOR_RANGE', details: { tensor: 'q', expected: 'UINT8', actual: '256', element: 0 } });
    expect(thrown(() => encodeTensorPayload('INT64', [2 ** 60], { name: 'big' }))).toMatchObject({ code: 'E_TENSOR_RANGE', details: { tensor: 'big' } });
    expect(thrown(() => encodeTensorPayload('FLOAT8E4M3FN', [1], { name: 'f8' }))).toMatchObject({ code: 'E_DTYPE_UNSUPPORTED', details: { tensor: 'f8' } });
  });

  it('rounds integer payloads half to even', () => {
    const bytes = encodeTensorPayload('INT8', [-1.5, -0.5, 0.5, 1.5, 2.5, 2.6, -2.6], { name: 'q' });
    expect([...new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)]).toEqual([-2, 0, 0, 2, 2, 3, -3]);
  });
});
