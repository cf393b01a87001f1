import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeReference, resolveModel } from '../../src/hub/index.js';
import { isInvarlockError } from '../../src/errors/index.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'invarlock-hub-local-'));
  await mkdir(join(root, 'flat'));
  await writeFile(join(root, 'flat', 'model.onnx'), 'x');
  await writeFile(join(root, 'flat', 'model.onnx_data'), 'x');
  await writeFile(join(root, 'flat', 'tokenizer.json'), '{}');
  await mkdir(join(root, 'tfjs', 'onnx'), { recursive: true });
  for (const name of ['model_q4.onnx', 'model.onnx', 'model_fp16.onnx', 'decoder_model_merged.onnx']) {
    await writeFile(join(root, 'tfjs', 'onnx', name), 'x');
  }
  await mkdir(join(root, 'empty'));
  await writeFile(join(root, 'notes.txt'), 'x');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; file: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (isInvarlockError(error)) return { code: error.code, file: error.details.file };
    throw error;
  }
  throw new Error('resolved');
}

describe('resolveModel with local references', () => {
  it('returns a directory with its model.onnx', async () => {
    const model = await resolveModel('flat', { cwd: root });
    expect(model.dir).toBe(join(root, 'flat'));
    expect(model.onnxFiles).toEqual([join(root, 'flat', 'model.onnx')]);
    expect(model.files).toEqual([]);
    expect(describeReference(model)).toEqual({
      kind: 'local', input: 'flat', repo: null, revision: null, commit: null, file: null, path: join(root, 'flat'), source: 'local',
    });
  });

  it('lists every candidate of the onnx/ layout, full precision first', async () => {
    const model = await resolveModel(join(root, 'tfjs'));
    expect(model.onnxFiles.map((p) => p.slice(join(root, 'tfjs').length + 1))).toEqual([
      'onnx/model.onnx', 'onnx/decoder_model_merged.onnx', 'onnx/model_fp16.onnx', 'onnx/model_q4.onnx',
    ]);
  });

  it('takes a single .onnx file with its directory for tokenizer and config', async () => {
    const file = join(root, 'tfjs', 'onnx', 'model_q4.onnx');
    const model = await resolveModel(file);
    expect(model.dir).toBe(join(root, 'tfjs', 'onnx'));
    expect(model.onnxFiles).toEqual([file]);
  });

  it('names the missing path with E_FILE_NOT_FOUND', async () => {
    expect(await codeOf(resolveModel('nope', { cwd: root }))).toEqual({ code: 'E_FILE_NOT_FOUND', file: join(root, 'nope') });
  });

  it('refuses a directory without ONNX files and a file that is not .onnx with E_MODEL_REF', async () => {
    expect(await codeOf(resolveModel(join(root, 'empty')))).toEqual({ code: 'E_MODEL_REF', file: join(root, 'empty') });
    expect(await codeOf(resolveModel(join(root, 'notes.txt')))).toEqual({ code: 'E_MODEL_REF', file: join(root, 'notes.txt') });
  });
});
