import type { FileMetaData } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';

/** A problem found in a parquet file's layout: what and where (byte offset). */
export interface ParquetLayoutProblem {
  readonly message: string;
  readonly offset: number;
}

// Thrift fields decode to whatever type the bytes claim: a damaged file can turn a count into a
// boolean or a huge number, on which hyparquet's decoders loop for minutes. Counts are checked here.
function count(value: unknown, max: number): number | undefined {
  const n = typeof value === 'bigint' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= max ? n : undefined;
}

function checkPage(header: ReturnType<typeof parquetHeader>, rows: number): string | undefined {
  const size = count(header.compressed_page_size, Number.MAX_SAFE_INTEGER);
  const fullSize = count(header.uncompressed_page_size, 1 << 30);
  if (size === undefined || fullSize === undefined) return 'page sizes are not byte counts';
  switch (header.type) {
    case 'DICTIONARY_PAGE': {
      // Each BYTE_ARRAY entry takes at least its 4-byte length.
      const entries = count(header.dictionary_page_header?.num_values, Math.floor(fullSize / 4));
      return entries === undefined ? 'a dictionary page has more entries than bytes' : undefined;
    }
    case 'DATA_PAGE':
      return count(header.data_page_header?.num_values, rows) === undefined ? 'a data page has more values than its row group has rows' : undefined;
    case 'DATA_PAGE_V2': {
      const v2 = header.data_page_header_v2;
      const levels = (count(v2?.definition_levels_byte_length, size) ?? Infinity) + (count(v2?.repetition_levels_byte_length, size) ?? Infinity);
      if ([v2?.num_values, v2?.num_rows, v2?.num_nulls].some((v) => count(v, rows) === undefined)) return 'a data page has more values than its row group has rows';
      return levels > size ? 'a data page has more level bytes than bytes' : undefined;
    }
    case 'INDEX_PAGE':
      return undefined;
    default:
      return 'a page has an unknown type';
  }
}

/**
 * Checks that one flat column's pages fit the file before hyparquet decodes them: every column
 * chunk lies inside the file, its page headers parse, page sizes stay inside the chunk, page value
 * counts stay within the row group's rows, and the chunk's data pages hold the row group's rows.
 * Returns the first problem, or `undefined` for a sound layout.
 */
export function checkParquetLayout(buffer: ArrayBuffer, metadata: FileMetaData, column: string): ParquetLayoutProblem | undefined {
  const fileRows = count(metadata.num_rows, Number.MAX_SAFE_INTEGER);
  if (fileRows === undefined) return { message: 'the footer row count is not a count', offset: buffer.byteLength };
  let total = 0;
  for (const group of metadata.row_groups) {
    const rows = count(group.num_rows, fileRows);
    if (rows === undefined) return { message: 'a row group has more rows than the file', offset: buffer.byteLength };
    total += rows;
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (meta === undefined || meta.path_in_schema.join('.') !== column) continue;
      const start = count(meta.dictionary_page_offset || meta.data_page_offset, buffer.byteLength);
      const length = count(meta.total_compressed_size, buffer.byteLength);
      if (start === undefined || length === undefined || start + length > buffer.byteLength) {
        return { message: 'a column chunk lies outside the file', offset: buffer.byteLength };
      }
      let offset = start;
      let values = 0;
      while (offset < start + length) {
        const reader = { view: new DataView(buffer, offset, start + length - offset), offset: 0 };
        let header: ReturnType<typeof parquetHeader>;
        try {
          header = parquetHeader(reader);
        } catch {
          return { message: 'a page header cannot be parsed', offset };
        }
        const problem = checkPage(header, rows);
        if (problem !== undefined) return { message: problem, offset };
        offset += reader.offset + header.compressed_page_size;
        if (offset > start + length) return { message: 'a page runs past its column chunk', offset };
        if (header.type === 'DATA_PAGE') values += header.data_page_header?.num_values ?? 0;
        if (header.type === 'DATA_PAGE_V2') values += header.data_page_header_v2?.num_rows ?? 0;
      }
      if (values !== rows) return { message: `the pages hold ${values} rows, the row group ${rows}`, offset: start };
    }
  }
  if (total !== fileRows) return { message: `the row groups hold ${total} rows, the footer ${fileRows}`, offset: buffer.byteLength };
  return undefined;
}
