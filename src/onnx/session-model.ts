/**
 * Session graphs whose weights stay in files (issue 12): the model's graph, with graph surgery (a
 * loss head, taps) and replaced tensors, in which every large initializer refers to bytes on disk.
 * onnxruntime is handed the small graph as bytes plus the folder its external data lives in, so no
 * JS copy of the model's weights exists and files of any size load (Node's typed arrays stop at
 * 4 GiB; onnxruntime reads the files itself).
 *
 * - Without replaced tensors the folder is the model's own directory: inline tensors refer to
 *   their `raw_data` bytes inside the `.onnx` file, external tensors keep their location.
 * - With replaced tensors (an edit, a LoRA merge, VE scales) a scratch folder gets one data file:
 *   the new payloads, then the unchanged tensors copied by range, chunk by chunk. The model
 *   directory is never written to (it may be read-only); the caller removes the scratch folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvarlockError, wrapError } from '../errors/index.js';
import { concatChunks } from './chunk-writer.js';
import { payloadByteLength } from './data-types.js';
import { inlineIfBranch, type IfBranch } from './graph-inline.js';
import { applyGraphSurgery } from './graph-surgery.js';
import { indexModel, listTensors } from './model-index.js';
import { spliceModel } from './splice-writer.js';
import { findTensor } from './tensor-decode.js';
import type { GraphSurgery, TensorEdit } from './edit-types.js';
import type { DataSource, ModelIndex, TensorRecord } from './types.js';

/** Where a model's files are: the `.onnx` file `index` was read from, and its data source. */
export interface ModelFileSet {
  /** Directory of the `.onnx` file; external locations are relative to it. */
  readonly directory: string;
  /** File name of the `.onnx` file inside `directory`. */
  readonly modelFile: string;
  readonly data: DataSource;
}

/** Options of {@link writeSessionModel}. */
export interface SessionModelOptions {
  readonly files: ModelFileSet;
  readonly surgery?: GraphSurgery;
  /** New data for tensors (`replace` edits only, raw layout). */
  readonly replace?: readonly Extract<TensorEdit, { kind: 'replace' }>[];
  /** An empty directory for the data file of a graph with replaced tensors; required when `replace` is not empty. */
  readonly scratchDirectory?: string;
  /** Inline tensors smaller than this stay inline. @default 1024 */
  readonly minReferenceBytes?: number;
  /** A top-level `If` to replace by the branch a fixed condition takes (before the surgery, whose taps may be branch values). */
  readonly inlineBranch?: { readonly node: string; readonly attribute: IfBranch };
  /** Largest read when unchanged tensors are copied into the scratch data file (the memory planner lowers it). @default 64 MiB */
  readonly copyChunkBytes?: number;
}

/** A session graph: its bytes and the folder onnxruntime resolves its external data against. */
export interface SessionModel {
  readonly bytes: Uint8Array;
  readonly folder: string;
  /** Bytes written to the scratch data file (0 without replaced tensors). */
  readonly writtenBytes: number;
}

/** Name of the data file written into the scratch directory. */
export const SESSION_DATA_FILE = 'invarlock-session.onnx_data';

const ALIGNMENT = 64;
const COPY_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * Builds a session graph (see the module comment). Throws the writer's and surgery's errors,
 * `E_GRAPH_EDIT` for a replaced tensor without a scratch directory, `E_OUTPUT_PATH` when the data
 * file cannot be written, and the data source's errors for unreadable external data.
 */
export function writeSessionModel(index: ModelIndex, options: SessionModelOptions): SessionModel {
  const replace = options.replace ?? [];
  const minBytes = options.minReferenceBytes ?? 1024;
  const initializers = listTensors(index).filter((t) => t.origin.kind === 'initializer');
  let references: TensorEdit[];
  let folder: string;
  let writtenBytes = 0;
  if (replace.length === 0) {
    folder = options.files.directory;
    references = initializers.flatMap((t): TensorEdit[] =>
      t.data.storage === 'raw' && t.data.end - t.data.start >= minBytes
        ? [{ kind: 'reference', tensor: t, location: options.files.modelFile, offset: t.data.start, length: t.data.end - t.data.start }]
        : [],
    );
  } else {
    if (options.scratchDirectory === undefined) {
      throw new InvarlockError('E_GRAPH_EDIT', `${index.source}: replaced tensors need a scratch directory for their data`, { details: { file: index.source } });
    }
    folder = options.scratchDirectory;
    const file = new AppendOnlyFile(path.join(folder, SESSION_DATA_FILE));
    try {
      references = [];
      const replaced = new Set<TensorRecord>();
      for (const edit of replace) {
        const tensor = findTensor(index, edit.tensor);
        replaced.add(tensor);
        const offset = file.append(edit.payload);
        references.push({
          kind: 'reference',
          tensor,
          location: SESSION_DATA_FILE,
          offset,
          length: edit.payload.length,
          ...(edit.dataType === undefined ? {} : { dataType: edit.dataType }),
          ...(edit.dims === undefined ? {} : { dims: edit.dims }),
        });
      }
      for (const tensor of initializers) {
        if (replaced.has(tensor)) continue;
        const copied = copyTensorData(index, tensor, options.files, file, minBytes, options.copyChunkBytes ?? COPY_CHUNK_BYTES);
        if (copied !== null) references.push({ kind: 'reference', tensor, location: SESSION_DATA_FILE, offset: copied.offset, length: copied.length });
      }
      writtenBytes = file.length;
    } finally {
      file.close();
    }
  }
  const referenced = spliceModel(index, references);
  const referencedIndex = indexModel(concatChunks(referenced.chunks), { source: index.source });
  const inline = options.inlineBranch;
  const small = inline === undefined ? referencedIndex : indexModel(inlineIfBranch(referencedIndex, inline.node, inline.attribute), { source: index.source });
  const bytes = options.surgery === undefined ? small.bytes : applyGraphSurgery(small, options.surgery).modelBytes;
  return { bytes, folder, writtenBytes };
}

/** Copies a tensor's stored bytes into `file` by range; null for tensors left inline (small or typed fields). */
function copyTensorData(index: ModelIndex, tensor: TensorRecord, files: ModelFileSet, file: AppendOnlyFile, minBytes: number, chunkBytes: number): { offset: number; length: number } | null {
  const data = tensor.data;
  if (data.storage === 'raw') {
    if (data.end - data.start < minBytes) return null;
    return { offset: file.append(index.bytes.subarray(data.start, data.end)), length: data.end - data.start };
  }
  if (data.storage !== 'external') return null;
  const length = data.length ?? payloadByteLength(tensor.dataType === 'UNKNOWN' ? 'FLOAT' : tensor.dataType, tensor.elementCount) ?? 0;
  const offset = file.align();
  for (let done = 0; done < length; done += chunkBytes) {
    const n = Math.min(chunkBytes, length - done);
    file.write(files.data.readRange({ location: data.location, offset: data.offset + done, length: n, tensor: tensor.name }));
  }
  return { offset, length };
}

/** A data file written front to back, tensors aligned to 64 bytes. */
class AppendOnlyFile {
  private readonly fd: number;
  length = 0;

  constructor(private readonly file: string) {
    try {
      this.fd = fs.openSync(file, 'w');
    } catch (error) {
      throw wrapError(error, 'E_OUTPUT_PATH', `cannot create session data file '${file}'`, { details: { file } });
    }
  }

  align(): number {
    const pad = (ALIGNMENT - (this.length % ALIGNMENT)) % ALIGNMENT;
    if (pad > 0) this.write(new Uint8Array(pad));
    return this.length;
  }

  append(bytes: Uint8Array): number {
    const offset = this.align();
    this.write(bytes);
    return offset;
  }

  write(bytes: Uint8Array): void {
    try {
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done, this.length + done);
    } catch (error) {
      throw wrapError(error, 'E_OUTPUT_PATH', `cannot write session data file '${this.file}' (disk full?)`, { details: { file: this.file } });
    }
    this.length += bytes.length;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
