/**
 * Hostile files (#13 items 4, 7, 8): FIFOs, devices, directories, symlinks out of the model folder,
 * NUL bytes and over-long paths, wherever invarlock reads a file it did not write: configs,
 * tokenizers, config.json, external data (Constant nodes included), LoRA adapters, datasets and
 * certificates. Every case is bounded and must end in an E_* code with exit 2 (input) or 3
 * (runtime), never a stack trace or a hang.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { createGraphStore } from '../../src/adapters/load/graph-store.js';
import { loadPeftAdapter } from '../../src/edits/index.js';
import { ERROR_CODES, InvarlockError, isInvarlockError, modelFilesRoot, readUntrustedFile, readUntrustedFileSync } from '../../src/errors/index.js';
import { loadDataset } from '../../src/eval/index.js';
import { createDataSource, indexModel } from '../../src/onnx/index.js';
import { GPT2, LORAS, REPO_ROOT } from '../core/runner/runner-fixtures.js';
import { bounded, caseCounts, cliCase, countCase, expectCodedFailure, makeFifo, makeTemp, removeTemp } from './hostile-helpers.js';

const tmp = makeTemp();
const outside = join(tmp, 'outside');
mkdirSync(outside);
writeFileSync(join(outside, 'secret.bin'), Buffer.alloc(64, 7));
const fifo = makeFifo(join(tmp, 'pipe'));
const CONSTANT_EXTERNAL = join(REPO_ROOT, 'tests/fixtures/hostile/constant-external');

afterAll(() => {
  removeTemp(tmp);
  console.log(`hostile files: cases per family ${JSON.stringify(caseCounts())}`);
});

/** Expects `fn` to reject/throw an InvarlockError with one of `codes`, within the case bound. */
async function expectRefused(family: string, fn: () => unknown, codes: readonly string[]): Promise<InvarlockError> {
  countCase(family);
  const error = await bounded(family, Promise.resolve().then(fn).then(() => null, (e: unknown) => e));
  expect(isInvarlockError(error), String(error)).toBe(true);
  const e = error as InvarlockError;
  expect(codes, `${e.code}: ${e.message}`).toContain(e.code);
  return e;
}

/** A copy of gpt2-tiny whose file `name` is replaced by what `make` puts at the path. */
function modelWith(name: string, make: (path: string) => void): string {
  const dir = makeTemp(`${tmp}/model-`);
  for (const f of readdirSync(GPT2)) if (f !== name) copyFileSync(join(GPT2, f), join(dir, f));
  make(join(dir, name));
  return dir;
}

describe('the untrusted-file reader', () => {
  it('refuses FIFOs, devices and directories without blocking, and sizes before reading', async () => {
    const opts = { what: 'test file', maxBytes: 1024 };
    await expectRefused('files', () => readUntrustedFile(fifo, opts), ['E_FILE_TYPE']);
    await expectRefused('files', () => readUntrustedFileSync(fifo, opts), ['E_FILE_TYPE']);
    await expectRefused('files', () => readUntrustedFile('/dev/zero', opts), ['E_FILE_TYPE']);
    const zeroLink = join(tmp, 'zero-link');
    symlinkSync('/dev/zero', zeroLink);
    await expectRefused('files', () => readUntrustedFile(zeroLink, opts), ['E_FILE_TYPE']);
    await expectRefused('files', () => readUntrustedFile(tmp, opts), ['E_FILE_TYPE']);
    await expectRefused('files', () => readUntrustedFile(join(outside, 'secret.bin'), { what: 'x', maxBytes: 10 }), ['E_FILE_TOO_LARGE']);
    await expectRefused('files', () => readUntrustedFile(`${tmp}/a\0b`, opts), ['E_PATH_INVALID']);
    await expectRefused('files', () => readUntrustedFile(`/${'a'.repeat(5000)}`, opts), ['E_PATH_INVALID']);
    await expectRefused('files', () => readUntrustedFile(join(tmp, 'nope'), opts), ['E_FILE_NOT_FOUND']);
  });

  it('keeps a file inside its directory once symlinks are resolved', async () => {
    const dir = join(tmp, 'within');
    mkdirSync(dir);
    symlinkSync(join(outside, 'secret.bin'), join(dir, 'link.bin'));
    symlinkSync(outside, join(dir, 'folder'));
    const opts = { what: 'x', maxBytes: 1024, within: dir };
    await expectRefused('files', () => readUntrustedFile(join(dir, 'link.bin'), opts), ['E_PATH_ESCAPE']);
    await expectRefused('files', () => readUntrustedFile(join(dir, 'folder', 'secret.bin'), opts), ['E_PATH_ESCAPE']);
  });

  it('treats a Hugging Face cache repository folder as the root of its snapshots (their files link into blobs/)', () => {
    const snapshot = join('/cache', 'models--org--name', 'snapshots', 'abc', 'onnx');
    expect(modelFilesRoot(snapshot)).toBe(join('/cache', 'models--org--name'));
    expect(modelFilesRoot('/work/model')).toBe('/work/model');
  });

  it('turns arbitrary path strings into a read or an InvarlockError, never a foreign error (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (name) => {
        countCase('files');
        const result = await readUntrustedFile(join(tmp, name), { what: 'x', maxBytes: 1024 }).then(() => null, (e: unknown) => e);
        if (result !== null) expect(isInvarlockError(result), String(result)).toBe(true);
      }),
      { seed: 13, numRuns: 60 },
    );
  });
});

describe('external data', () => {
  const model = readFileSync(join(CONSTANT_EXTERNAL, 'model.onnx'));

  function modelDir(make: (path: string) => void): string {
    const dir = makeTemp(`${tmp}/ext-`);
    writeFileSync(join(dir, 'model.onnx'), model);
    make(join(dir, 'const.bin'));
    return dir;
  }

  it('refuses an external file that is a symlink out of the model folder, a FIFO or /dev/zero', async () => {
    const cases: [string, (p: string) => void, string][] = [
      ['symlink out', (p) => symlinkSync(join(outside, 'secret.bin'), p), 'E_PATH_ESCAPE'],
      ['fifo', (p) => makeFifo(p), 'E_FILE_TYPE'],
      ['dev zero', (p) => symlinkSync('/dev/zero', p), 'E_FILE_TYPE'],
      ['directory', (p) => mkdirSync(p), 'E_FILE_TYPE'],
      ['missing', () => undefined, 'E_EXTERNAL_DATA_MISSING'],
    ];
    for (const [, make, code] of cases) {
      const dir = modelDir(make);
      const source = createDataSource({ directory: dir });
      await expectRefused('external-data', () => source.readRange({ location: 'const.bin', offset: 0, length: 16, tensor: 'c' }), [code]);
      source.close();
    }
  });

  it('refuses a location through a symlinked folder and a location with a NUL byte', async () => {
    const dir = makeTemp(`${tmp}/ext-`);
    symlinkSync(outside, join(dir, 'sub'));
    const source = createDataSource({ directory: dir });
    await expectRefused('external-data', () => source.readRange({ location: 'sub/secret.bin', offset: 0, length: 16, tensor: 't' }), ['E_PATH_ESCAPE']);
    await expectRefused('external-data', () => source.readRange({ location: 'a\0b.bin', offset: 0, length: 16, tensor: 't' }), ['E_PATH_INVALID']);
    source.close();
  });

  it('turns arbitrary locations, offsets and lengths into data or an InvarlockError (property)', () => {
    const dir = modelDir((p) => copyFileSync(join(CONSTANT_EXTERNAL, 'const.bin'), p));
    const source = createDataSource({ directory: dir });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('const.bin', '../outside/secret.bin', '/etc/passwd', 'a/../const.bin')), fc.integer({ min: -4, max: 64 }), fc.integer({ min: -4, max: 64 }), (location, offset, length) => {
        countCase('external-data');
        try {
          source.readRange({ location, offset, length, tensor: 't' });
        } catch (error) {
          expect(isInvarlockError(error), String(error)).toBe(true);
        }
      }),
      { seed: 13, numRuns: 120 },
    );
    source.close();
  });

  it("hands onnxruntime a Constant node's external file, so nothing resolves against the working directory", async () => {
    countCase('external-data');
    const index = indexModel(model, { source: 'constant-external/model.onnx' });
    const store = createGraphStore(index, CONSTANT_EXTERNAL);
    expect(store.externalLocations).toEqual(['const.bin']);
    // The test's working directory (the repository root) has no const.bin: a location left to
    // onnxruntime would fail to load, or read an attacker's file of that name.
    const session = await ort.InferenceSession.create(index.bytes, { externalData: store.externalLocations.map((path) => ({ path, data: store.externalBuffer(path) })) });
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([10, 20, 30, 40]), [4]) });
    expect(Array.from(out['y']!.data as Float32Array)).toEqual([11, 22, 33, 44]);
    await session.release();
  });
});

describe('LoRA adapters', () => {
  function adapterWith(safetensors: (path: string) => void): string {
    const dir = makeTemp(`${tmp}/lora-`);
    copyFileSync(join(LORAS, 'gpt2-tiny-lora', 'adapter_config.json'), join(dir, 'adapter_config.json'));
    safetensors(join(dir, 'adapter_model.safetensors'));
    return dir;
  }
  const header = (json: string): Buffer => {
    const body = Buffer.from(json.padEnd(Math.ceil(json.length / 8) * 8, ' '));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(body.length));
    return Buffer.concat([length, body]);
  };

  it('refuses an empty adapter ({} header, or only __metadata__) instead of certifying the unchanged model', async () => {
    for (const json of ['{}', '{"__metadata__":{"format":"pt"}}']) {
      const dir = adapterWith((p) => writeFileSync(p, header(json)));
      await expectRefused('lora', () => loadPeftAdapter(dir), ['E_LORA_INVALID']);
    }
  });

  it('refuses a FIFO or a link to /dev/zero as adapter_model.safetensors without blocking', async () => {
    await expectRefused('lora', () => loadPeftAdapter(adapterWith((p) => makeFifo(p))), ['E_FILE_TYPE']);
    await expectRefused('lora', () => loadPeftAdapter(adapterWith((p) => symlinkSync('/dev/zero', p))), ['E_FILE_TYPE']);
  });
});

describe('datasets', () => {
  it('refuses a FIFO, a directory and a provider path carrying a line break and a workflow command', async () => {
    await expectRefused('datasets', () => loadDataset(`text:${fifo}`), ['E_DATASET_MISSING']);
    await expectRefused('datasets', () => loadDataset(`text:${tmp}`), ['E_DATASET_MISSING']);
    await expectRefused('datasets', () => loadDataset('text:data/x\n::error::INJECT', { cwd: tmp }), ['E_DATASET_MISSING', 'E_DATASET_SPEC']);
  });
});

describe('the CLI on hostile files', () => {
  it('--config: FIFO, directory, NUL byte, over-long path and 20k unknown keys end in exit-2 codes', async () => {
    expectCodedFailure(await cliCase('config', ['certify', '--config', fifo]), 'E_FILE_TYPE');
    expectCodedFailure(await cliCase('config', ['certify', '--config', tmp]), 'E_FILE_TYPE');
    expectCodedFailure(await cliCase('config', ['certify', '--config', `${tmp}/a\0b.yaml`]), 'E_PATH_INVALID');
    expectCodedFailure(await cliCase('config', ['certify', '--config', `/${'a'.repeat(5000)}.yaml`]), 'E_PATH_INVALID');
    // 20k keys took 18 s before duplicate keys were found in linear time (100k: minutes).
    const many = join(tmp, 'many-keys.yaml');
    writeFileSync(many, `baseline: ${GPT2}\n${Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n')}\n`);
    const result = await cliCase('config', ['certify', '--config', many]);
    expectCodedFailure(result, 'E_CONFIG_INVALID');
    expect(result.text).toContain("'k0'");
  });

  it('--config: generated YAML/JSON text ends in E_CONFIG_PARSE or E_CONFIG_INVALID (property)', async () => {
    const file = join(tmp, 'generated.yaml');
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 3 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })).map((d) => JSON.stringify(d))), async (text) => {
        writeFileSync(file, text);
        expectCodedFailure(await cliCase('config', ['certify', '--config', file]), ['E_CONFIG_PARSE', 'E_CONFIG_INVALID']);
      }),
      { seed: 13, numRuns: 40 },
    );
  });

  it('tokenizer.json and config.json as a directory or a FIFO end in E_FILE_TYPE (exit 2)', async () => {
    const flags = ['--edit', 'noop', '--profile', 'dev', '--device', 'cpu', '--out', join(tmp, 'unused-out')];
    expectCodedFailure(await cliCase('tokenizers', ['certify', '--baseline', modelWith('tokenizer.json', (p) => makeFifo(p)), ...flags]), 'E_FILE_TYPE');
    expectCodedFailure(await cliCase('tokenizers', ['certify', '--baseline', modelWith('config.json', (p) => mkdirSync(p)), ...flags]), 'E_FILE_TYPE');
  });

  it('--out naming a file or a folder under /proc is E_OUTPUT_PATH before any evaluation', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    for (const out of [file, '/proc/self/invarlock-out', `${tmp}/o\0ut`]) {
      const result = await cliCase('output', ['certify', '--baseline', GPT2, '--edit', 'noop', '--profile', 'dev', '--device', 'cpu', '--out', out]);
      expectCodedFailure(result, 'E_OUTPUT_PATH');
      expect(result.text).not.toContain('prepare');
    }
  });

  it('verify: a FIFO, /dev/zero, a directory and random bytes as the certificate end in exit 2, never a hang', async () => {
    const garbage = join(tmp, 'garbage.cert.json');
    writeFileSync(garbage, Buffer.from([0xff, 0x00, 0x7b, 0x22]));
    for (const cert of [fifo, '/dev/zero', tmp, garbage]) {
      countCase('certificates');
      const { code, text } = await cliCase('certificates', ['verify', '--json', cert]);
      expect(code, text).toBe(2);
      expect(text).not.toMatch(/^\s+at .+:\d+:\d+/m);
    }
  });

  it('unknown flags and bad choices print E_USAGE (exit 2), with a JSON record under --json (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.stringMatching(/^--[a-z][a-z-]{0,15}$/).filter((f) => !['--config', '--baseline', '--subject', '--help', '--json', '--out', '--edit', '--dataset', '--device', '--tier', '--profile', '--adapter', '--seed', '--shard', '--stride', '--threads'].some((k) => k.startsWith(f))).map((f) => ['certify', f]),
          fc.tuple(fc.constantFrom('--profile', '--tier', '--device', '--adapter', '--edit'), fc.stringMatching(/^[a-z_]{1,10}$/)).filter(([, v]) => !['dev', 'ci', 'ci_cpu', 'release', 'balanced', 'conservative', 'aggressive', 'auto', 'cpu', 'cuda', 'onnx_causal', 'onnx_mlm', 'onnx_seq2seq', 'onnx_cls', 'quant_rtn', 'lora', 'noop'].includes(v)).map(([f, v]) => ['certify', f, v]),
        ),
        async (argv) => {
          const result = await cliCase('usage', [...argv, '--json']);
          expectCodedFailure(result, 'E_USAGE');
          expect(result.text).toContain('"code":"E_USAGE"');
        },
      ),
      { seed: 13, numRuns: 40 },
    );
  });

  it('every code the suite met is in the table with its documented exit status', () => {
    for (const code of ['E_FILE_TYPE', 'E_FILE_TOO_LARGE', 'E_PATH_INVALID', 'E_PATH_ESCAPE', 'E_OUTPUT_PATH', 'E_USAGE', 'E_LORA_INVALID'] as const) expect(ERROR_CODES[code].exit).toBe(2);
  });
});
