import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvarlockError, wrapError } from '../errors/index.js';
import { listOnnxFiles, ONNX_SEARCH_DIRS } from './onnx-candidates.js';
import type { ModelReference, ResolvedModel } from './types.js';

type LocalReference = Extract<ModelReference, { kind: 'local' }>;

/**
 * Resolves a local reference: a directory (its ONNX files in the root and `onnx/`, ranked), or a
 * single `.onnx` file (whose directory must hold tokenizer.json / config.json).
 *
 * @throws `E_FILE_NOT_FOUND` when the path does not exist; `E_FILE_READ` when it cannot be read;
 *   `E_MODEL_REF` when it is neither a directory nor an `.onnx` file, or a directory without ONNX files.
 */
export async function resolveLocalModel(reference: LocalReference, cwd: string): Promise<ResolvedModel> {
  const path = resolve(cwd, reference.path);
  const info = await stat(path).catch((error: unknown) => {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new InvarlockError('E_FILE_NOT_FOUND', `Model path ${path} does not exist`, {
        details: { file: path },
        hint: 'Check the path, or use hf:org/name[@revision] for a Hugging Face repository.',
      });
    }
    throw wrapError(error, 'E_FILE_READ', `Cannot read model path ${path}`, { details: { file: path } });
  });
  const description = { kind: 'local', input: reference.input, path } as const;

  if (info.isDirectory()) {
    const found = await listOnnxFiles(path).catch((error: unknown) => {
      throw wrapError(error, 'E_FILE_READ', `Cannot list ${path}`, { details: { file: path } });
    });
    if (found.length === 0) {
      throw new InvarlockError('E_MODEL_REF', `No .onnx file in ${path}`, {
        details: { file: path, searched: ONNX_SEARCH_DIRS.map((d) => (d === '' ? '.' : `${d}/`)) },
        hint: 'Export the model to ONNX first (e.g. `optimum-cli export onnx`), or point at the .onnx file.',
      });
    }
    return { reference: description, dir: path, onnxFiles: found.map((p) => join(path, p)), files: [] };
  }
  if (info.isFile() && path.endsWith('.onnx')) {
    return { reference: description, dir: dirname(path), onnxFiles: [path], files: [] };
  }
  throw new InvarlockError('E_MODEL_REF', `${path} is neither a directory nor an .onnx file`, {
    details: { file: path, expected: 'a directory or an .onnx file' },
  });
}
