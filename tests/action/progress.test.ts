import { describe, expect, it } from 'vitest';
import { EVENT_STREAM_FORMAT, type RunEvent } from '../../src/core/index.js';
import { createLiveCheckRun, formatDuration, parseEventLine, progressTitle, ProgressRenderer } from '../../src/action/launch/progress.js';

const line = (event: Record<string, unknown>): string => JSON.stringify({ format: EVENT_STREAM_FORMAT, t_ms: 5, ...event });

function recorder() {
  const out: string[] = [];
  return {
    out,
    log: {
      info: (l: string) => out.push(l),
      warning: (m: string) => out.push(`warning: ${m}`),
      startGroup: (n: string) => out.push(`::group::${n}`),
      endGroup: () => out.push('::endgroup::'),
    },
  };
}

describe('parseEventLine', () => {
  it('reads the events of the CLI stream and nothing else', () => {
    expect(parseEventLine(line({ type: 'stage-start', stage: 'evaluate', subject: 'int8', message: 'scoring' }))).toEqual({ type: 'stage-start', stage: 'evaluate', subject: 'int8', message: 'scoring' });
    expect(parseEventLine(line({ type: 'batch', stage: 'evaluate', subject: null, model: 'subject', arm: 'final', done: 3, total: 10 }))).toEqual({ type: 'batch', stage: 'evaluate', subject: null, model: 'subject', arm: 'final', done: 3, total: 10 });
    expect(parseEventLine('fake-cli certify starting')).toBeNull();
    expect(parseEventLine('{"type":"stage-start","stage":"evaluate","subject":null,"message":"x"}')).toBeNull();
    expect(parseEventLine(line({ type: 'stage-start', stage: 'exfiltrate', subject: null, message: 'x' }))).toBeNull();
    expect(parseEventLine(line({ type: 'batch', stage: 'evaluate', subject: null, model: 'subject', arm: 'final', done: -1, total: 10 }))).toBeNull();
    expect(parseEventLine(`${line({ type: 'info', message: 'x' }).slice(0, -1)}`)).toBeNull();
  });

  it('makes text inert: no workflow command, no line break, bounded length', () => {
    const event = parseEventLine(line({ type: 'stage-start', stage: 'prepare', subject: '::set-output name=verdict::pass', message: 'a\n::error::b'.padEnd(1000, 'x') }));
    expect(event?.type).toBe('stage-start');
    if (event?.type !== 'stage-start') return;
    expect(event.subject).not.toContain('::');
    expect(event.message).not.toMatch(/[\n\r]|::/);
    expect(event.message.length).toBeLessThanOrEqual(300);
  });
});

describe('ProgressRenderer', () => {
  it('groups each stage, prints windows done with an ETA every 10 %, and the stage time', () => {
    const { out, log } = recorder();
    let now = 0;
    const renderer = new ProgressRenderer(log, () => now);
    const events: RunEvent[] = [{ type: 'stage-start', stage: 'evaluate', subject: null, message: 'scoring the final windows' }];
    for (let done = 0; done <= 20; done += 1) events.push({ type: 'batch', stage: 'evaluate', subject: null, model: 'subject', arm: 'final', done, total: 20 });
    events.push({ type: 'stage-end', stage: 'evaluate', subject: null, durationMs: 20_000 });
    for (const event of events) {
      renderer.handle(event);
      now += 1000;
    }
    expect(out[0]).toBe('::group::InvarLock evaluate: scoring the final windows');
    // one line per 2 windows (10 % of 20); 1 s per window, so 2/20 done after 2 s leaves 18 s
    expect(out[1]).toBe('  subject final: 2/20 windows (10 %) · ETA 18 s');
    expect(out.filter((l) => l.startsWith('  subject final:'))).toHaveLength(10);
    expect(out.at(-3)).toBe('  subject final: 20/20 windows (100 %)');
    expect(out.at(-2)).toBe('evaluate done in 20 s');
    expect(out.at(-1)).toBe('::endgroup::');
    expect(renderer.snapshot()).toMatchObject({ stage: 'evaluate', scoring: null, stagesDone: 1 });
  });

  it('titles the check run with the stage, the windows done and the ETA', () => {
    expect(progressTitle({ stage: 'evaluate', subject: 'int8', scoring: 'subject final', done: 120, total: 400, etaMs: 95_000, stagesDone: 4 })).toBe('Certifying… evaluate [int8]: subject final 120/400 windows · ETA 1 min 35 s');
    expect(progressTitle({ stage: 'guards', subject: null, scoring: null, done: 0, total: 0, etaMs: null, stagesDone: 3 })).toBe('Certifying… guards (stage 4 of 6)');
    expect(formatDuration(3_725_000)).toBe('1 h 02 min');
  });
});

describe('createLiveCheckRun', () => {
  it('updates at most once per interval and waits for the update in flight on flush', async () => {
    let now = 0;
    const titles: string[] = [];
    const live = createLiveCheckRun({ update: async (title) => titles.push(title), runUrl: 'https://github.test/run/1', now: () => now, intervalMs: 30_000 });
    const snap = (done: number) => ({ stage: 'evaluate' as const, subject: null, scoring: 'subject final', done, total: 100, etaMs: null, stagesDone: 4 });
    live.offer(snap(1));
    now = 29_999;
    live.offer(snap(2));
    now = 30_000;
    live.offer(snap(3));
    now = 45_000;
    live.offer(snap(4));
    now = 61_000;
    live.offer(snap(5));
    await live.flush();
    expect(titles).toEqual(['Certifying… evaluate: subject final 3/100 windows', 'Certifying… evaluate: subject final 5/100 windows']);
  });
});
