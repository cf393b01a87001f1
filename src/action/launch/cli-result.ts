import type { RunError } from '../evaluate/outcome.js';
import type { ProcessResult } from './spawn-process.js';

/**
 * What a CLI run (`certify`, `aggregate`, `prefetch`) ended in, by its exit code:
 * 0 pass/warn and 1 gate failed both leave a certificate to verify; 2 bad input and 3 runtime
 * error carry the `--json` error record; anything else is the launcher's failure (Docker's 125,
 * an OOM kill's 137, a timeout).
 */
export type CliOutcome = { readonly kind: 'completed'; readonly exitCode: 0 | 1 } | { readonly kind: 'failed'; readonly error: RunError };

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the error record the CLI prints with `--json` on exit 2/3:
 * `{"error": {"code", "message", "hint"?, "details"?: {"field"?}}}` (the whole stdout, or its last
 * line). Returns null when stdout holds no such record.
 */
export function parseCliError(stdout: string): Omit<RunError, 'kind'> | null {
  const candidates = [stdout.trim(), stdout.trim().split(/\r?\n/).pop() ?? ''];
  for (const text of candidates) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    const error = isRecord(value) && isRecord(value['error']) ? value['error'] : null;
    if (error === null || typeof error['code'] !== 'string' || typeof error['message'] !== 'string') continue;
    const details = isRecord(error['details']) ? error['details'] : {};
    return {
      code: error['code'],
      message: error['message'],
      hint: typeof error['hint'] === 'string' ? error['hint'] : null,
      field: typeof details['field'] === 'string' ? details['field'] : null,
    };
  }
  return null;
}

/**
 * Reads the CLI's human error line (`error E_CODE: message`, the last one in stderr) when stdout
 * holds no `--json` record. Returns null when there is none.
 */
export function parseCliErrorLine(stderr: string): Omit<RunError, 'kind'> | null {
  const lines = stderr.split(/\r?\n/).reverse();
  for (const line of lines) {
    const match = /^(?:error\s+)?(E_[A-Z0-9_]+):\s+(.+)$/.exec(line.trim());
    if (match !== null) return { code: match[1] ?? 'E_INTERNAL', message: match[2] ?? '', hint: null, field: null };
  }
  return null;
}

function lastLines(text: string, n: number): string {
  return text.trim().split(/\r?\n/).slice(-n).join('\n');
}

/** Options of {@link interpretCliResult}. */
export interface InterpretOptions {
  /** What ran, for messages (`certify in the container`). */
  readonly what: string;
  readonly launcher: 'container' | 'host';
  readonly timeoutMinutes: number;
}

/** Maps a finished CLI process to a {@link CliOutcome}. */
export function interpretCliResult(result: ProcessResult, options: InterpretOptions): CliOutcome {
  const launcherCode = options.launcher === 'container' ? 'E_DOCKER' : 'E_HOST_RUNTIME';
  switch (result.kind) {
    case 'exited': {
      if (result.exitCode === 0 || result.exitCode === 1) return { kind: 'completed', exitCode: result.exitCode };
      if (result.exitCode === 2 || result.exitCode === 3) {
        const parsed = parseCliError(result.stdout) ?? parseCliErrorLine(result.stderrTail);
        return {
          kind: 'failed',
          error: parsed === null
            ? { code: result.exitCode === 2 ? 'E_USAGE' : 'E_INTERNAL', message: `${options.what} exited ${result.exitCode}: ${lastLines(result.stderrTail, 5) || 'no message'}`, hint: null, field: null, kind: 'other' }
            : { ...parsed, kind: 'other' },
        };
      }
      const why =
        result.exitCode === 137
          ? 'killed (out of memory? raise the runner memory, lower batch-size, or set --memory in docker-args)'
          : result.exitCode === 125
            ? `Docker could not start the container: ${lastLines(result.stderrTail, 3)}`
            : `${lastLines(result.stderrTail, 5) || 'no message'}`;
      return { kind: 'failed', error: { code: launcherCode, message: `${options.what} exited ${result.exitCode}: ${why}`, hint: null, field: null, kind: 'other' } };
    }
    case 'timed-out':
      return {
        kind: 'failed',
        error: { code: 'E_TIMEOUT', message: `${options.what} ran past timeout-minutes (${options.timeoutMinutes}) and was stopped`, hint: 'Raise timeout-minutes, or lower preview-n/final-n.', field: null, kind: 'timeout' },
      };
    case 'aborted':
    case 'signalled':
      return { kind: 'failed', error: { code: 'E_CANCELLED', message: `${options.what} was stopped (${result.kind === 'signalled' ? result.signal : 'job cancelled'})`, hint: null, field: null, kind: 'cancelled' } };
    case 'not-found':
      return {
        kind: 'failed',
        error: { code: launcherCode, message: `'${result.command}' was not found on PATH`, hint: options.launcher === 'container' ? 'Install Docker, or use execution-mode: host.' : null, field: null, kind: 'other' },
      };
    case 'spawn-failed':
      return { kind: 'failed', error: { code: launcherCode, message: `${options.what} could not start: ${result.message}`, hint: null, field: null, kind: 'other' } };
    default: {
      const unreachable: never = result;
      throw new Error(`unknown process result ${JSON.stringify(unreachable)}`);
    }
  }
}
