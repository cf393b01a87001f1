/**
 * Shared helpers of the tests/onnx suites: running a model in onnxruntime-node from bytes, a
 * seeded PRNG and error comparisons. Not a test file itself.
 */
import * as ort from 'onnxruntime-node';
import type { ExternalDataEntry } from '../../src/onnx/index.js';

/** Runs `modelBytes` once on the CPU and returns every output. */
export async function runModel(
  modelBytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
  externalData: readonly ExternalDataEntry[] = [],
): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(modelBytes, {
    executionProviders: ['cpu'],
    logSeverityLevel: 3,
    ...(externalData.length === 0 ? {} : { externalData: externalData.map((e) => ({ path: e.path, data: e.data })) }),
  });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** The float32 data of an output tensor. */
export function floats(tensor: ort.Tensor | undefined): Float32Array {
  if (tensor === undefined || !(tensor.data instanceof Float32Array)) throw new Error('expected a float32 tensor');
  return tensor.data;
}

/** A float32 tensor. */
export function floatTensor(values: ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from(values), dims);
}

/** The `n`×`n` identity matrix as a float32 tensor. */
export function identity(n: number): ort.Tensor {
  const values = new Float32Array(n * n);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  return new ort.Tensor('float32', values, [n, n]);
}

/** mulberry32: a seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random integers in [min, max]. */
export function randomInts(random: () => number, count: number, min: number, max: number): number[] {
  return Array.from({ length: count }, () => min + Math.floor(random() * (max - min + 1)));
}

/** Largest |a - b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Largest |a| of an array. */
export function maxAbs(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
  return max;
}

/** Transposes a row-major [rows, cols] array. */
export function transposed(a: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

/** Calls `fn` and returns the error it throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
