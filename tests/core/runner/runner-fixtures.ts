/**
 * Shared helpers of the certify-runner and end-to-end tests: paths of the trained fixtures, a
 * small evaluation text cut from WikiText-2, run configs with small window counts, and writers of
 * derived subjects (a model with one initializer changed, a PEFT adapter with another config, a
 * tokenizer with two vocabulary ids swapped). Everything derived goes to a temporary directory.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRunConfigFile, resolveRunConfig, type RunConfig, type RunConfigFile, type RunEvent } from '../../../src/core/index.js';
import { createDataSource, indexModel, readTensorFloat32, writeModel } from '../../../src/onnx/index.js';

/** The repository root (tests/core/runner → ../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const MODELS = join(REPO_ROOT, 'tests/fixtures/models');
export const LORAS = join(REPO_ROOT, 'tests/fixtures/lora');
export const GPT2 = join(MODELS, 'gpt2-tiny');

/** Files of a fixture model directory besides model.onnx. */
const SIDE_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

/**
 * A prefix of WikiText-2 valid.txt (about 200 kB, cut at a blank line; committed with its licence in
 * tests/fixtures/data/wikitext-2): tokenizing the whole 1.1 MB file costs ~4 s per run on two cores,
 * and 64 windows of 64 tokens need a small fraction of it.
 */
export function evalTextPath(): string {
  return join(REPO_ROOT, 'tests/fixtures/data/wikitext-2/valid-200k.txt');
}

/** A fresh temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `invarlock-${prefix}-`));
}

/** The small-sample defaults every runner test uses: dev profile, seq_len 64, 32/32 windows. */
export function smallDataset(overrides: NonNullable<RunConfigFile['dataset']> = {}): NonNullable<RunConfigFile['dataset']> {
  return { provider: `text:${evalTextPath()}`, seq_len: 64, preview_n: 32, final_n: 32, ...overrides };
}

/**
 * A resolved run config: dev profile, CPU (exact comparisons such as a noop's ratio of 1 need the
 * deterministic provider) and {@link smallDataset} unless the record says otherwise.
 */
export function runConfig(record: Omit<RunConfigFile, 'dataset'> & { readonly dataset?: RunConfigFile['dataset'] }, label = 'test'): RunConfig {
  const { dataset, ...rest } = record;
  return resolveRunConfig(parseRunConfigFile({ profile: 'dev', device: 'cpu', ...rest, dataset: smallDataset(dataset ?? {}) }, label), label);
}

/** Collects events of a run, for `options.onEvent`. */
export function eventLog(): { readonly events: RunEvent[]; readonly onEvent: (event: RunEvent) => void } {
  const events: RunEvent[] = [];
  return { events, onEvent: (event) => events.push(event) };
}

/** Copies a model directory's side files (config, tokenizer) into `to`. */
export function copySideFiles(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const file of SIDE_FILES) cpSync(join(from, file), join(to, file));
}

/**
 * Writes `to/model.onnx`: the model of `from` with the float initializers `edit` returns new
 * values for (same length, float32) replaced, plus the side files. Returns `to`.
 */
export function writeEditedModel(from: string, to: string, edit: (name: string, values: Float32Array) => Float32Array | undefined): string {
  const bytes = new Uint8Array(readFileSync(join(from, 'model.onnx')));
  const index = indexModel(bytes, { source: join(from, 'model.onnx') });
  const source = createDataSource({ directory: from });
  const edits = index.graphs[0]!.initializers.flatMap((tensor) => {
    if (tensor.dataType !== 'FLOAT') return [];
    const values = edit(tensor.name, readTensorFloat32(index, tensor, source));
    if (values === undefined) return [];
    return [{ kind: 'replace' as const, tensor, payload: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) }];
  });
  if (edits.length === 0) throw new Error(`writeEditedModel: no initializer of ${from} was edited`);
  const written = writeModel(index, edits);
  copySideFiles(from, to);
  writeFileSync(join(to, 'model.onnx'), written.modelBytes);
  return to;
}

/** `to` = gpt2-tiny with one initializer multiplied by `factor`. */
export function writeScaledModel(to: string, initializer: string, factor: number): string {
  return writeEditedModel(GPT2, to, (name, values) => (name === initializer ? values.map((v) => v * factor) : undefined));
}

/** `to` = gpt2-tiny with `value` (NaN, Infinity) at position `at` of one initializer. */
export function writePlantedModel(to: string, initializer: string, at: number, value: number): string {
  return writeEditedModel(GPT2, to, (name, values) => {
    if (name !== initializer) return undefined;
    const copy = Float32Array.from(values);
    copy[at] = value;
    return copy;
  });
}

/** `to` = a copy of a fixture PEFT adapter with config keys replaced (e.g. a huge `lora_alpha`). */
export function writeAdapterVariant(from: string, to: string, configOverrides: Readonly<Record<string, unknown>>): string {
  mkdirSync(to, { recursive: true });
  cpSync(join(from, 'adapter_model.safetensors'), join(to, 'adapter_model.safetensors'));
  const config = JSON.parse(readFileSync(join(from, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(to, 'adapter_config.json'), `${JSON.stringify({ ...config, ...configOverrides }, null, 2)}\n`);
  return to;
}

/**
 * `to` = a copy of a model directory whose tokenizer.json has the ids of two vocabulary entries
 * swapped: a valid tokenizer (merges name strings, not ids) that maps the same text to other ids.
 */
export function writeSwappedTokenizerModel(from: string, to: string, a: string, b: string): string {
  copySideFiles(from, to);
  cpSync(join(from, 'model.onnx'), join(to, 'model.onnx'));
  const tokenizer = JSON.parse(readFileSync(join(from, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } };
  const vocab = tokenizer.model.vocab;
  const idA = vocab[a];
  const idB = vocab[b];
  if (idA === undefined || idB === undefined) throw new Error(`vocabulary lacks '${a}' or '${b}'`);
  vocab[a] = idB;
  vocab[b] = idA;
  writeFileSync(join(to, 'tokenizer.json'), JSON.stringify(tokenizer));
  return to;
}

/** In-process CLI streams: what `runCli` writes, collected; not a TTY, no colour. */
export interface CliIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { readonly isTTY: false; write(text: string): boolean };
  readonly stderr: { readonly isTTY: false; write(text: string): boolean };
  readonly signal: AbortSignal;
  readonly out: () => string;
  readonly err: () => string;
}

/** Streams for `runCli(argv, io)`; `onStderr` sees each write (e.g. to abort mid-run). */
export function cliIo(options: { readonly cwd?: string; readonly signal?: AbortSignal; readonly onStderr?: (text: string) => void } = {}): CliIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    cwd: options.cwd ?? REPO_ROOT,
    env: { NO_COLOR: '1' },
    stdout: { isTTY: false, write: (text) => out.push(text) > 0 },
    stderr: {
      isTTY: false,
      write: (text) => {
        err.push(text);
        options.onStderr?.(text);
        return true;
      },
    },
    signal: options.signal ?? new AbortController().signal,
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

/** CLI flags for the small evaluation: dev profile, CPU, the WikiText-2 prefix, seq_len 64, 32/32 windows. */
export function smallCertifyFlags(): string[] {
  return ['--profile', 'dev', '--device', 'cpu', '--dataset', `text:${evalTextPath()}`, '--seq-len', '64', '--preview-n', '32', '--final-n', '32'];
}

/** Every file under `dir`, relative paths, sorted. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Removes a temporary directory (best effort). */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
