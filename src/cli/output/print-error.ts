import { ERROR_CODES, isInvarlockError } from '../../errors/index.js';
import type { Style } from './style.js';

/**
 * Formats an error for the terminal: code, message, where (details) and hint. The stack trace is
 * shown only with `--verbose`, and always for errors that are not ours (those are bugs).
 * Returns the exit code: the code table's for InvarlockError, 3 otherwise.
 */
export function formatError(error: unknown, style: Style, verbose: boolean): { text: string; exitCode: 2 | 3 } {
  if (isInvarlockError(error)) {
    const lines = [`${style.red(style.bold('error'))} ${style.bold(error.code)}: ${error.message}`];
    const { problems, ...where } = error.details;
    const whereText = Object.entries(where)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    if (whereText !== '') lines.push(`  at ${whereText}`);
    for (const p of problems ?? []) lines.push(`  - ${p}`);
    if (error.hint !== undefined) lines.push(`  ${style.cyan('hint:')} ${error.hint}`);
    if (verbose && error.stack !== undefined) lines.push(style.dim(error.stack));
    if (verbose && error.cause instanceof Error && error.cause.stack !== undefined) lines.push(style.dim(`cause: ${error.cause.stack}`));
    return { text: `${lines.join('\n')}\n`, exitCode: ERROR_CODES[error.code].exit };
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { text: `${style.red(style.bold('internal error'))} (please report it): ${message}\n`, exitCode: 3 };
}

/** The JSON error record `--json` prints on stdout: `{ code, message, hint?, details? }`. */
export function errorRecord(error: unknown): { code: string; message: string; hint?: string; details?: unknown } {
  if (isInvarlockError(error)) return error.toJSON();
  return { code: 'E_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
