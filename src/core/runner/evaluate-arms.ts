import type { WeightFamily } from '../../adapters/index.js';
import {
  computeActivationRmt,
  toRmtWindowMeasurement,
  type KernelPool,
  type RmtModuleMeasurement,
} from '../../guards/index.js';
import type { CaptureItem, EvalWindow, MaskedWindow, PairExample, PassOptions, Scorer, WindowLosses } from '../../eval/index.js';
import { passRate, type RunEventListener, type StageName } from '../events/index.js';
import type { ActivationTap } from './activation-taps.js';

/** The windows of one arm as the objective scores them. */
export type ArmWindows =
  | { readonly objective: 'causal'; readonly windows: readonly EvalWindow[] }
  | { readonly objective: 'masked'; readonly windows: readonly MaskedWindow[] }
  /** Seq2seq examples; `padId` pads a batch's sources and targets to its longest. */
  | { readonly objective: 'seq2seq'; readonly windows: readonly PairExample[]; readonly padId: number };

/** Units [start, end) of an arm, in plan order (the variance guard's A/B windows, a sequential run's looks). */
export function sliceArm(arm: ArmWindows, start: number, end?: number): ArmWindows {
  switch (arm.objective) {
    case 'causal':
      return { objective: 'causal', windows: arm.windows.slice(start, end) };
    case 'masked':
      return { objective: 'masked', windows: arm.windows.slice(start, end) };
    case 'seq2seq':
      return { objective: 'seq2seq', windows: arm.windows.slice(start, end), padId: arm.padId };
    default: {
      const never: never = arm;
      return never;
    }
  }
}

/** Context of a scoring pass, for progress events. */
export interface ArmProgress {
  readonly stage: StageName;
  readonly subject: string | null;
  readonly model: 'baseline' | 'subject';
  readonly arm: 'preview' | 'final' | 'calibration';
  readonly onEvent: RunEventListener;
  readonly batchSize: number | 'auto';
  readonly signal: AbortSignal | undefined;
}

/** Progress events of a pass over windows of `tokensPerWindow` tokens, with its rate and ETA (timed from the call). */
function passOptions(progress: ArmProgress, tokensPerWindow: number): PassOptions {
  const started = performance.now();
  return {
    batchSize: progress.batchSize,
    onBatch: (done, total) =>
      progress.onEvent({
        type: 'batch',
        stage: progress.stage,
        subject: progress.subject,
        model: progress.model,
        arm: progress.arm,
        done,
        total,
        ...passRate(done, total, done * tokensPerWindow, performance.now() - started),
      }),
    ...(progress.signal === undefined ? {} : { signal: progress.signal }),
  };
}

/** Tokens one scored item feeds the model (for tokens/s): a window's ids, or a pair's source and target. */
function tokensPerItem(item: EvalWindow | MaskedWindow | PairExample | CaptureItem): number {
  if ('sourceIds' in item) return item.sourceIds.length + item.labels.length;
  return 'inputIds' in item ? item.inputIds.length : item.ids.length;
}

/** Scores one arm with the objective's head: per-window mean NLL and scored-token weights. */
export async function scoreArm(scorer: Scorer, arm: ArmWindows, progress: ArmProgress): Promise<WindowLosses> {
  const first = arm.windows[0];
  const options = passOptions(progress, first === undefined ? 0 : tokensPerItem(first));
  switch (arm.objective) {
    case 'causal':
      return scorer.scoreCausal(arm.windows, options);
    case 'masked':
      return scorer.scoreMasked(arm.windows, options);
    case 'seq2seq':
      return scorer.scoreSeq2seq(arm.windows, { ...options, padId: arm.padId });
    default: {
      const never: never = arm;
      return never;
    }
  }
}

/**
 * RMT activation measurements of one model on the calibration windows: for every tap and window,
 * the edge ratio of the standardised activation (ALGORITHMS.md §5), computed in the kernel pool.
 * Both models are measured on the same windows, keyed by weight key so they pair.
 */
export async function measureActivations(
  scorer: Scorer,
  windows: readonly (CaptureItem & { readonly id: string })[],
  taps: readonly ActivationTap[],
  options: { readonly pool: KernelPool; readonly iters: number; readonly progress: ArmProgress },
): Promise<RmtModuleMeasurement[]> {
  if (taps.length === 0 || windows.length === 0) return [];
  const captured = await scorer.captureActivations(windows, taps.map((t) => t.value), { ...passOptions(options.progress, windows[0] === undefined ? 0 : tokensPerItem(windows[0])), batchSize: 1 });
  return Promise.all(
    taps.map(async (tap): Promise<RmtModuleMeasurement> => {
      const activations = captured.get(tap.value) ?? [];
      const measured = await Promise.all(
        activations.map(async (a, i) => {
          const result =
            options.pool.mode === 'worker'
              ? await options.pool.run({ kind: 'activation-rmt', data: a.data, rows: a.rows, cols: a.cols, options: { iters: options.iters } })
              : computeActivationRmt(a.data, a.rows, a.cols, { iters: options.iters });
          return toRmtWindowMeasurement(windows[i]!.id, result);
        }),
      );
      return { key: tap.key, module: tap.module, family: tap.family as WeightFamily, windows: measured };
    }),
  );
}
