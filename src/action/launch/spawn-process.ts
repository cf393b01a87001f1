import { spawn } from 'node:child_process';

/** Options of {@link runProcess}. */
export interface RunProcessOptions {
  readonly command: string;
  /** Arguments as an array: never joined into a shell string (`shell: false`). */
  readonly args: readonly string[];
  /** The child's whole environment (callers build it from an allow-list). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Kill after this many ms (SIGTERM, then SIGKILL 10 s later). 0 = no limit. @default 0 */
  readonly timeoutMs?: number;
  /** Called per complete stdout/stderr line (progress goes to the log). */
  readonly onStdoutLine?: (line: string) => void;
  readonly onStderrLine?: (line: string) => void;
  /** Keep at most this many bytes of stdout (the `--json` result). @default 4 MiB */
  readonly stdoutLimitBytes?: number;
  /** Aborting kills the child like a timeout does. */
  readonly signal?: AbortSignal;
  /** Called when the timeout or abort fires, before the child is signalled (e.g. `docker kill`). */
  readonly onStop?: () => Promise<void>;
}

/** How a child process ended. */
export type ProcessResult =
  | { readonly kind: 'exited'; readonly exitCode: number; readonly stdout: string; readonly stderrTail: string; readonly durationMs: number }
  | { readonly kind: 'signalled'; readonly signal: string; readonly stdout: string; readonly stderrTail: string; readonly durationMs: number }
  | { readonly kind: 'timed-out'; readonly stdout: string; readonly stderrTail: string; readonly durationMs: number }
  | { readonly kind: 'aborted'; readonly stdout: string; readonly stderrTail: string; readonly durationMs: number }
  | { readonly kind: 'not-found'; readonly command: string }
  | { readonly kind: 'spawn-failed'; readonly message: string };

/** Runs a command to completion. */
export type ProcessRunner = (options: RunProcessOptions) => Promise<ProcessResult>;

const STDERR_TAIL_BYTES = 16 * 1024;

function lineSplitter(onLine: ((line: string) => void) | undefined): { push: (chunk: string) => void; flush: () => void } {
  let pending = '';
  return {
    push: (chunk) => {
      if (onLine === undefined) return;
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    flush: () => {
      if (onLine !== undefined && pending !== '') onLine(pending);
      pending = '';
    },
  };
}

/**
 * Spawns a command without a shell, streams its lines, keeps bounded stdout and the stderr tail,
 * and stops it on timeout or abort. Never throws: a missing binary is `not-found`.
 */
export const runProcess: ProcessRunner = (options) =>
  new Promise((resolve) => {
    const started = Date.now();
    const stdoutLimit = options.stdoutLimitBytes ?? 4 * 1024 * 1024;
    let stdout = '';
    let stderrTail = '';
    let stopped: 'timed-out' | 'aborted' | null = null;
    let settled = false;
    const child = spawn(options.command, [...options.args], {
      env: { ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out = lineSplitter(options.onStdoutLine);
    const err = lineSplitter(options.onStderrLine);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < stdoutLimit) stdout += chunk.slice(0, stdoutLimit - stdout.length);
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
      err.push(chunk);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: 'timed-out' | 'aborted'): void => {
      if (stopped !== null || settled) return;
      stopped = why;
      const signalChild = (): void => {
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        killTimer.unref();
      };
      if (options.onStop === undefined) signalChild();
      else void options.onStop().then(signalChild, signalChild);
    };
    const timer = options.timeoutMs !== undefined && options.timeoutMs > 0 ? setTimeout(() => stop('timed-out'), options.timeoutMs) : undefined;
    const onAbort = (): void => stop('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (result: ProcessResult): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (killTimer !== undefined) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(error.code === 'ENOENT' ? { kind: 'not-found', command: options.command } : { kind: 'spawn-failed', message: error.message });
    });
    const done = (code: number | null, signal: NodeJS.Signals | null): void => {
      out.flush();
      err.flush();
      const durationMs = Date.now() - started;
      if (stopped !== null) finish({ kind: stopped, stdout, stderrTail, durationMs });
      else if (code !== null) finish({ kind: 'exited', exitCode: code, stdout, stderrTail, durationMs });
      else finish({ kind: 'signalled', signal: signal ?? 'unknown', stdout, stderrTail, durationMs });
    };
    child.on('close', done);
    // A grandchild that outlives the child can hold the pipes open forever: after the child
    // exits, wait a little for the output, then settle anyway.
    child.on('exit', (code, signal) => {
      const grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        done(code, signal);
      }, 2_000);
      grace.unref();
    });
  });
