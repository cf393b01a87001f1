/**
 * External tensor data: resolves `external_data.location` against in-memory files and the model's
 * directory, reading files by offset in chunks with `fs.readSync` (so files over 2 GiB work).
 */
import { constants as bufferConstants } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvarlockError, isInvarlockError, modelFilesRoot, openUntrustedFileSync, UNTRUSTED_FILE_LIMITS, wrapError } from '../errors/index.js';
import { copyBytes } from './chunk-writer.js';
import type { DataSource, DataSourceOptions } from './types.js';

/** The most bytes one read returns: Node's typed-array limit (2^32 on 64-bit builds). */
const MAX_ARRAY_BYTES = Math.min(bufferConstants.MAX_LENGTH, 2 ** 32);

/** Defaults of {@link DataSourceOptions}. */
export const DATA_SOURCE_DEFAULTS = Object.freeze({ chunkBytes: 64 * 1024 * 1024 } as const);

/**
 * Makes a {@link DataSource}. Without `directory` and `files` every external read throws
 * `E_EXTERNAL_DATA_MISSING` (fine for models whose data is all inline).
 * Locations that are absolute or climb out of `directory` (`../x`) are refused with `E_MODEL_PARSE`,
 * like onnxruntime does.
 */
export function createDataSource(options: DataSourceOptions = {}): DataSource {
  const memory = new Map<string, Uint8Array>();
  for (const entry of options.files ?? []) memory.set(normaliseLocation(entry.path), entry.data);
  const chunkBytes = options.chunkBytes ?? DATA_SOURCE_DEFAULTS.chunkBytes;
  const open = new Map<string, { fd: number; size: number }>();

  const resolve = (location: string, tensor: string): string => {
    const relative = normaliseLocation(location);
    if (path.isAbsolute(location) || relative.startsWith('../') || relative === '..') {
      throw new InvarlockError('E_MODEL_PARSE', `tensor '${tensor}' points outside the model directory: '${location}'`, {
        hint: 'External data locations must be relative paths inside the model directory.',
        details: { tensor, field: 'external_data.location', actual: location },
      });
    }
    return relative;
  };

  const missing = (location: string, tensor: string, cause?: unknown): InvarlockError =>
    new InvarlockError('E_EXTERNAL_DATA_MISSING', `external data file '${location}' of tensor '${tensor}' was not found`, {
      hint: 'Keep the .onnx_data file(s) next to the .onnx file, with the names written in the model.',
      details: { tensor, file: options.directory === undefined ? location : path.join(options.directory, location) },
      ...(cause === undefined ? {} : { cause }),
    });

  const fileOf = (relative: string, location: string, tensor: string): { fd: number; size: number } => {
    const cached = open.get(relative);
    if (cached !== undefined) return cached;
    if (options.directory === undefined) throw missing(location, tensor);
    const file = path.join(options.directory, relative);
    let opened: { fd: number; sizeBytes: number };
    try {
      // Regular files whose real path stays in the model's directory (a symlink out of it, or a FIFO, is refused: #13).
      opened = openUntrustedFileSync(file, { what: `external data file of tensor '${tensor}'`, maxBytes: UNTRUSTED_FILE_LIMITS.modelBytes, within: modelFilesRoot(options.directory), missingCode: 'E_EXTERNAL_DATA_MISSING' });
    } catch (error) {
      if (isInvarlockError(error, 'E_EXTERNAL_DATA_MISSING')) throw missing(location, tensor, error);
      throw error;
    }
    const entry = { fd: opened.fd, size: opened.sizeBytes };
    open.set(relative, entry);
    return entry;
  };

  const sizeOf = (location: string, tensor: string): number => {
    const relative = resolve(location, tensor);
    return memory.get(relative)?.length ?? fileOf(relative, location, tensor).size;
  };

  const readRange: DataSource['readRange'] = ({ location, offset, length, tensor }) => {
    const relative = resolve(location, tensor);
    const size = sizeOf(location, tensor);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
      throw new InvarlockError('E_TENSOR_RANGE', `tensor '${tensor}' reads bytes [${offset}, ${offset + length}) of '${location}', which has ${size}`, {
        details: { tensor, file: location, offset, expected: `at most ${size} bytes`, actual: String(offset + length) },
      });
    }
    if (length > MAX_ARRAY_BYTES) {
      // Node cannot hold this many bytes in one typed array; sessions read such files themselves (writeSessionModel)
      throw new InvarlockError('E_TENSOR_RANGE', `reading ${length} bytes of '${location}' for '${tensor}' at once exceeds the ${MAX_ARRAY_BYTES}-byte limit of one array`, {
        details: { tensor, file: location, offset, expected: `at most ${MAX_ARRAY_BYTES} bytes per read`, actual: String(length) },
        hint: 'Read the file by range; a whole external data file over 4 GiB cannot be held in memory as one array.',
      });
    }
    const inMemory = memory.get(relative);
    if (inMemory !== undefined) return copyBytes(inMemory, offset, offset + length);
    const { fd } = fileOf(relative, location, tensor);
    const out = new Uint8Array(length);
    let done = 0;
    try {
      while (done < length) {
        const read = fs.readSync(fd, out, done, Math.min(chunkBytes, length - done), offset + done);
        if (read === 0) break;
        done += read;
      }
    } catch (error) {
      throw wrapError(error, 'E_FILE_READ', `cannot read external data file '${location}'`, { details: { file: location, tensor } });
    }
    if (done < length) {
      throw new InvarlockError('E_TENSOR_RANGE', `external data file '${location}' ended after ${offset + done} bytes while reading tensor '${tensor}'`, {
        details: { tensor, file: location, offset: offset + done },
      });
    }
    return out;
  };

  return {
    readRange,
    sizeOf,
    readFile: (location) => readRange({ location, offset: 0, length: sizeOf(location, location), tensor: location }),
    close: () => {
      for (const { fd } of open.values()) fs.closeSync(fd);
      open.clear();
    },
  };
}

/** Normalises an external location (forward slashes, no `./`) so that lookups match onnxruntime's. */
function normaliseLocation(location: string): string {
  return path.posix.normalize(location.replaceAll('\\', '/')).replace(/^\.\//, '');
}
