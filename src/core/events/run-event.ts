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
    }
  | { readonly type: 'warning'; readonly id: string; readonly message: string }
  | { readonly type: 'info'; readonly message: string };

/** A listener for {@link RunEvent}s. Exceptions thrown by it are not caught. */
export type RunEventListener = (event: RunEvent) => void;
