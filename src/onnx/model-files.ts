/**
 * Model files on disk: opening a model with its external data, writing written models atomically
 * (temp file + rename, chunk by chunk so no joined copy is made), patching one tensor of a file in
 * place, and gathering every external file a session created from bytes needs.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvarlockError, readUntrustedFileSync, wrapError } from '../errors/index.js';
import { createDataSource } from './data-source.js';
import { indexModel } from './model-index.js';
import type { ModelSplice, ModelWriteResult } from './edit-types.js';
import type { BuiltModel, BuiltModelChunks } from './spec-types.js';
import type { DataSource, ExternalDataEntry, ModelIndex, TensorRecord } from './types.js';

/** A model opened from disk: its index (holding the bytes) and a data source for its directory. */
export interface OpenedModel {
  readonly index: ModelIndex;
  readonly source: DataSource;
}

/**
 * Reads and indexes an `.onnx` file; external data resolves against its directory.
 * Throws `E_FILE_NOT_FOUND`, `E_FILE_READ`, and the errors of `indexModel`.
 */
export function openModelFile(modelPath: string): OpenedModel {
  // A protobuf message cannot exceed 2 GiB; anything larger is not a model file.
  const bytes = readUntrustedFileSync(modelPath, { what: 'model file', maxBytes: 2 ** 31 });
  return { index: indexModel(bytes, { source: modelPath }), source: createDataSource({ directory: path.dirname(modelPath) }) };
}

/** What {@link writeModelFiles} writes: a splice, a joined result or a built model (joined or as chunks). */
export type WritableModel = ModelSplice | ModelWriteResult | BuiltModel | BuiltModelChunks;

/** Options of {@link writeModelFiles}. */
export interface WriteModelFilesOptions {
  readonly directory: string;
  /** @default 'model.onnx' */
  readonly modelFileName?: string;
}

/**
 * Writes the model file and its new external data files into `directory` (created if missing),
 * each through a temporary file renamed into place, so readers never see a partial file.
 * Returns the model file path. Throws `E_OUTPUT_PATH` when a file cannot be written or an
 * external location escapes the directory.
 */
export function writeModelFiles(model: WritableModel, options: WriteModelFilesOptions): string {
  const modelPath = path.join(options.directory, options.modelFileName ?? 'model.onnx');
  try {
    fs.mkdirSync(options.directory, { recursive: true });
  } catch (error) {
    throw wrapError(error, 'E_OUTPUT_PATH', `cannot create directory '${options.directory}'`, { details: { file: options.directory } });
  }
  const files: { path: string; chunks: readonly Uint8Array[] }[] =
    'chunks' in model ? [{ path: modelPath, chunks: model.chunks }] : [{ path: modelPath, chunks: [model.modelBytes] }];
  for (const entry of model.externalData) {
    const target = path.resolve(options.directory, entry.path);
    if (!target.startsWith(path.resolve(options.directory) + path.sep)) {
      throw new InvarlockError('E_OUTPUT_PATH', `external data location '${entry.path}' escapes '${options.directory}'`, { details: { file: entry.path } });
    }
    files.push({ path: target, chunks: 'data' in entry ? [entry.data] : entry.chunks });
  }
  // External files first: the model only appears once everything it refers to exists.
  for (const file of [...files.slice(1), files[0]!]) writeChunksAtomically(file.path, file.chunks);
  return modelPath;
}

/** Writes chunks to `target` via a temporary file in the same directory and a rename. */
export function writeChunksAtomically(target: string, chunks: readonly Uint8Array[]): void {
  const temporary = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  let fd: number | undefined;
  try {
    fd = fs.openSync(temporary, 'w');
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.length) done += fs.writeSync(fd, chunk, done, chunk.length - done);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temporary, target);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw wrapError(error, 'E_OUTPUT_PATH', `cannot write '${target}'`, { details: { file: target } });
  }
}

/** Options of {@link patchTensorInFile}. */
export interface PatchTensorInFileOptions {
  /** The `.onnx` file the tensor record was indexed from. */
  readonly modelPath: string;
  readonly tensor: TensorRecord;
  /** New data in `raw_data` layout, exactly as long as the old. */
  readonly payload: Uint8Array;
}

/**
 * Overwrites one tensor's data in place on disk (the model file for inline `raw_data`, or the
 * external data file at the tensor's offset): no copy of the model is made. Only same-size patches
 * of raw (or packed float_data/double_data) and external tensors are possible.
 * Throws `E_GRAPH_EDIT` when the tensor cannot be patched in place or the size differs,
 * `E_EXTERNAL_DATA_MISSING`, `E_OUTPUT_PATH` on write failure.
 */
export function patchTensorInFile(options: PatchTensorInFileOptions): void {
  const { tensor, payload, modelPath } = options;
  const data = tensor.data;
  let file: string;
  let offset: number;
  let length: number | undefined;
  if (data.storage === 'external') {
    file = path.join(path.dirname(modelPath), data.location);
    offset = data.offset;
    length = data.length ?? payload.length;
  } else if (data.storage === 'raw' || ((data.storage === 'float_data' || data.storage === 'double_data') && data.encoding === 'packed')) {
    file = modelPath;
    offset = data.start;
    length = data.end - data.start;
  } else {
    throw new InvarlockError('E_GRAPH_EDIT', `tensor '${tensor.name}' is stored as ${data.storage} and cannot be patched in place`, { details: { tensor: tensor.name, file: modelPath } });
  }
  if (length !== payload.length) {
    throw new InvarlockError('E_GRAPH_EDIT', `in-place patch of '${tensor.name}' must keep its ${length} bytes (got ${payload.length})`, {
      details: { tensor: tensor.name, file, expected: String(length), actual: String(payload.length) },
    });
  }
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch (error) {
    if (data.storage === 'external') throw new InvarlockError('E_EXTERNAL_DATA_MISSING', `external data file '${file}' of tensor '${tensor.name}' was not found`, { details: { tensor: tensor.name, file }, cause: error });
    throw wrapError(error, 'E_OUTPUT_PATH', `cannot open '${file}' for writing`, { details: { file } });
  }
  try {
    let done = 0;
    while (done < payload.length) done += fs.writeSync(fd, payload, done, payload.length - done, offset + done);
  } catch (error) {
    throw wrapError(error, 'E_OUTPUT_PATH', `cannot patch '${file}'`, { details: { file, tensor: tensor.name } });
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Every external file a session created from the written bytes needs: the new files plus the
 * original files it still refers to, read whole from `source`. Pass the result as
 * `InferenceSession.create(modelBytes, { externalData })`.
 */
export function collectSessionExternalData(written: ModelSplice | ModelWriteResult, source: DataSource): ExternalDataEntry[] {
  const fresh = new Set(written.externalData.map((entry) => entry.path));
  return [
    ...written.externalData,
    ...written.referencedExternalFiles.filter((location) => !fresh.has(location)).map((location) => ({ path: location, data: source.readFile(location) })),
  ];
}
