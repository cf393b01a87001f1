import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ModelIo } from '../../adapters/index.js';
import { InvarlockError, wrapError } from '../../errors/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { float16BitsToFloat32, writeSessionModel, type ModelFileSet, type ModelIndex, type TensorEdit } from '../../onnx/index.js';
import { createRuntimeSession, loadOrt, type DeviceRequest, type ExecutionProviderName, type Ort } from '../runtime/index.js';
import { assertFeedable, buildFeeds } from './build-feeds.js';
import { planScoringSurgery, SCORING_NAMES, type HeadKind } from './loss-head.js';

/**
 * A model to score: its indexed graph, the files its weights are in, and the tensors an edit
 * replaced. The session is built from a small graph that refers to the weights on disk (see
 * `writeSessionModel`): no copy of the model's bytes is made in JS.
 */
export interface ScoringModel {
  readonly source: string;
  readonly index: ModelIndex;
  readonly io: ModelIo;
  readonly files: ModelFileSet;
  /** New data for tensors (edited weights), raw layout. @default [] */
  readonly replace?: readonly Extract<TensorEdit, { kind: 'replace' }>[];
}

/** Options of {@link createScorer}. */
export interface ScorerOptions {
  readonly device: DeviceRequest;
  /** Intra-op threads; 0 lets onnxruntime choose. */
  readonly threads: number;
  readonly head: HeadKind;
  /** Intermediate values exposed for activation capture. @default [] */
  readonly taps?: readonly string[];
  /** Told when `auto` falls back from CUDA to CPU. */
  readonly onFallback?: (reason: string) => void;
  /** Where the data file of a model with replaced tensors is written (removed once the session holds it). @default os.tmpdir() */
  readonly scratchDir?: string;
}

/** A sequence to score: ids, and which positions count (see `EvalWindow`). */
export interface ScoredSequence {
  readonly id: string;
  readonly ids: Uint32Array;
  readonly scoreFrom: number;
  readonly scoredCount: number;
}

/** A masked-LM sequence: masked inputs, and the positions whose original ids are the targets. */
export interface MaskedSequence {
  readonly id: string;
  readonly inputIds: Uint32Array;
  readonly positions: Uint32Array;
  readonly targets: Uint32Array;
}

/** Per-window losses of one model on one arm, in the order given. */
export interface WindowLosses {
  readonly ids: readonly string[];
  /** Mean negative log-likelihood per window (nats per scored token); NaN when not finite. */
  readonly loss: Float64Array;
  /** Scored tokens per window (the weights of the paired statistics). */
  readonly weight: Float64Array;
}

/** Options of a scoring pass. */
export interface PassOptions {
  /** Sequences per onnxruntime call, or `auto`. */
  readonly batchSize: number | 'auto';
  readonly onBatch?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** An activation captured at a tap: `[tokens, features]`, row-major. */
export interface Activation {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** A scoring session over one model. Release it when done: sessions hold the weights. */
export interface Scorer {
  readonly provider: ExecutionProviderName;
  readonly head: HeadKind;
  /** Causal LM: mean NLL of each window's scored positions. */
  scoreCausal(windows: readonly ScoredSequence[], options: PassOptions): Promise<WindowLosses>;
  /** Masked LM: mean NLL at each window's selected positions (pseudo-perplexity). */
  scoreMasked(windows: readonly MaskedSequence[], options: PassOptions): Promise<WindowLosses>;
  /** Classifier: the predicted label of each sequence. */
  predictLabels(sequences: readonly { readonly id: string; readonly ids: Uint32Array }[], options: PassOptions): Promise<Int32Array>;
  /** Activations at `taps` for each window, one record per tap per window, in window order. */
  captureActivations(windows: readonly { readonly ids: Uint32Array }[], taps: readonly string[], options: PassOptions): Promise<Map<string, Activation[]>>;
  release(): Promise<void>;
}

/** Budget for the `[batch, seq, vocab]` logits and their log-softmax inside onnxruntime. */
const AUTO_BATCH_BYTES = 256 * 1024 * 1024;
const MAX_AUTO_BATCH = 32;

/** Batch size for `auto`: as many sequences as keep logits and log-softmax within 256 MiB, 1–32. */
export function autoBatchSize(seqLen: number, vocab: number): number {
  const perRow = seqLen * Math.max(vocab, 1) * 4 * 2;
  return Math.max(1, Math.min(MAX_AUTO_BATCH, Math.floor(AUTO_BATCH_BYTES / perRow)));
}

function vocabOf(io: ModelIo): number {
  const last = io.logits.shape[io.logits.shape.length - 1];
  return typeof last === 'number' ? last : 32000;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new InvarlockError('E_CANCELLED', 'the run was cancelled');
}

function toFloat32(tensor: Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return float16BitsToFloat32(tensor.data as Uint16Array);
  throw new InvarlockError('E_DTYPE_UNSUPPORTED', `activation of type ${tensor.type} cannot be captured`, { details: { actual: tensor.type } });
}

/**
 * Builds the scoring graph (loss head + taps) as a small graph whose weights stay in the model's
 * files (replaced tensors in a scratch data file, with the unchanged ones copied beside them by
 * range) and opens an onnxruntime session on it. The scratch folder is removed as soon as the
 * session exists: onnxruntime has read or mapped the data by then.
 * Throws `E_ADAPTER_IO` when the graph cannot be fed, `E_OUTPUT_PATH` when the scratch data cannot
 * be written, `E_EP_UNAVAILABLE` / `E_RUNTIME_LOAD` from session creation.
 */
export async function createScorer(model: ScoringModel, options: ScorerOptions): Promise<Scorer> {
  assertFeedable(model.io, model.source);
  const ort = await loadOrt();
  const surgery = planScoringSurgery(model.index, model.io, { head: options.head, taps: options.taps ?? [] });
  const replace = model.replace ?? [];
  let scratch: string | undefined;
  try {
    if (replace.length > 0) {
      try {
        scratch = mkdtempSync(join(options.scratchDir ?? tmpdir(), 'invarlock-session-'));
      } catch (error) {
        throw wrapError(error, 'E_OUTPUT_PATH', `cannot create a scratch folder for the edited model's data in '${options.scratchDir ?? tmpdir()}'`, {
          details: { file: options.scratchDir ?? tmpdir() },
        });
      }
    }
    const written = writeSessionModel(model.index, { files: model.files, surgery, replace, ...(scratch === undefined ? {} : { scratchDirectory: scratch }) });
    const { session, provider } = await createRuntimeSession(
      written.bytes,
      { device: options.device, threads: options.threads, externalDataFolder: written.folder, source: model.source },
      options.onFallback,
    );
    return new OrtScorer(ort, session, provider, model, options.head);
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
}

class OrtScorer implements Scorer {
  constructor(
    private readonly ort: Ort,
    private readonly session: InferenceSession,
    readonly provider: ExecutionProviderName,
    private readonly model: ScoringModel,
    readonly head: HeadKind,
  ) {}

  private async run(feeds: Record<string, Tensor>, fetches: readonly string[]): Promise<InferenceSession.ReturnType> {
    try {
      return await this.session.run(feeds, [...fetches]);
    } catch (error) {
      throw wrapError(error, 'E_RUNTIME_RUN', `onnxruntime failed while scoring ${this.model.source}`, { details: { file: this.model.source } });
    }
  }

  /**
   * Runs `items` in batches, calling `consume` with each batch's outputs. A batch is fed without
   * padding (all-ones attention mask), so every sequence of one batch must have the batch's length;
   * batches may differ (classification examples grouped by length, activation capture one at a time).
   */
  private async batched<T extends { readonly ids: Uint32Array } | { readonly inputIds: Uint32Array }>(
    items: readonly T[],
    options: PassOptions,
    labelsOf: ((item: T, out: BigInt64Array, offset: number) => void) | null,
    fetches: readonly string[],
    consume: (outputs: InferenceSession.ReturnType, start: number, rows: number, seqLen: number) => void,
  ): Promise<void> {
    if (items.length === 0) return;
    const idsOf = (item: T): Uint32Array => ('inputIds' in item ? item.inputIds : item.ids);
    const size = options.batchSize === 'auto' ? autoBatchSize(idsOf(items[0]!).length, vocabOf(this.model.io)) : options.batchSize;
    for (let start = 0; start < items.length; start += size) {
      checkAborted(options.signal);
      const rows = Math.min(size, items.length - start);
      const seqLen = idsOf(items[start]!).length;
      const ids = new Uint32Array(rows * seqLen);
      const labels = labelsOf === null ? null : new BigInt64Array(rows * seqLen);
      for (let r = 0; r < rows; r++) {
        const item = items[start + r]!;
        const seq = idsOf(item);
        if (seq.length !== seqLen) {
          throw new InvarlockError('E_INTERNAL', `sequences in one batch must have equal length (${seq.length} vs ${seqLen})`);
        }
        ids.set(seq, r * seqLen);
        if (labels !== null && labelsOf !== null) labelsOf(item, labels, r * seqLen);
      }
      const outputs = await this.run(buildFeeds(this.ort, this.model.io, { rows, seqLen, ids, labels }), fetches);
      consume(outputs, start, rows, seqLen);
      options.onBatch?.(start + rows, items.length);
      // onnxruntime-node's run blocks the event loop; let progress events and signals through
      await yieldToEventLoop();
    }
  }

  async scoreCausal(windows: readonly ScoredSequence[], options: PassOptions): Promise<WindowLosses> {
    const loss = new Float64Array(windows.length);
    const weight = new Float64Array(windows.length);
    await this.batched(
      windows,
      options,
      (w, out, offset) => {
        // label at t is the next token: log P(ids[t+1] | ids[..t]); the last position predicts nothing
        for (let t = 0; t + 1 < w.ids.length; t++) out[offset + t] = BigInt(w.ids[t + 1]!);
      },
      [SCORING_NAMES.tokenLogprobs],
      (outputs, start, rows, seqLen) => {
        const lp = outputs[SCORING_NAMES.tokenLogprobs]!.data as Float32Array;
        for (let r = 0; r < rows; r++) {
          const w = windows[start + r]!;
          let sum = 0;
          for (let p = w.scoreFrom; p < w.scoreFrom + w.scoredCount; p++) sum -= lp[r * seqLen + p - 1]!;
          loss[start + r] = Number.isFinite(sum) ? sum / w.scoredCount : Number.NaN;
          weight[start + r] = w.scoredCount;
        }
      },
    );
    return { ids: windows.map((w) => w.id), loss, weight };
  }

  async scoreMasked(windows: readonly MaskedSequence[], options: PassOptions): Promise<WindowLosses> {
    const loss = new Float64Array(windows.length);
    const weight = new Float64Array(windows.length);
    await this.batched(
      windows,
      options,
      (w, out, offset) => {
        for (let k = 0; k < w.positions.length; k++) out[offset + w.positions[k]!] = BigInt(w.targets[k]!);
      },
      [SCORING_NAMES.tokenLogprobs],
      (outputs, start, rows, seqLen) => {
        const lp = outputs[SCORING_NAMES.tokenLogprobs]!.data as Float32Array;
        for (let r = 0; r < rows; r++) {
          const w = windows[start + r]!;
          let sum = 0;
          for (let k = 0; k < w.positions.length; k++) sum -= lp[r * seqLen + w.positions[k]!]!;
          loss[start + r] = Number.isFinite(sum) ? sum / w.positions.length : Number.NaN;
          weight[start + r] = w.positions.length;
        }
      },
    );
    return { ids: windows.map((w) => w.id), loss, weight };
  }

  async predictLabels(sequences: readonly { readonly id: string; readonly ids: Uint32Array }[], options: PassOptions): Promise<Int32Array> {
    const predicted = new Int32Array(sequences.length);
    await this.batched(sequences, options, null, [SCORING_NAMES.predictedLabel], (outputs, start, rows) => {
      const data = outputs[SCORING_NAMES.predictedLabel]!.data as BigInt64Array;
      for (let r = 0; r < rows; r++) predicted[start + r] = Number(data[r]!);
    });
    return predicted;
  }

  async captureActivations(windows: readonly { readonly ids: Uint32Array }[], taps: readonly string[], options: PassOptions): Promise<Map<string, Activation[]>> {
    const result = new Map<string, Activation[]>(taps.map((t) => [t, []]));
    const needsLabels = this.head === 'token-logprobs' ? () => {} : null;
    await this.batched(windows, options, needsLabels, taps, (outputs, _start, rows) => {
      for (const tap of taps) {
        const tensor = outputs[tap]!;
        const data = toFloat32(tensor);
        const cols = tensor.dims[tensor.dims.length - 1] ?? 1;
        const perRow = data.length / rows;
        for (let r = 0; r < rows; r++) {
          result.get(tap)!.push({ rows: perRow / cols, cols, data: data.slice(r * perRow, (r + 1) * perRow) });
        }
      }
    });
    return result;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
