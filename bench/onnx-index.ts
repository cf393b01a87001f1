/**
 * Benchmark of the ONNX model layer on a GPT-2-small-sized model (~498 MB fp32, raw_data):
 * index time and extra memory, tensor decode, and weight patches that avoid a second copy of the
 * model. Not a test. Run: `npx tsx bench/onnx-index.ts [--layers N]` (default 12 layers).
 *
 * The model is generated into a temporary directory (removed afterwards) by one process and
 * measured by a fresh child process, so that the generator's memory does not blur the RSS figures.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  encodeTensorPayload,
  getGraphLookup,
  indexModel,
  patchTensorInFile,
  readTensorFloat32,
  resolveWeight,
  spliceModel,
  writeChunksAtomically,
  writeModel,
  createDataSource,
  findTensor,
} from '../src/onnx/index.js';
import { GPT2_SMALL, generateGpt2Model, gpt2ParameterCount } from './generate-model.js';
import { writeModelFiles } from '../src/onnx/index.js';

const MiB = 1024 * 1024;

interface Row {
  readonly step: string;
  readonly ms: number;
  /** Growth of the process RSS across the step (the OS view; freed memory may show late). */
  readonly extraRssMiB: number | null;
  /** Growth of JS heap + ArrayBuffer memory while the step's result is alive (exact, allocation view). */
  readonly extraJsMiB: number | null;
  readonly goal?: string;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function rss(): number {
  gc();
  return process.memoryUsage().rss;
}

function jsBytes(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = run();
  return { value, ms: performance.now() - start };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Child process: measure one model file. */
function measure(modelPath: string): void {
  const rows: Row[] = [];
  /** Runs a step, measuring time and the memory it adds while its result is still alive. */
  const step = <T>(name: string, run: () => T, goal?: string): T => {
    const [rssBefore, jsBefore] = [rss(), jsBytes()];
    const { value, ms } = timed(run);
    rows.push({ step: name, ms, extraRssMiB: (rss() - rssBefore) / MiB, extraJsMiB: (jsBytes() - jsBefore) / MiB, ...(goal === undefined ? {} : { goal }) });
    return value;
  };
  const bytes = step('readFileSync of the model', () => fs.readFileSync(modelPath));
  const index = step('indexModel, first run', () => indexModel(bytes, { source: modelPath }), '< 50 ms, < 64 MiB');
  const runs = Array.from({ length: 20 }, () => timed(() => indexModel(bytes)).ms);
  rows.push({ step: 'indexModel, median of 20 runs', ms: median(runs), extraRssMiB: null, extraJsMiB: null, goal: '< 50 ms' });
  step(`getGraphLookup (${index.graph.nodes.length} nodes)`, () => getGraphLookup(index));

  const source = createDataSource({ directory: path.dirname(modelPath) });
  step('readTensorFloat32 wte (147 MiB)', () => readTensorFloat32(index, 'transformer.wte.weight', source));
  step('resolveWeight c_attn (7 MiB, transposed)', () => resolveWeight(index, { node: '/transformer/h.0/attn/c_attn/MatMul', slot: 1 }, source));

  const target = findTensor(index, 'transformer.h.5.attn.c_attn.weight');
  const payload = encodeTensorPayload('FLOAT', new Float32Array(target.elementCount).fill(0.01));
  const half = encodeTensorPayload('FLOAT16', readTensorFloat32(index, target, source));
  step('in-memory patch, in-place', () => writeModel(index, [{ kind: 'replace', tensor: target, payload }], { mode: 'in-place' }));
  step('patchTensorInFile (pwrite 7 MiB)', () => patchTensorInFile({ modelPath, tensor: target, payload }));
  const splicedPath = path.join(path.dirname(modelPath), 'spliced.onnx');
  const splice = step('fp32→fp16 edit: spliceModel (chunk list)', () => spliceModel(index, [{ kind: 'replace', tensor: target, dataType: 'FLOAT16', payload: half }]));
  step(`  … written with writeChunksAtomically (${splice.chunks.length} chunks, fsync)`, () => writeChunksAtomically(splicedPath, splice.chunks));
  step('same edit joined into one array (writeModel copy)', () => writeModel(index, [{ kind: 'replace', tensor: target, dataType: 'FLOAT16', payload: half }]));
  if (findTensor(indexModel(fs.readFileSync(splicedPath)), target.name).dataType !== 'FLOAT16') throw new Error('spliced model lost the edit');
  source.close();
  process.stdout.write(JSON.stringify(rows));
}

function printTable(rows: readonly Row[]): void {
  const header = ['step', 'time (ms)', 'Δ RSS (MiB)', 'Δ JS heap + buffers (MiB)', 'goal'];
  const mib = (v: number | null): string => (v === null ? '' : v.toFixed(1));
  const lines = rows.map((r) => [r.step, r.ms.toFixed(1), mib(r.extraRssMiB), mib(r.extraJsMiB), r.goal ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(format(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const line of lines) console.log(format(line));
}

function main(): void {
  const argv = process.argv.slice(2);
  const measureAt = argv.indexOf('--measure');
  if (measureAt >= 0) {
    measure(argv[measureAt + 1]!);
    return;
  }
  const layersAt = argv.indexOf('--layers');
  const options = { ...GPT2_SMALL, nLayer: layersAt >= 0 ? Number(argv[layersAt + 1]) : GPT2_SMALL.nLayer };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'invarlock-onnx-bench-'));
  try {
    const generated = timed(() => writeModelFiles(generateGpt2Model(options), { directory: dir }));
    const size = fs.statSync(generated.value).size;
    console.log(
      `model: ${gpt2ParameterCount(options).toLocaleString('en-US')} parameters, ${(size / MiB).toFixed(1)} MiB, generated in ${(generated.ms / 1000).toFixed(1)} s` +
        ` (node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length})`,
    );
    const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), '--measure', generated.value], {
      encoding: 'utf8',
      maxBuffer: 16 * MiB,
    });
    if (child.status !== 0) throw new Error(`measurement failed: ${child.stderr}`);
    printTable(JSON.parse(child.stdout) as Row[]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
