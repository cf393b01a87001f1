import type { RunEventListener, StageName } from '../events/index.js';

/** Durations of the stages run so far, in order of first start, one per stage and subject (the certificate's timing block). */
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
      const name = subject === null ? stage : `${stage}:${subject}`;
      // a stage run in several steps (prepare: the model, then the data) is one row, its steps summed
      const at = this.stages.findIndex((s) => s.name === name);
      if (at < 0) this.stages.push({ name, duration_ms: durationMs });
      else this.stages[at] = { name, duration_ms: this.stages[at]!.duration_ms + durationMs };
      this.onEvent({ type: 'stage-end', stage, subject, durationMs });
    }
  }
}
