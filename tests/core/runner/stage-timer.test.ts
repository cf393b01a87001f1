/** The certificate's timing block lists each stage once: a stage run in steps (prepare) sums them. */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/core/index.js';
import { StageTimer } from '../../../src/core/runner/stage-timer.js';

describe('StageTimer', () => {
  it('records one row per stage and subject, summing a stage run twice, and emits start/end for each step', async () => {
    let clock = 0;
    const events: RunEvent[] = [];
    const timer = new StageTimer((e) => events.push(e), () => clock);
    const step = (ms: number) => async () => {
      clock += ms;
    };
    await timer.run('prepare', null, 'baseline', step(5));
    await timer.run('prepare', null, 'windows', step(7));
    await timer.run('preview', null, 'baseline', step(3));
    await timer.run('preview', 'int8', 'subject', step(2));
    expect(timer.stages).toEqual([
      { name: 'prepare', duration_ms: 12 },
      { name: 'preview', duration_ms: 3 },
      { name: 'preview:int8', duration_ms: 2 },
    ]);
    expect(events.filter((e) => e.type === 'stage-start')).toHaveLength(4);
  });
});
