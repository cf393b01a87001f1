import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { readParquetTextColumn } from '../../../src/eval/data/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';
import { hubRowsOf, textParquet } from '../../fixtures/data/make-wikitext-parquet.js';

const fixtures = fileURLToPath(new URL('../../fixtures/data/', import.meta.url));
const MINI_PARQUET = new Uint8Array(readFileSync(join(fixtures, 'wikitext2-mini.parquet')));
const FILE = '/data/x.parquet';

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (isInvarlockError(error)) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('read');
}

describe('readParquetTextColumn', () => {
  it('reads the committed fixture: one row per line of the raw text, as the hub stores it', async () => {
    const rows = await readParquetTextColumn(MINI_PARQUET, { column: 'text', file: FILE });
    expect(rows).toEqual(hubRowsOf(readFileSync(join(fixtures, 'wikitext2-mini.txt'), 'utf8')));
    expect(rows.slice(0, 3)).toEqual(['', ' = Valley of Lanterns = \n', '']);
  });

  it('keeps row order across row groups, reads nulls as empty strings and keeps UTF-8 text', async () => {
    const values = ['a', null, 'café — ü', '', 'last\n', null, '𝔘nicode'];
    const bytes = textParquet(values, 2);
    expect(await readParquetTextColumn(bytes, { column: 'text', file: FILE })).toEqual(values.map((v) => v ?? ''));
    // A Buffer that views part of a larger allocation reads the same.
    const pooled = Buffer.concat([Buffer.alloc(7), Buffer.from(bytes)]).subarray(7);
    expect(await readParquetTextColumn(pooled, { column: 'text', file: FILE })).toEqual(values.map((v) => v ?? ''));
  });

  it('reads GZIP-compressed pages and refuses codecs it cannot decode, naming them', async () => {
    const gzip = new Uint8Array(
      parquetWriteBuffer({ columnData: [{ name: 'text', data: ['one\n', '', 'two\n'], type: 'STRING' }], codec: 'GZIP', compressors: { GZIP: (input) => new Uint8Array(gzipSync(input)) } }),
    );
    expect(await readParquetTextColumn(gzip, { column: 'text', file: FILE })).toEqual(['one\n', '', 'two\n']);
    const zstd = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'text', data: ['one'], type: 'STRING' }], codec: 'ZSTD', compressors: { ZSTD: (input) => input } }));
    expect(await errorOf(readParquetTextColumn(zstd, { column: 'text', file: FILE }))).toEqual({
      code: 'E_DATASET_INVALID',
      details: { file: FILE, field: 'text', codec: 'ZSTD', expected: 'UNCOMPRESSED, SNAPPY, GZIP, BROTLI' },
    });
  });

  it('reports a missing column, a column that is not text and bytes that are not parquet', async () => {
    const numbers = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'text', data: [1, 2], type: 'INT32' }] }));
    expect(await errorOf(readParquetTextColumn(numbers, { column: 'text', file: FILE }))).toEqual({
      code: 'E_DATASET_INVALID',
      details: { file: FILE, field: 'text', expected: 'BYTE_ARRAY UTF8', actual: 'INT32' },
    });
    expect(await errorOf(readParquetTextColumn(MINI_PARQUET, { column: 'sentence', file: FILE }))).toEqual({
      code: 'E_DATASET_INVALID',
      details: { file: FILE, field: 'sentence', actual: 'text' },
    });
    const notParquet = await errorOf(readParquetTextColumn(new TextEncoder().encode(' = Title = \n'), { column: 'text', file: FILE }));
    expect(notParquet.code).toBe('E_DATASET_INVALID');
    expect(notParquet.details.file).toBe(FILE);
  });

  it('refuses a page header whose value count decodes as another type, before the decoder can stall on it', async () => {
    // Byte 13 of the fixture lies in the first page header; this flip turns num_values into a boolean.
    const damaged = MINI_PARQUET.slice();
    damaged[13] = (damaged[13] ?? 0) ^ 0b100;
    const started = performance.now();
    expect(await errorOf(readParquetTextColumn(damaged, { column: 'text', file: FILE }))).toEqual({ code: 'E_DATASET_INVALID', details: { file: FILE, field: 'text', offset: 4 } });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('meets truncated or bit-flipped files with rows or E_DATASET_INVALID, never another error', async () => {
    const damaged = fc.oneof(
      fc.integer({ min: 0, max: MINI_PARQUET.length - 1 }).map((end) => MINI_PARQUET.slice(0, end)),
      fc.tuple(fc.integer({ min: 0, max: MINI_PARQUET.length - 1 }), fc.integer({ min: 0, max: 7 })).map(([at, bit]) => {
        const copy = MINI_PARQUET.slice();
        copy[at] = (copy[at] ?? 0) ^ (1 << bit);
        return copy;
      }),
    );
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(damaged, async (bytes) => {
        try {
          const rows = await readParquetTextColumn(bytes, { column: 'text', file: FILE });
          expect(rows.every((r) => typeof r === 'string')).toBe(true);
        } catch (error) {
          expect(isInvarlockError(error, 'E_DATASET_INVALID')).toBe(true);
          rejected++;
        }
      }),
      { seed: 20240611, numRuns: 300 },
    );
    expect(rejected).toBeGreaterThan(0);
  });
});
