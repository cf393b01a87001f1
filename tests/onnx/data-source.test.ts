import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_SOURCE_DEFAULTS, createDataSource, openModelFile, writeChunksAtomically, writeModelFiles } from '../../src/onnx/index.js';
import { thrown } from './ort-helpers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'invarlock-source-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
fs.mkdirSync(path.join(tmp, 'sub'));
fs.writeFileSync(path.join(tmp, 'sub', 'w.bin'), bytes);

describe('createDataSource', () => {
  it('reads ranges of files in chunks and returns fresh zero-offset copies', () => {
    const source = createDataSource({ directory: tmp, chunkBytes: 7 });
    const range = source.readRange({ location: 'sub/w.bin', offset: 3, length: 500, tensor: 't' });
    expect(range.byteOffset).toBe(0);
    expect(range.buffer.byteLength).toBe(500);
    expect(Array.from(range)).toEqual(Array.from(bytes.subarray(3, 503)));
    expect(source.sizeOf('./sub/w.bin', 't')).toBe(1000);
    expect(Array.from(source.readFile('sub\\w.bin'))).toEqual(Array.from(bytes));
    source.close();
    expect(source.readRange({ location: 'sub/w.bin', offset: 999, length: 1, tensor: 't' })[0]).toBe(bytes[999]);
    source.close();
  });

  it('prefers in-memory files and copies out of them', () => {
    const memory = new Uint8Array([9, 8, 7]);
    const source = createDataSource({ directory: tmp, files: [{ path: 'sub/w.bin', data: memory }] });
    const range = source.readRange({ location: 'sub/w.bin', offset: 1, length: 2, tensor: 't' });
    range[0] = 0;
    expect(Array.from(memory)).toEqual([9, 8, 7]);
    expect(source.sizeOf('sub/w.bin', 't')).toBe(3);
  });

  it('reports missing files, ranges past the end and escaping locations', () => {
    const source = createDataSource({ directory: tmp });
    expect(thrown(() => source.readRange({ location: 'nope.bin', offset: 0, length: 1, tensor: 'w' }))).toMatchObject({ code: 'E_EXTERNAL_DATA_MISSING', details: { tensor: 'w', file: path.join(tmp, 'nope.bin') } });
    expect(thrown(() => source.readRange({ location: 'sub/w.bin', offset: 990, length: 11, tensor: 'w' }))).toMatchObject({ code: 'E_TENSOR_RANGE', details: { tensor: 'w', file: 'sub/w.bin', offset: 990 } });
    expect(thrown(() => source.readRange({ location: '/etc/passwd', offset: 0, length: 1, tensor: 'w' }))).toMatchObject({ code: 'E_MODEL_PARSE', details: { tensor: 'w' } });
    expect(thrown(() => source.readRange({ location: 'sub/../../x', offset: 0, length: 1, tensor: 'w' }))).toMatchObject({ code: 'E_MODEL_PARSE' });
    expect(thrown(() => createDataSource().readRange({ location: 'a', offset: 0, length: 1, tensor: 'w' }))).toMatchObject({ code: 'E_EXTERNAL_DATA_MISSING', details: { tensor: 'w', file: 'a' } });
    source.close();
  });

  it('documents its defaults truthfully', () => {
    expect(DATA_SOURCE_DEFAULTS).toEqual({ chunkBytes: 64 * 1024 * 1024 });
  });
});

describe('model files', () => {
  it('writes atomically, leaving no temporary files behind', () => {
    const target = path.join(tmp, 'atomic.bin');
    writeChunksAtomically(target, [new Uint8Array([1, 2]), new Uint8Array([3])]);
    expect(Array.from(fs.readFileSync(target))).toEqual([1, 2, 3]);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuses external data locations that escape the output directory', () => {
    const error = thrown(() => writeModelFiles({ modelBytes: new Uint8Array(1), externalData: [{ path: '../evil.bin', data: new Uint8Array(1) }] }, { directory: path.join(tmp, 'out') }));
    expect(error).toMatchObject({ code: 'E_OUTPUT_PATH', details: { file: '../evil.bin' } });
  });

  it('reports a missing model file', () => {
    expect(thrown(() => openModelFile(path.join(tmp, 'missing.onnx')))).toMatchObject({ code: 'E_FILE_NOT_FOUND', details: { file: path.join(tmp, 'missing.onnx') } });
  });
});

describe('createDataSource on a file over 4 GiB', () => {
  it('refuses to read more than one array can hold with E_TENSOR_RANGE, and reads ranges beyond 4 GiB', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'invarlock-sparse-'));
    try {
      const file = path.join(dir, 'big.onnx_data');
      const fd = fs.openSync(file, 'w');
      const at = 4.5 * 1024 ** 3;
      fs.writeSync(fd, new Uint8Array([1, 2, 3, 4]), 0, 4, at); // sparse: no disk used before `at`
      fs.closeSync(fd);
      const source = createDataSource({ directory: dir });
      try {
        expect(Array.from(source.readRange({ location: 'big.onnx_data', offset: at, length: 4, tensor: 't' }))).toEqual([1, 2, 3, 4]);
        expect(() => source.readFile('big.onnx_data')).toThrow(expect.objectContaining({ code: 'E_TENSOR_RANGE' }));
      } finally {
        source.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
