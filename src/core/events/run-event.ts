/** The stages of a certify run, in order (ARCHITECTURE.md). */
export const STAGES = ['prepare', 'preview', 'apply', 'guards', 'evaluate', 'report'] as const;
export type StageName = (typeof STAGES)[number];

/**
 * Progress of a run, emitted to the `onEvent` option. Nothing below the CLI and the Action prints:
 * they turn these into progress bars, plain lines or log groups.
 */
export type RunEvent =
  | { readonly type: 'stage-start'; readonly stage: StageName; readonly subject: string | null; readonly message: string }
  | { readonly type: 'stage-end'; readonly stage: StageName; readonly subject: string | null; readonly durationMs: number }
  | {
      readonly type: 'batch';
      readonly stage: StageName;
      readonly subject: string | null;
      /** Which model is being scored. */
      readonly model: 'baseline' | 'subject';
      readonly arm: 'preview' | 'final' | 'calibration';
      /** Windows done so far and in all, for this model and arm. */
      readonly done: number;
      readonly total: number;
      /** Throughput of this pass so far (scored sequences' tokens per second), when measured. */
      readonly tokensPerSecond?: number;
      /** Time left for this pass at that rate, milliseconds, when measured. */
      readonly etaMs?: number;
    }
  | { readonly type: 'warning'; readonly id: string; readonly message: string }
  | { readonly type: 'info'; readonly message: string };

/** A listener for {@link RunEvent}s. Exceptions thrown by it are not caught. */
export type RunEventListener = (event: RunEvent) => void;

/** Rate and time left of a pass: `done` of `total` windows and `tokens` tokens after `elapsedMs`. */
export function passRate(done: number, total: number, tokens: number, elapsedMs: number): { readonly tokensPerSecond: number; readonly etaMs: number } | null {
  if (done <= 0 || !(elapsedMs > 0)) return null;
  return { tokensPerSecond: (tokens * 1000) / elapsedMs, etaMs: (elapsedMs * Math.max(0, total - done)) / done };
}
