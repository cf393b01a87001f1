/**
 * Child process of section 1: scores the same windows in one mode and reports its passes' wall and
 * CPU time, the process's peak RSS and where the time went.
 *
 * Modes (all on onnxruntime-node, same session options, batch size and windows):
 * - `invarlock`: `createScorer` + `scoreCausal` — the model plus the on-device loss head; only
 *   `[B, T]` log-probabilities leave onnxruntime.
 * - `ort-logits`: the unmodified model, fetching `[B, T, V]` logits and doing nothing with them
 *   (the cost of the forward passes alone: the ceiling for any scorer).
 * - `tjs-style`: the same forward passes, then the log-softmax in JavaScript the way transformers.js
 *   does it (`log_softmax(arr)` = `softmax(arr).map(Math.log)`, with `softmax` = max, `map(exp)`,
 *   `reduce(+)`, `map(/sum)`), one vocabulary row (a subarray view) per position.
 * - `js-tuned`: the same, with a fused two-pass JS log-softmax that allocates nothing: what a
 *   careful hand-written JS loop would cost.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { graphFiles, loadModel, type LoadedModel } from '../../src/adapters/index.js';
import { writeSessionModel } from '../../src/onnx/index.js';
import { buildFeeds, createRuntimeSession, createScorer, loadOrt, type Ort, type ScoredSequence } from '../../src/eval/index.js';
import { childInput, peakRssBytes, reportResult } from './child-process.js';
import { benchWindows } from './eval-windows.js';

/** The scoring modes of section 1. */
export type EvalMode = 'invarlock' | 'ort-logits' | 'tjs-style' | 'js-tuned';

/** Input of this child. */
export interface EvalModeInput {
  readonly modelDir: string;
  readonly mode: EvalMode;
  readonly batchSize: number;
  readonly windows: number;
  readonly seqLen: number;
  readonly passes: number;
  /** Intra-op threads; 0 lets onnxruntime choose. */
  readonly threads: number;
}

/** Milliseconds per phase of one pass. */
export interface PassBreakdown {
  /** Building the feeds in JS (ids/mask/labels → Int64 tensors). */
  readonly feedMs: number;
  /** Inside `session.run` (onnxruntime, including copying outputs out). */
  readonly runMs: number;
  /** JS work on the outputs (log-softmax over logits, or summing the fetched log-probs). */
  readonly jsMs: number;
}

/** Result of this child. */
export interface EvalModeResult {
  readonly mode: EvalMode;
  readonly passMs: readonly number[];
  /** Process CPU time (user + system, all threads) per pass. */
  readonly cpuMs: readonly number[];
  readonly tokensPerPass: number;
  /** Mean NLL over all scored positions (nats); null for `ort-logits`. */
  readonly meanLoss: number | null;
  readonly peakRssBytes: number;
  readonly loadMs: number;
  readonly sessionMs: number;
  /** Phases of the fastest pass. */
  readonly breakdown: PassBreakdown;
}

interface Pass {
  readonly loss: number | null;
  readonly breakdown: PassBreakdown;
  /** Wall time of what the mode's user waits for (the scorer call; the feed/run/JS loop). */
  readonly ms: number;
  readonly cpuMs: number;
}

/** Times `run` in wall and process CPU milliseconds. */
async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await run();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, ms, cpuMs: (used.user + used.system) / 1000 };
}

type Runner = (windows: readonly ScoredSequence[]) => Promise<Pass>;

/** transformers.js `softmax`: max, exp of the shifted values, their sum, division (two new arrays). */
function softmaxTjs(arr: Float32Array): Float32Array {
  let max = arr[0]!;
  for (let i = 1; i < arr.length; i++) if (arr[i]! > max) max = arr[i]!;
  const exps = arr.map((x) => Math.exp(x - max));
  const sum = exps.reduce((acc, v) => acc + v, 0);
  return exps.map((x) => x / sum);
}

/** transformers.js `log_softmax`: `softmax(arr).map(Math.log)` (a third array). */
function logSoftmaxTjs(arr: Float32Array): Float32Array {
  return softmaxTjs(arr).map((x) => Math.log(x));
}

/** log p(label) from one logits row without allocating: a max pass and a sum-of-exp pass (float64). */
function labelLogProbTuned(logits: Float32Array, offset: number, vocab: number, label: number): number {
  let max = -Infinity;
  for (let k = offset; k < offset + vocab; k++) if (logits[k]! > max) max = logits[k]!;
  let sum = 0;
  for (let k = offset; k < offset + vocab; k++) sum += Math.exp(logits[k]! - max);
  return logits[offset + label]! - max - Math.log(sum);
}

async function invarlockRunner(model: LoadedModel, input: EvalModeInput, ort: Ort): Promise<{ runner: Runner; release: () => Promise<void> }> {
  const scorer = await createScorer(
    { source: model.graph.path, index: model.graph.index, io: model.graph.io, files: graphFiles(model.graph) },
    { device: 'cpu', threads: input.threads, head: 'token-logprobs' },
  );
  const runner: Runner = async (windows) => {
    // The scorer does feeds, run and sums in one call; rebuild its feeds here (as scorer.ts does:
    // ids copied into one Uint32Array, labels converted to BigInt one by one) to time that part alone.
    const feedStart = performance.now();
    for (let start = 0; start < windows.length; start += input.batchSize) {
      const rows = Math.min(input.batchSize, windows.length - start);
      const ids = new Uint32Array(rows * input.seqLen);
      const labels = new BigInt64Array(rows * input.seqLen);
      for (let r = 0; r < rows; r++) {
        const w = windows[start + r]!;
        ids.set(w.ids, r * input.seqLen);
        for (let t = 0; t + 1 < w.ids.length; t++) labels[r * input.seqLen + t] = BigInt(w.ids[t + 1]!);
      }
      buildFeeds(ort, model.graph.io, { rows, seqLen: input.seqLen, ids, labels });
    }
    const feedMs = performance.now() - feedStart;
    // only the scorer call is the pass; the feed rebuild above is outside it
    const { value: losses, ms, cpuMs } = await timed(() => scorer.scoreCausal(windows, { batchSize: input.batchSize }));
    let sum = 0;
    for (let i = 0; i < losses.loss.length; i++) sum += losses.loss[i]!;
    return { loss: sum / losses.loss.length, breakdown: { feedMs, runMs: ms - feedMs, jsMs: 0 }, ms, cpuMs };
  };
  return { runner, release: () => scorer.release() };
}

async function logitsRunner(model: LoadedModel, input: EvalModeInput, ort: Ort): Promise<{ runner: Runner; release: () => Promise<void> }> {
  const graph = writeSessionModel(model.graph.index, { files: graphFiles(model.graph) });
  const { session } = await createRuntimeSession(graph.bytes, { device: 'cpu', threads: input.threads, externalDataFolder: graph.folder, source: model.graph.path });
  const io = model.graph.io;
  const vocab = io.logits.shape[io.logits.shape.length - 1];
  if (typeof vocab !== 'number') throw new Error(`${model.graph.path}: logits have no numeric vocabulary dimension`);
  const forwardPass = async (windows: readonly ScoredSequence[]): Promise<Omit<Pass, 'ms' | 'cpuMs'>> => {
    const T = input.seqLen;
    let feedMs = 0;
    let runMs = 0;
    let jsMs = 0;
    let lossSum = 0;
    for (let start = 0; start < windows.length; start += input.batchSize) {
      const rows = Math.min(input.batchSize, windows.length - start);
      let t0 = performance.now();
      const ids = new Uint32Array(rows * T);
      for (let r = 0; r < rows; r++) ids.set(windows[start + r]!.ids, r * T);
      // the project's feed builder (empty past key/values, mask, position ids) without labels: the
      // unmodified graph takes none
      const feeds = buildFeeds(ort, io, { rows, seqLen: T, ids, labels: null });
      let t1 = performance.now();
      feedMs += t1 - t0;
      const outputs: InferenceSession.ReturnType = await session.run(feeds, [io.logits.name]);
      const logits = outputs[io.logits.name]!.data as Float32Array;
      t0 = performance.now();
      runMs += t0 - t1;
      if (input.mode === 'tjs-style' || input.mode === 'js-tuned') {
        for (let r = 0; r < rows; r++) {
          const w = windows[start + r]!;
          let nll = 0;
          for (let t = 0; t + 1 < T; t++) {
            const offset = (r * T + t) * vocab;
            const label = w.ids[t + 1]!;
            nll -= input.mode === 'tjs-style' ? logSoftmaxTjs(logits.subarray(offset, offset + vocab))[label]! : labelLogProbTuned(logits, offset, vocab, label);
          }
          lossSum += nll / (T - 1);
        }
      }
      t1 = performance.now();
      jsMs += t1 - t0;
    }
    return { loss: input.mode === 'ort-logits' ? null : lossSum / windows.length, breakdown: { feedMs, runMs, jsMs } };
  };
  const runner: Runner = async (windows) => {
    const { value, ms, cpuMs } = await timed(() => forwardPass(windows));
    return { ...value, ms, cpuMs };
  };
  return { runner, release: () => session.release() };
}

async function main(): Promise<void> {
  const input = childInput<EvalModeInput>();
  let t = performance.now();
  const model = await loadModel(input.modelDir);
  const windows = benchWindows(model.tokenizer!, { count: input.windows, seqLen: input.seqLen });
  const loadMs = performance.now() - t;
  const ort = await loadOrt();
  t = performance.now();
  const { runner, release } = input.mode === 'invarlock' ? await invarlockRunner(model, input, ort) : await logitsRunner(model, input, ort);
  const sessionMs = performance.now() - t;
  // warm-up: one batch (first-run allocations, thread-pool start), not timed
  await runner(windows.slice(0, Math.min(input.batchSize, windows.length)));
  const passMs: number[] = [];
  const cpuMs: number[] = [];
  let best: Pass | null = null;
  for (let p = 0; p < input.passes; p++) {
    const pass = await runner(windows);
    passMs.push(pass.ms);
    cpuMs.push(pass.cpuMs);
    if (best === null || pass.ms < best.ms) best = pass;
  }
  await release();
  const result: EvalModeResult = {
    mode: input.mode,
    passMs,
    cpuMs,
    tokensPerPass: input.windows * input.seqLen,
    meanLoss: best!.loss,
    peakRssBytes: peakRssBytes(),
    loadMs,
    sessionMs,
    breakdown: best!.breakdown,
  };
  reportResult(result);
}

await main();
