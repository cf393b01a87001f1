import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MODEL_EDIT_DEFAULTS,
  buildModel,
  collectSessionExternalData,
  createDataSource,
  encodeTensorPayload,
  float32ToFloat16Bits,
  indexModel,
  openModelFile,
  patchTensorInFile,
  readTensorFloat32,
  spliceModel,
  writeModel,
  writeModelFiles,
  type ModelSpec,
} from '../../src/onnx/index.js';
import { floats, floatTensor, runModel, thrown } from './ort-helpers.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const fixture = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'invarlock-splice-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** y = Cast(w) · x-style model: x [1, 2] · w [2, 3] + b. */
function linearSpec(placement: 'inline' | 'external', weightType: 'FLOAT' | 'FLOAT16' = 'FLOAT'): ModelSpec {
  const w = [1, 2, 3, 4, 5, 6];
  return {
    graph: {
      nodes: [
        { name: 'cast', opType: 'Cast', inputs: ['w'], outputs: ['w32'], attributes: [{ name: 'to', kind: 'int', value: 1 }] },
        { name: 'mm', opType: 'MatMul', inputs: ['x', 'w32'], outputs: ['h'] },
        { name: 'add', opType: 'Add', inputs: ['h', 'b'], outputs: ['y'] },
      ],
      initializers: [
        { name: 'w', dataType: weightType, dims: [2, 3], values: weightType === 'FLOAT' ? w : float32ToFloat16Bits(w), placement, docString: 'keep me' },
        { name: 'b', dataType: 'FLOAT', dims: [3], values: [0, 0, 0], placement },
      ],
      inputs: [{ name: 'x', elemType: 'FLOAT', shape: [1, 2] }],
      outputs: [{ name: 'y', elemType: 'FLOAT', shape: [1, 3] }],
    },
  };
}
const X = (): ort.Tensor => floatTensor([1, 10], [1, 2]);

describe('writeModel without edits', () => {
  it.each(['torch-tiny.onnx', 'typed-storage.onnx', 'merged-if-external.onnx', 'helper-matmul-relu.onnx'])('returns %s byte-identical and unaliased', (name) => {
    const bytes = fixture(name);
    const index = indexModel(bytes);
    const written = writeModel(index, []);
    expect(written.strategy).toBe('unchanged');
    expect(written.modelBytes).not.toBe(bytes);
    expect(Buffer.from(written.modelBytes).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('same-size edits', () => {
  it('patch a real export in a copy and onnxruntime sees the new weight', async () => {
    const bytes = fixture('torch-tiny.onnx');
    const index = indexModel(bytes);
    const before = Buffer.from(bytes);
    const written = writeModel(index, [{ kind: 'replace', tensor: 'onnx::MatMul_23', payload: encodeTensorPayload('FLOAT', new Float32Array(12 * 8)) }]);
    expect(written.strategy).toBe('patched');
    expect(written.modelBytes.length).toBe(bytes.length);
    expect(Buffer.from(bytes).equals(before)).toBe(true);
    const ids = new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 3n]), [1, 3]);
    const original = floats((await runModel(bytes, { input_ids: ids })).hidden);
    const patched = floats((await runModel(written.modelBytes, { input_ids: ids })).hidden);
    expect(original.some((v) => v !== 0)).toBe(true);
    expect(Array.from(patched)).toEqual(new Array(24).fill(0));
  });

  it('patch the index bytes in place and keep the index valid', () => {
    const index = indexModel(buildModel(linearSpec('inline')).modelBytes);
    const written = writeModel(index, [{ kind: 'replace', tensor: 'w', payload: encodeTensorPayload('FLOAT', [6, 5, 4, 3, 2, 1]) }], { mode: 'in-place' });
    expect(written.modelBytes).toBe(index.bytes);
    expect(Array.from(readTensorFloat32(index, 'w', createDataSource()))).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it('patch packed float_data in place like raw_data', () => {
    const index = indexModel(fixture('typed-storage.onnx'));
    const written = writeModel(index, [{ kind: 'replace', tensor: 'f32', payload: encodeTensorPayload('FLOAT', [7, 8]) }]);
    expect(written.strategy).toBe('patched');
    expect(Array.from(readTensorFloat32(indexModel(written.modelBytes), 'f32', createDataSource()))).toEqual([7, 8]);
  });

  it('refuse in-place mode for edits that change the layout', () => {
    const index = indexModel(buildModel(linearSpec('inline')).modelBytes);
    const error = thrown(() => writeModel(index, [{ kind: 'replace', tensor: 'w', dataType: 'FLOAT16', payload: encodeTensorPayload('FLOAT16', [1, 2, 3, 4, 5, 6]) }], { mode: 'in-place' }));
    expect(error).toMatchObject({ code: 'E_GRAPH_EDIT', details: { problems: ['w'] } });
  });
});

describe('size-changing edits', () => {
  it('re-encode only the changed tensor, keep its other fields, and onnxruntime runs the result', async () => {
    const index = indexModel(buildModel(linearSpec('inline', 'FLOAT16')).modelBytes);
    const written = writeModel(index, [{ kind: 'replace', tensor: 'w', dataType: 'FLOAT', payload: encodeTensorPayload('FLOAT', [1, 0, 0, 0, 1, 0]) }]);
    expect(written.strategy).toBe('spliced');
    const edited = indexModel(written.modelBytes);
    expect(edited.graph.initializers[0]).toMatchObject({ name: 'w', dataType: 'FLOAT', dims: [2, 3] });
    expect(Buffer.from(written.modelBytes).includes(Buffer.from('keep me'))).toBe(true);
    expect(Array.from(floats((await runModel(written.modelBytes, { x: X() })).y))).toEqual([1, 10, 0]);
  });

  it('fix every length prefix when a tensor is added inside an If branch (prefixes grow a byte)', async () => {
    const bytes = fixture('merged-if-external.onnx');
    const { index, source } = openModelFile(path.join(FIXTURES, 'merged-if-external.onnx'));
    const big = new Float32Array(40000);
    const newThen = encodeTensorPayload('FLOAT', [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
    const written = writeModel(index, [
      { kind: 'add', tensor: { name: 'unused_big', dataType: 'FLOAT', dims: [40000], values: big }, graphId: 2 },
      { kind: 'replace', tensor: index.graphs[2]!.initializers[0]!, payload: newThen, placement: 'inline' },
    ]);
    expect(written.modelBytes.length).toBeGreaterThan(bytes.length + 160000);
    const edited = indexModel(written.modelBytes);
    expect(edited.graphs[2]!.initializers.map((t) => [t.name, t.data.storage])).toEqual([
      ['then_w', 'raw'],
      ['unused_big', 'raw'],
    ]);
    expect(edited.graphs[2]!.span.payloadStart - edited.graphs[2]!.span.lengthStart).toBe(3);
    expect(written.referencedExternalFiles).toEqual(['merged-if-external.onnx_data']);
    const externalData = collectSessionExternalData(written, source);
    const x = floatTensor([1, 2, 3, 4], [1, 4]);
    const yes = await runModel(written.modelBytes, { x, use_cache_branch: new ort.Tensor('bool', Uint8Array.from([1]), [1]) }, externalData);
    expect(Array.from(floats(yes.y))).toEqual([1, 2, 3]);
    source.close();
  });

  it('remove an unused initializer together with its legacy graph input, and add new ones', () => {
    const spec = linearSpec('inline');
    const bytes = buildModel({
      ...spec,
      graph: { ...spec.graph, initializers: [...spec.graph.initializers!, { name: 'dead', dataType: 'FLOAT', dims: [1], values: [0] }], inputs: [...spec.graph.inputs!, { name: 'dead', elemType: 'FLOAT', shape: [1] }] },
    }).modelBytes;
    const index = indexModel(bytes);
    const written = writeModel(index, [
      { kind: 'remove', tensor: 'dead' },
      { kind: 'add', tensor: { name: 'axes', dataType: 'INT64', dims: [1], values: [2] } },
    ]);
    const edited = indexModel(written.modelBytes);
    expect(edited.graph.initializers.map((t) => t.name)).toEqual(['w', 'b', 'axes']);
    expect(edited.graph.inputs.map((i) => i.name)).toEqual(['x']);
  });
});

describe('external data', () => {
  it('sends edited external tensors to a new file, and the bytes + externalData load in onnxruntime', async () => {
    const built = buildModel(linearSpec('external'));
    const dir = path.join(tmp, 'external');
    writeModelFiles({ modelBytes: built.modelBytes, externalData: built.externalData }, { directory: dir });
    const { index, source } = openModelFile(path.join(dir, 'model.onnx'));
    const written = writeModel(index, [{ kind: 'replace', tensor: 'w', payload: encodeTensorPayload('FLOAT', [0, 0, 1, 1, 0, 0]) }]);
    expect(written.strategy).toBe('spliced');
    expect(written.externalData.map((e) => [e.path, e.data.length])).toEqual([[MODEL_EDIT_DEFAULTS.externalDataLocation, 24]]);
    expect(written.referencedExternalFiles).toEqual(['model.onnx_data']);
    const externalData = collectSessionExternalData(written, source);
    expect(externalData.map((e) => e.path)).toEqual(['invarlock-edits.onnx_data', 'model.onnx_data']);
    expect(Array.from(floats((await runModel(written.modelBytes, { x: X() }, externalData)).y))).toEqual([10, 0, 1]);

    const out = path.join(tmp, 'external-edited');
    const modelPath = writeModelFiles({ ...written, externalData: [...written.externalData, { path: 'model.onnx_data', data: source.readFile('model.onnx_data') }] }, { directory: out });
    const session = await ort.InferenceSession.create(modelPath);
    expect(Array.from(floats((await session.run({ x: X() })).y))).toEqual([10, 0, 1]);
    await session.release();
    const reopened = openModelFile(modelPath);
    expect(Array.from(readTensorFloat32(reopened.index, 'w', reopened.source))).toEqual([0, 0, 1, 1, 0, 0]);
    source.close();
    reopened.source.close();
  });

  it('refuses a new external file name the model already uses', () => {
    const index = indexModel(buildModel(linearSpec('external')).modelBytes);
    const error = thrown(() => writeModel(index, [], { externalDataLocation: 'model.onnx_data' }));
    expect(error).toMatchObject({ code: 'E_GRAPH_EDIT', details: { file: 'model.onnx_data' } });
  });
});

describe('patchTensorInFile', () => {
  it('overwrites inline and external tensor data on disk without loading a second copy', async () => {
    for (const placement of ['inline', 'external'] as const) {
      const built = buildModel(linearSpec(placement));
      const modelPath = writeModelFiles({ modelBytes: built.modelBytes, externalData: built.externalData }, { directory: path.join(tmp, `patch-${placement}`) });
      const { index } = openModelFile(modelPath);
      patchTensorInFile({ modelPath, tensor: index.graph.initializers[0]!, payload: encodeTensorPayload('FLOAT', [1, 1, 1, 0, 0, 0]) });
      const session = await ort.InferenceSession.create(modelPath);
      expect(Array.from(floats((await session.run({ x: X() })).y))).toEqual([1, 1, 1]);
      await session.release();
    }
  });

  it('refuses a payload of another size', () => {
    const built = buildModel(linearSpec('inline'));
    const modelPath = writeModelFiles({ modelBytes: built.modelBytes, externalData: [] }, { directory: path.join(tmp, 'patch-size') });
    const { index } = openModelFile(modelPath);
    expect(thrown(() => patchTensorInFile({ modelPath, tensor: index.graph.initializers[0]!, payload: new Uint8Array(4) }))).toMatchObject({
      code: 'E_GRAPH_EDIT',
      details: { tensor: 'w', expected: '24', actual: '4' },
    });
  });
});

describe('edit errors', () => {
  const index = indexModel(buildModel(linearSpec('inline')).modelBytes, { source: 'lin.onnx' });

  it('report a payload whose size does not fit the dims', () => {
    expect(thrown(() => writeModel(index, [{ kind: 'replace', tensor: 'w', payload: new Uint8Array(5) }]))).toMatchObject({
      code: 'E_TENSOR_RANGE',
      details: { file: 'lin.onnx', tensor: 'w', expected: '24', actual: '5' },
    });
  });

  it('report a tensor edited twice, a consumed tensor removed, and a duplicate add', () => {
    const payload = encodeTensorPayload('FLOAT', [1, 2, 3, 4, 5, 6]);
    expect(thrown(() => spliceModel(index, [{ kind: 'replace', tensor: 'w', payload }, { kind: 'replace', tensor: 'w', payload }]))).toMatchObject({ code: 'E_GRAPH_EDIT', details: { tensor: 'w' } });
    expect(thrown(() => spliceModel(index, [{ kind: 'remove', tensor: 'b' }]))).toMatchObject({ code: 'E_GRAPH_EDIT', details: { tensor: 'b', problems: ['add input 1'] } });
    expect(thrown(() => spliceModel(index, [{ kind: 'add', tensor: { name: 'x', dataType: 'FLOAT', dims: [1], values: [1] } }]))).toMatchObject({ code: 'E_GRAPH_EDIT', details: { tensor: 'x' } });
    expect(thrown(() => spliceModel(index, [{ kind: 'remove', tensor: 'ghost' }]))).toMatchObject({ code: 'E_TENSOR_NOT_FOUND', details: { tensor: 'ghost' } });
  });

  it('documents its defaults truthfully', () => {
    expect(MODEL_EDIT_DEFAULTS).toEqual({ mode: 'copy', externalDataLocation: 'invarlock-edits.onnx_data', externalAlignmentBytes: 64 });
    const written = spliceModel(index, [{ kind: 'replace', tensor: 'w', payload: encodeTensorPayload('FLOAT', [1, 2, 3, 4, 5, 6]), placement: 'external' }, { kind: 'replace', tensor: 'b', payload: encodeTensorPayload('FLOAT', [1, 2, 3]), placement: 'external' }]);
    expect(written.externalData[0]?.data.length).toBe(64 + 12);
    expect(index.bytes.length).toBe(buildModel(linearSpec('inline')).modelBytes.length);
  });
});
