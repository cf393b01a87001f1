import { ERROR_CODES, type ErrorCode } from './codes.js';

/**
 * Where a problem is: any of these narrow it down. Values are plain data so that errors can cross
 * worker threads and be printed as JSON.
 */
export interface ErrorDetails {
  readonly file?: string;
  readonly field?: string;
  readonly tensor?: string;
  readonly node?: string;
  readonly window?: string;
  readonly offset?: number;
  readonly expected?: string;
  readonly actual?: string;
  /** Several input problems reported at once (up to a limit), each a one-line message. */
  readonly problems?: readonly string[];
  readonly [key: string]: unknown;
}

/** Options of {@link InvarlockError}. */
export interface InvarlockErrorOptions {
  readonly hint?: string;
  readonly details?: ErrorDetails;
  readonly cause?: unknown;
}

/**
 * The one error class of invarlock. Tell errors apart by `code`, never by message.
 * `exitCode` is derived from the code table (2 bad input, 3 runtime).
 */
export class InvarlockError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, options: InvarlockErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InvarlockError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** Process exit code for a run ended by this error: 2 bad input, 3 runtime. */
  get exitCode(): 2 | 3 {
    return ERROR_CODES[this.code].exit;
  }

  /** A plain, JSON-safe record (for `--json` output and worker messages). */
  toJSON(): { code: ErrorCode; message: string; hint?: string; details: ErrorDetails } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      details: this.details,
    };
  }
}

/** True when `error` is an {@link InvarlockError}, optionally with the given code. */
export function isInvarlockError(error: unknown, code?: ErrorCode): error is InvarlockError {
  return error instanceof InvarlockError && (code === undefined || error.code === code);
}

/**
 * Wraps a foreign error (fs, onnxruntime, Octokit, ajv) with our code, keeping it as `cause`.
 * An error that is already an {@link InvarlockError} passes through unchanged.
 */
export function wrapError(error: unknown, code: ErrorCode, message: string, options: Omit<InvarlockErrorOptions, 'cause'> = {}): InvarlockError {
  if (error instanceof InvarlockError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new InvarlockError(code, `${message}: ${reason}`, { ...options, cause: error });
}
