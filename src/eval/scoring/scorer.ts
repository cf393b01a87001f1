import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { EncoderIo, ModelIo } from '../../adapters/index.js';
import { InvarlockError, wrapError } from '../../errors/index.js';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { float16BitsToFloat32, writeSessionModel, type GraphSurgery, type IfBranch, type ModelFileSet, type ModelIndex, type TensorEdit } from '../../onnx/index.js';
import { createRuntimeSession, loadOrt, type DeviceRequest, type ExecutionProviderName, type Ort } from '../runtime/index.js';
import { assertFeedable, buildFeeds, scoredCacheBranch } from './build-feeds.js';
import { planScoringSurgery, SCORING_NAMES, type HeadKind } from './loss-head.js';
import { makeScratchFolder } from './scratch-folder.js';

/** A model to score: its bytes (possibly edited in memory), external data and IO. */
export interface ScoringModel {
  readonly source: string;
  readonly index: ModelIndex;
  readonly io: ModelIo;
  readonly files: ModelFileSet;
  /** New data for tensors (edited weights), raw layout. @default [] */
  readonly replace?: readonly Extract<TensorEdit, { kind: 'replace' }>[];
  /** A seq2seq model's encoder graph (the main graph is then its decoder); absent or null otherwise. */
  readonly encoder?: ScoringEncoder | null;
}

/** The encoder graph of a seq2seq {@link ScoringModel}. */
export interface ScoringEncoder {
  readonly source: string;
  readonly index: ModelIndex;
  readonly io: EncoderIo;
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
  /** Intermediate values of the main graph exposed for activation capture. @default [] */
  readonly taps?: readonly string[];
  /** Intermediate values of a seq2seq encoder exposed for activation capture. @default [] */
  readonly encoderTaps?: readonly string[];
  /** Told when `auto` falls back from CUDA to CPU. */
  readonly onFallback?: (reason: string) => void;
  /** Where the data file of a model with replaced tensors is written (removed once the session holds it). @default os.tmpdir() */
  readonly scratchDir?: string;
  /** onnxruntime pre-packs weights (see `SessionOptions.prepack`). @default true */
  readonly prepack?: boolean;
  /** Largest read when unchanged tensors are copied into the scratch data file. @default 64 MiB */
  readonly chunkBytes?: number;
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

/** A teacher-forced seq2seq example: encoder input, decoder input, and the label scored at each decoder position. */
export interface Seq2seqSequence {
  readonly id: string;
  readonly sourceIds: Uint32Array;
  /** Same length as `labels`: the decoder start id, then the labels but the last. */
  readonly decoderIds: Uint32Array;
  readonly labels: Uint32Array;
}

/** A sequence whose activations are captured: a window's ids, or a seq2seq example (both stacks run). */
export type CaptureItem = { readonly ids: Uint32Array } | Seq2seqSequence;

/** Per-window losses of one model on one arm, in the order given. */
export interface WindowLosses {
  readonly ids: readonly string[];
  /** Mean negative log-likelihood per window (nats per scored token); NaN when not finite. */
  readonly loss: Float64Array;
  /** Scored tokens per window (the weights of the paired statistics). */
  readonly weight: Float64Array;
}

/** Options of a seq2seq scoring pass: a batch pads its sources and targets to its longest with `padId`. */
export interface Seq2seqPassOptions extends PassOptions {
  /** config.json's `pad_token_id` (padding is masked out of the encoder and never scored). */
  readonly padId: number;
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
  /**
   * Seq2seq: mean NLL of each example's labels under teacher forcing (the encoder runs on the
   * source, the decoder with the loss head on the decoder ids); weight = label count.
   */
  scoreSeq2seq(examples: readonly Seq2seqSequence[], options: Seq2seqPassOptions): Promise<WindowLosses>;
  /** Classifier: the predicted label of each sequence. */
  predictLabels(sequences: readonly { readonly id: string; readonly ids: Uint32Array }[], options: PassOptions): Promise<Int32Array>;
  /** Activations at `taps` for each window, one record per tap per window, in window order. */
  captureActivations(windows: readonly CaptureItem[], taps: readonly string[], options: PassOptions): Promise<Map<string, Activation[]>>;
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
 * Builds the scoring graph (loss head + taps) and opens an onnxruntime session on it from the
 * model's files (see {@link openGraphSession}); a seq2seq model's encoder gets its own session on
 * the same device. Throws `E_ADAPTER_IO` when the graph cannot be fed, `E_OUTPUT_PATH` when scratch
 * data cannot be written, `E_EP_UNAVAILABLE` / `E_RUNTIME_LOAD` from session creation.
 */
export async function createScorer(model: ScoringModel, options: ScorerOptions): Promise<Scorer> {
  const encoderModel = model.encoder ?? null;
  assertFeedable(model.io, model.source, { hasEncoder: encoderModel !== null });
  const ort = await loadOrt();
  const surgery = planScoringSurgery(model.index, model.io, { head: options.head, taps: options.taps ?? [] });
  const { session, provider } = await openGraphSession({ ...model, inlineBranch: cacheBranchOf(model) }, surgery, { device: options.device, threads: options.threads }, options);
  let encoder: EncoderSession | null = null;
  if (encoderModel !== null) {
    const taps = options.encoderTaps ?? [];
    try {
      // a tap that is already an output (T5's final norm is `last_hidden_state`) is fetched as it is
      const outputs = new Set(encoderModel.index.graph.outputs.map((o) => o.name));
      const encoderSurgery: GraphSurgery = { addOutputs: taps.filter((name) => !outputs.has(name)).map((name) => ({ name })) };
      // the decoder's provider decided the device: the encoder runs on the same one
      const opened = await openGraphSession(encoderModel, encoderSurgery, { device: provider, threads: options.threads }, options);
      encoder = { session: opened.session, io: encoderModel.io, source: encoderModel.source, taps: new Set(taps) };
    } catch (error) {
      await session.release();
      throw error;
    }
  }
  return new OrtScorer(ort, session, provider, model, options.head, encoder);
}

/**
 * A merged decoder's branch that scoring runs, inlined as the main graph so its values (activation
 * taps) can be outputs; undefined for graphs without that `If`.
 */
function cacheBranchOf(model: ScoringModel): { readonly node: string; readonly attribute: IfBranch } | undefined {
  const scored = scoredCacheBranch(model.index, model.io);
  return scored === null ? undefined : { node: scored.node.name, attribute: scored.attribute };
}

/**
 * Opens a session on one graph plus its surgery as a small graph whose weights stay in the model's
 * files (replaced tensors in a scratch data file, with the unchanged ones copied beside them by
 * range). The scratch folder is removed as soon as the session exists: onnxruntime has read or
 * mapped the data by then.
 */
async function openGraphSession(
  graph: {
    readonly source: string;
    readonly index: ModelIndex;
    readonly files: ModelFileSet;
    readonly replace?: readonly Extract<TensorEdit, { kind: 'replace' }>[];
    readonly inlineBranch?: { readonly node: string; readonly attribute: IfBranch } | undefined;
  },
  surgery: GraphSurgery,
  runtime: { readonly device: DeviceRequest; readonly threads: number },
  options: Pick<ScorerOptions, 'scratchDir' | 'onFallback' | 'prepack' | 'chunkBytes'>,
): ReturnType<typeof createRuntimeSession> {
  const replace = graph.replace ?? [];
  let scratch: string | undefined;
  try {
    if (replace.length > 0) {
      try {
        scratch = makeScratchFolder(options.scratchDir ?? tmpdir());
      } catch (error) {
        throw wrapError(error, 'E_OUTPUT_PATH', `cannot create a scratch folder for the edited model's data in '${options.scratchDir ?? tmpdir()}'`, {
          details: { file: options.scratchDir ?? tmpdir() },
        });
      }
    }
    const written = writeSessionModel(graph.index, {
      files: graph.files,
      surgery,
      replace,
      ...(scratch === undefined ? {} : { scratchDirectory: scratch }),
      ...(graph.inlineBranch === undefined ? {} : { inlineBranch: graph.inlineBranch }),
      ...(options.chunkBytes === undefined ? {} : { copyChunkBytes: options.chunkBytes }),
    });
    return await createRuntimeSession(
      written.bytes,
      { device: runtime.device, threads: runtime.threads, externalDataFolder: written.folder, source: graph.source, ...(options.prepack === undefined ? {} : { prepack: options.prepack }) },
      options.onFallback,
    );
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
}

/** The encoder session of a seq2seq scorer. */
interface EncoderSession {
  readonly session: InferenceSession;
  readonly io: EncoderIo;
  readonly source: string;
  /** Activation taps that are encoder values. */
  readonly taps: ReadonlySet<string>;
}

/** One padded seq2seq batch, row-major. */
interface Seq2seqBatch {
  readonly rows: number;
  readonly sourceLen: number;
  readonly targetLen: number;
  readonly sourceIds: Float64Array;
  readonly sourceMask: Float64Array;
  readonly decoderIds: Uint32Array;
  readonly labels: BigInt64Array;
}

function padSeq2seq(items: readonly Seq2seqSequence[], padId: number): Seq2seqBatch {
  const rows = items.length;
  const sourceLen = Math.max(...items.map((e) => e.sourceIds.length));
  const targetLen = Math.max(...items.map((e) => e.labels.length));
  const sourceIds = new Float64Array(rows * sourceLen).fill(padId);
  const sourceMask = new Float64Array(rows * sourceLen);
  const decoderIds = new Uint32Array(rows * targetLen).fill(padId);
  // labels at padded positions are 0: gathered by the head, never summed
  const labels = new BigInt64Array(rows * targetLen);
  items.forEach((e, r) => {
    if (e.decoderIds.length !== e.labels.length) throw new InvarlockError('E_INTERNAL', `example ${e.id}: ${e.decoderIds.length} decoder ids for ${e.labels.length} labels`);
    for (let t = 0; t < e.sourceIds.length; t++) {
      sourceIds[r * sourceLen + t] = e.sourceIds[t]!;
      sourceMask[r * sourceLen + t] = 1;
    }
    decoderIds.set(e.decoderIds, r * targetLen);
    for (let t = 0; t < e.labels.length; t++) labels[r * targetLen + t] = BigInt(e.labels[t]!);
  });
  return { rows, sourceLen, targetLen, sourceIds, sourceMask, decoderIds, labels };
}

class OrtScorer implements Scorer {
  constructor(
    private readonly ort: Ort,
    private readonly session: InferenceSession,
    readonly provider: ExecutionProviderName,
    private readonly model: ScoringModel,
    readonly head: HeadKind,
    private readonly encoder: EncoderSession | null = null,
  ) {}

  /** Runs the encoder on a padded batch: its output tensor and the encoder taps asked for. */
  private async encode(batch: Seq2seqBatch, taps: readonly string[]): Promise<InferenceSession.ReturnType> {
    const encoder = this.encoder;
    if (encoder === null) throw new InvarlockError('E_INTERNAL', `${this.model.source} has no encoder session`);
    const dims = [batch.rows, batch.sourceLen];
    const ids = (elemType: 'int32' | 'int64', values: Float64Array) =>
      elemType === 'int32' ? new this.ort.Tensor('int32', Int32Array.from(values), dims) : new this.ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
    const feeds: Record<string, Tensor> = { [encoder.io.inputIds.name]: ids(encoder.io.inputIds.elemType, batch.sourceIds) };
    if (encoder.io.attentionMask !== null) feeds[encoder.io.attentionMask.name] = ids(encoder.io.attentionMask.elemType, batch.sourceMask);
    try {
      return await encoder.session.run(feeds, [encoder.io.output.name, ...taps]);
    } catch (error) {
      throw wrapError(error, 'E_RUNTIME_RUN', `onnxruntime failed while running the encoder ${encoder.source}`, { details: { file: encoder.source } });
    }
  }

  /** The decoder feeds of a padded batch, given the encoder's output. */
  private decoderFeeds(batch: Seq2seqBatch, encoded: InferenceSession.ReturnType, withLabels: boolean): Record<string, Tensor> {
    const hidden = encoded[this.encoder!.io.output.name]!;
    return buildFeeds(this.ort, this.model.io, {
      rows: batch.rows,
      seqLen: batch.targetLen,
      ids: batch.decoderIds,
      labels: withLabels ? batch.labels : null,
      encoder: { hidden, mask: batch.sourceMask, sourceLen: batch.sourceLen },
    });
  }

  async scoreSeq2seq(examples: readonly Seq2seqSequence[], options: Seq2seqPassOptions): Promise<WindowLosses> {
    const loss = new Float64Array(examples.length);
    const weight = new Float64Array(examples.length);
    if (examples.length === 0) return { ids: [], loss, weight };
    const longest = Math.max(...examples.map((e) => e.labels.length));
    const size = options.batchSize === 'auto' ? autoBatchSize(longest, vocabOf(this.model.io)) : options.batchSize;
    for (let start = 0; start < examples.length; start += size) {
      checkAborted(options.signal);
      const items = examples.slice(start, start + size);
      const batch = padSeq2seq(items, options.padId);
      const encoded = await this.encode(batch, []);
      const outputs = await this.run(this.decoderFeeds(batch, encoded, true), [SCORING_NAMES.tokenLogprobs]);
      const lp = outputs[SCORING_NAMES.tokenLogprobs]!.data as Float32Array;
      items.forEach((e, r) => {
        let sum = 0;
        for (let t = 0; t < e.labels.length; t++) sum -= lp[r * batch.targetLen + t]!;
        loss[start + r] = Number.isFinite(sum) ? sum / e.labels.length : Number.NaN;
        weight[start + r] = e.labels.length;
      });
      options.onBatch?.(start + items.length, examples.length);
      await yieldToEventLoop();
    }
    return { ids: examples.map((e) => e.id), loss, weight };
  }

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

  async captureActivations(windows: readonly CaptureItem[], taps: readonly string[], options: PassOptions): Promise<Map<string, Activation[]>> {
    const result = new Map<string, Activation[]>(taps.map((t) => [t, []]));
    if (this.encoder !== null) {
      await this.captureSeq2seq(windows, taps, options, result);
      return result;
    }
    const needsLabels = this.head === 'token-logprobs' ? () => {} : null;
    const plain = windows.map((w) => {
      if ('sourceIds' in w) throw new InvarlockError('E_INTERNAL', `${this.model.source} has no encoder: it cannot run a seq2seq example`);
      return w;
    });
    await this.batched(plain, options, needsLabels, taps, (outputs, _start, rows) => {
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

  /** One example at a time: the encoder taps from the encoder run, the decoder's from the decoder run. */
  private async captureSeq2seq(items: readonly CaptureItem[], taps: readonly string[], options: PassOptions, result: Map<string, Activation[]>): Promise<void> {
    const encoderTaps = taps.filter((t) => this.encoder!.taps.has(t));
    const decoderTaps = taps.filter((t) => !this.encoder!.taps.has(t));
    const keep = (outputs: InferenceSession.ReturnType, names: readonly string[]) => {
      for (const tap of names) {
        const tensor = outputs[tap]!;
        const data = toFloat32(tensor);
        const cols = tensor.dims[tensor.dims.length - 1] ?? 1;
        result.get(tap)!.push({ rows: data.length / cols, cols, data: data.slice() });
      }
    };
    for (const [i, item] of items.entries()) {
      checkAborted(options.signal);
      if (!('sourceIds' in item)) throw new InvarlockError('E_INTERNAL', 'a seq2seq scorer captures activations of seq2seq examples');
      const batch = padSeq2seq([item], 0);
      const encoded = await this.encode(batch, encoderTaps);
      keep(encoded, encoderTaps);
      if (decoderTaps.length > 0) keep(await this.run(this.decoderFeeds(batch, encoded, this.head === 'token-logprobs'), decoderTaps), decoderTaps);
      options.onBatch?.(i + 1, items.length);
      await yieldToEventLoop();
    }
  }

  async release(): Promise<void> {
    await this.encoder?.session.release();
    await this.session.release();
  }
}
