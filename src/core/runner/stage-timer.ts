import type { RunEventListener, StageName } from '../events/index.js';

/** Durations of the stages run so far, in order (the certificate's timing block). */
export interface StageTiming {
  readonly name: string;
  readonly duration_ms: number;
}

/**
 * Runs stages, emitting `stage-start` / `stage-end` events and recording durations. The clock is
 * injected so tests can pin timings; only the timing block of the certificate sees it.
 */
export class StageTimer {
  readonly stages: StageTiming[] = [];

  constructor(
    private readonly onEvent: RunEventListener,
    private readonly now: () => number,
  ) {}

  async run<T>(stage: StageName, subject: string | null, message: string, work: () => Promise<T>): Promise<T> {
    this.onEvent({ type: 'stage-start', stage, subject, message });
    const started = this.now();
    try {
      return await work();
    } finally {
      const durationMs = Math.max(0, Math.round(this.now() - started));
      this.stages.push({ name: subject === null ? stage : `${stage}:${subject}`, duration_ms: durationMs });
      this.onEvent({ type: 'stage-end', stage, subject, durationMs });
    }
  }
}
