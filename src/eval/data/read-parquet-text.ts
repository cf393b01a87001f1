import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { parquetMetadata, parquetReadObjects, parquetSchema, type Compressors, type FileMetaData } from 'hyparquet';
import { InvarlockError, isInvarlockError } from '../../errors/index.js';
import { checkParquetLayout } from './check-parquet-layout.js';

// hyparquet decodes SNAPPY and UNCOMPRESSED itself; these two Node has built in. LZ4 and ZSTD files
// (not what the hub's datasets tooling writes) are refused with their codec named.
const COMPRESSORS: Compressors = {
  GZIP: (input) => new Uint8Array(gunzipSync(input)),
  BROTLI: (input) => new Uint8Array(brotliDecompressSync(input)),
};
const READABLE_CODECS: ReadonlySet<string> = new Set(['UNCOMPRESSED', 'SNAPPY', ...Object.keys(COMPRESSORS)]);

function invalid(file: string, message: string, extra: Readonly<Record<string, unknown>>, cause?: unknown): InvarlockError {
  return new InvarlockError('E_DATASET_INVALID', `Dataset file ${file}: ${message}`, {
    details: { file, ...extra },
    hint: 'The file should be a parquet file of the hub (one string column per row); or pass a local text copy with --dataset-path.',
    ...(cause === undefined ? {} : { cause }),
  });
}

function checkTextColumn(metadata: FileMetaData, column: string, file: string): void {
  const field = parquetSchema(metadata).children.find((child) => child.element.name === column);
  if (field === undefined) {
    throw invalid(file, `no column "${column}"`, { field: column, actual: parquetSchema(metadata).children.map((c) => c.element.name).join(', ') });
  }
  const { element } = field;
  const isString = element.type === 'BYTE_ARRAY' && (element.converted_type === 'UTF8' || element.logical_type?.type === 'STRING');
  if (field.children.length > 0 || !isString) {
    throw invalid(file, `column "${column}" is not a string column`, { field: column, expected: 'BYTE_ARRAY UTF8', actual: String(element.type ?? 'group') });
  }
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const codec = chunk.meta_data?.codec;
      if (codec !== undefined && !READABLE_CODECS.has(codec)) {
        throw invalid(file, `compression ${codec} is not supported`, { field: column, codec, expected: [...READABLE_CODECS].join(', ') });
      }
    }
  }
}

/**
 * The values of one string column of a parquet file, in row order; a null value reads as `''`.
 * Pages may be uncompressed, SNAPPY, GZIP or BROTLI compressed. Invalid UTF-8 decodes to U+FFFD.
 * The column's page layout is checked before decoding (see `checkParquetLayout`), so a damaged
 * file fails fast instead of stalling the decoder.
 *
 * @throws `E_DATASET_INVALID` when the bytes are not a readable parquet file, the column is missing or
 *   not a string column, its compression is not supported, or its pages are damaged (details.file,
 *   details.field, details.codec, details.offset).
 */
export async function readParquetTextColumn(bytes: Uint8Array, options: { readonly column: string; readonly file: string }): Promise<string[]> {
  const { column, file } = options;
  // hyparquet wants an ArrayBuffer of exactly the file (a Buffer may be a view into a larger pool).
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (!(buffer instanceof ArrayBuffer)) throw invalid(file, 'the bytes are in shared memory', {});
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(buffer);
  } catch (error) {
    throw invalid(file, 'not a parquet file', { reason: error instanceof Error ? error.message : String(error) }, error);
  }
  let rows: Record<string, unknown>[];
  try {
    checkTextColumn(metadata, column, file);
    const problem = checkParquetLayout(buffer, metadata, column);
    if (problem !== undefined) throw invalid(file, `damaged parquet file: ${problem.message}`, { field: column, offset: problem.offset });
    rows = await parquetReadObjects({ file: buffer, metadata, columns: [column], rowFormat: 'object', compressors: COMPRESSORS });
  } catch (error) {
    if (isInvarlockError(error)) throw error;
    // A damaged footer can decode to fields of the wrong type, which fail anywhere in the reader.
    throw invalid(file, 'the parquet data cannot be decoded', { field: column, reason: error instanceof Error ? error.message : String(error) }, error);
  }
  const total = Number(metadata.num_rows);
  if (rows.length !== total) {
    throw invalid(file, `${rows.length} rows decoded, the footer says ${total}`, { field: column, expected: String(total), actual: String(rows.length) });
  }
  const values: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i]?.[column];
    if (value === null || value === undefined) values.push('');
    else if (typeof value === 'string') values.push(value);
    else throw invalid(file, `row ${i} of column "${column}" is not a string`, { field: column, row: i, actual: typeof value });
  }
  return values;
}
