import { EVENT_STREAM_FORMAT, STAGES, type RunEvent, type StageName } from '../../core/index.js';

/** Where the run is, for the in-progress check run: the stage, the arm being scored and its ETA. */
export interface ProgressSnapshot {
  readonly stage: StageName;
  readonly subject: string | null;
  /** The arm being scored (`subject final`), or null between arms. */
  readonly scoring: string | null;
  readonly done: number;
  readonly total: number;
  /** Estimated ms until the arm is scored, from its rate so far; null until there is a rate. */
  readonly etaMs: number | null;
  readonly stagesDone: number;
}

/** The log side the renderer writes to (a subset of ActionIO). */
export interface ProgressLog {
  readonly info: (line: string) => void;
  readonly warning: (message: string) => void;
  readonly startGroup: (name: string) => void;
  readonly endGroup: () => void;
}

const KNOWN_STAGES: ReadonlySet<string> = new Set(STAGES);
const MODELS = new Set(['baseline', 'subject']);
const ARMS = new Set(['preview', 'final', 'calibration']);
/** A progress line at least every this many windows' share of an arm (10 %) … */
const LINE_FRACTION = 0.1;
/** … or after this long without one. */
const LINE_INTERVAL_MS = 15_000;
const TEXT_LIMIT = 300;

/**
 * Text from the event stream, made inert for the log: the CLI runs on untrusted model files, so a
 * label must not start a workflow command (`::`), break a line, or run on.
 */
function inert(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/:(?=:)/g, ':\u200b').slice(0, TEXT_LIMIT);
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/**
 * One line of the CLI's `--events stderr` stream as a run event, or null for any other line (plain
 * log text, or a line that claims the format but does not match it). Every field is checked and
 * strings are made inert: nothing here can decide anything or reach a workflow command.
 */
export function parseEventLine(line: string): RunEvent | null {
  if (!line.startsWith('{') || !line.includes(EVENT_STREAM_FORMAT)) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (v['format'] !== EVENT_STREAM_FORMAT) return null;
  const stage = typeof v['stage'] === 'string' && KNOWN_STAGES.has(v['stage']) ? (v['stage'] as StageName) : null;
  const subject = v['subject'] === null || v['subject'] === undefined ? null : inert(v['subject']);
  switch (v['type']) {
    case 'stage-start': {
      const message = inert(v['message']);
      return stage === null || message === null ? null : { type: 'stage-start', stage, subject, message };
    }
    case 'stage-end': {
      const durationMs = typeof v['durationMs'] === 'number' && Number.isFinite(v['durationMs']) ? v['durationMs'] : null;
      return stage === null || durationMs === null ? null : { type: 'stage-end', stage, subject, durationMs };
    }
    case 'batch': {
      const done = count(v['done']);
      const total = count(v['total']);
      const model = v['model'];
      const arm = v['arm'];
      if (stage === null || done === null || total === null || typeof model !== 'string' || !MODELS.has(model) || typeof arm !== 'string' || !ARMS.has(arm)) return null;
      return { type: 'batch', stage, subject, model: model as 'baseline' | 'subject', arm: arm as 'preview' | 'final' | 'calibration', done, total };
    }
    case 'warning': {
      const id = inert(v['id']);
      const message = inert(v['message']);
      return id === null || message === null ? null : { type: 'warning', id, message };
    }
    case 'info': {
      const message = inert(v['message']);
      return message === null ? null : { type: 'info', message };
    }
    default:
      return null;
  }
}

/** `1 h 05 min`, `3 min 20 s`, `45 s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

interface ArmClock {
  readonly startedAt: number;
  readonly startDone: number;
  lastLineAt: number;
  lastLineDone: number;
}

/**
 * Renders the CLI's run events in the Action's log: one collapsible group per stage (named with
 * the stage, subject and what it does), progress lines per scored arm with windows done and an
 * ETA (every 10 % or 15 s), the stage's time at its end. Keeps a {@link ProgressSnapshot} for the
 * in-progress check run.
 */
export class ProgressRenderer {
  private groupOpen = false;
  private readonly clocks = new Map<string, ArmClock>();
  private current: ProgressSnapshot | null = null;
  private stagesDone = 0;

  constructor(
    private readonly log: ProgressLog,
    private readonly now: () => number = Date.now,
  ) {}

  snapshot(): ProgressSnapshot | null {
    return this.current;
  }

  /** Closes a group left open (a CLI that died mid-stage). */
  finish(): void {
    if (this.groupOpen) this.log.endGroup();
    this.groupOpen = false;
  }

  handle(event: RunEvent): void {
    switch (event.type) {
      case 'stage-start': {
        this.finish();
        const label = `${event.stage}${event.subject === null ? '' : ` [${event.subject}]`}`;
        this.log.startGroup(`InvarLock ${label}: ${event.message}`);
        this.groupOpen = true;
        this.current = { stage: event.stage, subject: event.subject, scoring: null, done: 0, total: 0, etaMs: null, stagesDone: this.stagesDone };
        return;
      }
      case 'stage-end':
        this.stagesDone += 1;
        this.log.info(`${event.stage}${event.subject === null ? '' : ` [${event.subject}]`} done in ${formatDuration(event.durationMs)}`);
        this.finish();
        if (this.current !== null) this.current = { ...this.current, scoring: null, etaMs: null, stagesDone: this.stagesDone };
        return;
      case 'batch': {
        const key = `${event.subject ?? ''}|${event.stage}|${event.model}|${event.arm}`;
        const at = this.now();
        let clock = this.clocks.get(key);
        if (clock === undefined) {
          clock = { startedAt: at, startDone: event.done, lastLineAt: at, lastLineDone: 0 };
          this.clocks.set(key, clock);
        }
        const rateDone = event.done - clock.startDone;
        const etaMs = rateDone > 0 && at > clock.startedAt ? ((at - clock.startedAt) / rateDone) * (event.total - event.done) : null;
        const scoring = `${event.model} ${event.arm}`;
        this.current = { stage: event.stage, subject: event.subject, scoring, done: event.done, total: event.total, etaMs, stagesDone: this.stagesDone };
        const finished = event.done >= event.total;
        const step = Math.max(1, Math.ceil(event.total * LINE_FRACTION));
        if (finished || event.done - clock.lastLineDone >= step || at - clock.lastLineAt >= LINE_INTERVAL_MS) {
          clock.lastLineAt = at;
          clock.lastLineDone = event.done;
          const pct = event.total === 0 ? 100 : Math.floor((event.done / event.total) * 100);
          const eta = finished ? '' : etaMs === null ? ' · ETA …' : ` · ETA ${formatDuration(etaMs)}`;
          this.log.info(`  ${scoring}: ${event.done}/${event.total} windows (${pct} %)${eta}`);
        }
        return;
      }
      case 'warning':
        this.log.warning(`[${event.id}] ${event.message}`);
        return;
      case 'info':
        this.log.info(`  ${event.message}`);
        return;
      default: {
        const never: never = event;
        return never;
      }
    }
  }
}

/** The in-progress check run's title for a snapshot: stage, windows done, ETA. */
export function progressTitle(snapshot: ProgressSnapshot): string {
  const where = `${snapshot.stage}${snapshot.subject === null ? '' : ` [${snapshot.subject}]`}`;
  if (snapshot.scoring === null) return `Certifying… ${where} (stage ${snapshot.stagesDone + 1} of ${STAGES.length})`;
  const eta = snapshot.etaMs === null ? '' : ` · ETA ${formatDuration(snapshot.etaMs)}`;
  return `Certifying… ${where}: ${snapshot.scoring} ${snapshot.done}/${snapshot.total} windows${eta}`;
}

/** Options of {@link createLiveCheckRun}. */
export interface LiveCheckRunOptions {
  readonly update: (title: string, summary: string) => Promise<unknown>;
  readonly runUrl: string;
  readonly now?: () => number;
  /** At most one update per this many ms (GitHub's guidance for progress: every 30 s at most). */
  readonly intervalMs?: number;
}

/**
 * Updates the in-progress check run with the run's progress at most every `intervalMs`: the first
 * snapshot after the interval goes out, the rest are dropped. Updates are serialised and their
 * failures ignored (progress is a courtesy; the completion carries the verdict); `flush` waits for
 * the one in flight before the check run is completed.
 */
export function createLiveCheckRun(options: LiveCheckRunOptions): { readonly offer: (snapshot: ProgressSnapshot) => void; readonly flush: () => Promise<void> } {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 30_000;
  let last = now();
  let chain: Promise<unknown> = Promise.resolve();
  return {
    offer: (snapshot) => {
      const at = now();
      if (at - last < interval) return;
      last = at;
      const title = progressTitle(snapshot);
      const summary = `${title}\n\nStages: ${STAGES.map((s, i) => (i < snapshot.stagesDone ? `~~${s}~~` : s === snapshot.stage ? `**${s}**` : s)).join(' → ')}\n\nLive log: [workflow run](${options.runUrl}).`;
      chain = chain.then(() => options.update(title, summary)).catch(() => undefined);
    },
    flush: async () => {
      await chain;
    },
  };
}
