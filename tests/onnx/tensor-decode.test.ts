import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildModel,
  createDataSource,
  findTensor,
  indexModel,
  readTensorFloat32,
  readTensorPayload,
  readTensorTyped,
  type DataTypeName,
  type TensorSpec,
} from '../../src/onnx/index.js';
import { ChunkWriter, concatChunks } from '../../src/onnx/chunk-writer.js';
import { thrown } from './ort-helpers.js';

interface DtypeCase {
  readonly dataType: DataTypeName;
  readonly values: readonly number[];
  /** What readTensorTyped returns, when it differs from `values` (bit patterns). */
  readonly typed?: readonly (number | bigint)[];
}

const DTYPES: readonly DtypeCase[] = [
  { dataType: 'FLOAT', values: [1.5, -2.25, 2 ** -30, 2 ** 100, 0] },
  { dataType: 'FLOAT16', values: [1, -0.5, 65504, 2 ** -24, 0], typed: [0x3c00, 0xb800, 0x7bff, 0x0001, 0] },
  { dataType: 'BFLOAT16', values: [1, -2, 3.140625, 2 ** 100, 0], typed: [0x3f80, 0xc000, 0x4049, 0x7180, 0] },
  { dataType: 'DOUBLE', values: [0.1, -3.5, 1e-300, 7, 0] },
  { dataType: 'INT8', values: [-128, -1, 0, 5, 127] },
  { dataType: 'UINT8', values: [0, 1, 128, 200, 255] },
  { dataType: 'INT16', values: [-32768, -2, 0, 300, 32767] },
  { dataType: 'UINT16', values: [0, 65535, 1, 40000, 7] },
  { dataType: 'INT32', values: [-2147483648, -1, 0, 65536, 2147483647] },
  { dataType: 'UINT32', values: [0, 4294967295, 1, 3000000000, 9] },
  { dataType: 'INT64', values: [-(2 ** 40), -1, 0, 2 ** 50, 3], typed: [-(2n ** 40n), -1n, 0n, 2n ** 50n, 3n] },
  { dataType: 'UINT64', values: [0, 2 ** 52, 1, 5, 6], typed: [0n, 2n ** 52n, 1n, 5n, 6n] },
  { dataType: 'INT4', values: [-8, -1, 0, 3, 7] },
  { dataType: 'UINT4', values: [0, 15, 1, 8, 9] },
  { dataType: 'INT2', values: [-2, -1, 0, 1, 1] },
  { dataType: 'UINT2', values: [0, 3, 1, 2, 2] },
  { dataType: 'BOOL', values: [0, 1, 1, 0, 1] },
];

const STORAGES = ['raw_data', 'typed packed', 'typed unpacked', 'external'] as const;

function specFor(c: DtypeCase, storage: (typeof STORAGES)[number]): TensorSpec {
  const values = c.dataType === 'FLOAT16' || c.dataType === 'BFLOAT16' ? Uint16Array.from(c.typed as number[]) : c.values;
  return {
    name: `t_${c.dataType}`,
    dataType: c.dataType,
    dims: [5],
    values,
    ...(storage === 'raw_data' ? {} : storage === 'external' ? { placement: 'external' as const } : { storage: 'typed_data' as const, packing: storage === 'typed packed' ? ('packed' as const) : ('unpacked' as const) }),
  };
}

describe('readTensorTyped and readTensorFloat32', () => {
  const cases = DTYPES.flatMap((c) => STORAGES.map((storage) => ({ ...c, storage })));
  it.each(cases)('decode $dataType stored as $storage', (c) => {
    const built = buildModel({ graph: { nodes: [], initializers: [specFor(c, c.storage)], outputs: [] } });
    const index = indexModel(built.modelBytes);
    const source = createDataSource({ files: built.externalData });
    const typed = readTensorTyped(index, `t_${c.dataType}`, source);
    expect(typed.dataType).toBe(c.dataType);
    expect(Array.from(typed.values as ArrayLike<number | bigint>)).toEqual(c.typed ?? c.values);
    const asFloat = readTensorFloat32(index, `t_${c.dataType}`, source);
    expect(Array.from(asFloat)).toEqual(c.values.map((v) => Math.fround(v)));
  });

  it('copies float data from unaligned offsets and never aliases the model bytes', () => {
    const built = buildModel({ graph: { nodes: [], initializers: [{ name: 'odd', dataType: 'FLOAT', dims: [3], values: [1, 2, 3] }], outputs: [] } });
    const index = indexModel(built.modelBytes);
    const tensor = findTensor(index, 'odd');
    expect(tensor.data.storage === 'raw' && tensor.data.start % 4).not.toBe(0);
    const values = readTensorFloat32(index, tensor, createDataSource());
    values[0] = 99;
    expect(Array.from(readTensorFloat32(index, tensor, createDataSource()))).toEqual([1, 2, 3]);
  });

  it('returns inline raw payloads as views and reads Buffers correctly', () => {
    const built = buildModel({ graph: { nodes: [], initializers: [{ name: 'w', dataType: 'FLOAT', dims: [2], values: [4, 5] }], outputs: [] } });
    const buffer = Buffer.from(built.modelBytes);
    const index = indexModel(buffer);
    const payload = readTensorPayload(index, 'w', createDataSource());
    expect(payload.buffer).toBe(buffer.buffer);
    expect(Array.from(readTensorFloat32(index, 'w', createDataSource()))).toEqual([4, 5]);
  });
});

describe('tensor read errors', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'invarlock-decode-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const externalModel = buildModel({
    graph: { nodes: [], initializers: [{ name: 'big', dataType: 'FLOAT', dims: [64], values: new Float32Array(64), placement: 'external' }], outputs: [] },
  });

  it('names the tensor and the path when an external data file is missing', () => {
    const index = indexModel(externalModel.modelBytes);
    const error = thrown(() => readTensorFloat32(index, 'big', createDataSource({ directory: tmp })));
    expect(error).toMatchObject({ code: 'E_EXTERNAL_DATA_MISSING', details: { tensor: 'big', file: path.join(tmp, 'model.onnx_data') } });
  });

  it('reports external data outside its file as E_TENSOR_RANGE', () => {
    fs.writeFileSync(path.join(tmp, 'model.onnx_data'), new Uint8Array(100));
    const index = indexModel(externalModel.modelBytes);
    const source = createDataSource({ directory: tmp });
    expect(thrown(() => readTensorFloat32(index, 'big', source))).toMatchObject({ code: 'E_TENSOR_RANGE', details: { tensor: 'big', file: 'model.onnx_data', offset: 0 } });
    source.close();
  });

  it('refuses external locations that escape the model directory', () => {
    const tensor = new ChunkWriter().varintField(1, 1).varintField(2, 1).stringField(8, 'evil');
    tensor.messageField(13, new ChunkWriter().stringField(1, 'location').stringField(2, '../../etc/passwd')).varintField(14, 1);
    const bytes = concatChunks(new ChunkWriter().varintField(1, 8).messageField(7, new ChunkWriter().messageField(5, tensor)).finish());
    expect(thrown(() => readTensorFloat32(indexModel(bytes), 'evil', createDataSource({ directory: tmp })))).toMatchObject({
      code: 'E_MODEL_PARSE',
      details: { tensor: 'evil', field: 'external_data.location' },
    });
  });

  it('reports raw data of the wrong length for the shape as E_TENSOR_RANGE', () => {
    const tensor = new ChunkWriter().varintField(1, 4).varintField(2, 1).stringField(8, 'short').bytesField(9, new Uint8Array(12));
    const bytes = concatChunks(new ChunkWriter().varintField(1, 8).messageField(7, new ChunkWriter().messageField(5, tensor)).finish());
    expect(thrown(() => readTensorFloat32(indexModel(bytes, { source: 's.onnx' }), 'short', createDataSource()))).toMatchObject({
      code: 'E_TENSOR_RANGE',
      details: { file: 's.onnx', tensor: 'short', expected: '16', actual: '12' },
    });
  });

  it('reports typed data with too many values, or in the wrong field', () => {
    const tooMany = new ChunkWriter().varintField(1, 1).varintField(2, 6).stringField(8, 'i').messageField(5, new ChunkWriter().varint(1).varint(2));
    const wrongField = new ChunkWriter().varintField(1, 1).varintField(2, 1).stringField(8, 'f').messageField(7, new ChunkWriter().varint(1));
    const bytes = concatChunks(new ChunkWriter().varintField(1, 8).messageField(7, new ChunkWriter().messageField(5, tooMany).messageField(5, wrongField)).finish());
    const index = indexModel(bytes);
    expect(thrown(() => readTensorTyped(index, 'i', createDataSource()))).toMatchObject({ code: 'E_TENSOR_RANGE', details: { tensor: 'i' } });
    expect(thrown(() => readTensorTyped(index, 'f', createDataSource()))).toMatchObject({ code: 'E_MODEL_PARSE', details: { tensor: 'f', expected: 'float_data', actual: 'int64_data' } });
  });

  it.each([
    ['STRING', 8],
    ['FLOAT8E4M3FN', 17],
    ['UNKNOWN', 99],
  ])('refuses to read %s tensors as numbers', (name, code) => {
    const tensor = new ChunkWriter().varintField(1, 1).varintField(2, code).stringField(8, 'odd').bytesField(9, new Uint8Array(1));
    const bytes = concatChunks(new ChunkWriter().varintField(1, 8).messageField(7, new ChunkWriter().messageField(5, tensor)).finish());
    expect(thrown(() => readTensorFloat32(indexModel(bytes), 'odd', createDataSource()))).toMatchObject({ code: 'E_DTYPE_UNSUPPORTED', details: { tensor: 'odd', actual: name } });
  });

  it('reports an unknown tensor name', () => {
    expect(thrown(() => findTensor(indexModel(externalModel.modelBytes, { source: 'm.onnx' }), 'nope'))).toMatchObject({ code: 'E_TENSOR_NOT_FOUND', details: { file: 'm.onnx', tensor: 'nope' } });
  });
});

describe('tensor reads on hostile shapes', () => {
  it('refuses a huge shape with tiny typed data before allocating it', () => {
    const tensor = new ChunkWriter().varintField(1, 2 ** 40).varintField(2, 3).stringField(8, 'huge').messageField(5, new ChunkWriter().varint(1));
    const bytes = concatChunks(new ChunkWriter().varintField(1, 8).messageField(7, new ChunkWriter().messageField(5, tensor)).finish());
    expect(thrown(() => readTensorTyped(indexModel(bytes), 'huge', createDataSource()))).toMatchObject({ code: 'E_TENSOR_RANGE', details: { tensor: 'huge', actual: '1' } });
  });
});
