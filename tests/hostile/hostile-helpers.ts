/**
 * Shared pieces of the hostile-input suite (#13): a bounded runner for one case, the checks every
 * case must pass (an E_* code, exit 2 for the user's input and 3 for the runtime, no stack trace),
 * and a tally of cases per family printed at the end.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { ERROR_CODES, isErrorCode } from '../../src/errors/index.js';
import { cliIo } from '../core/runner/runner-fixtures.js';

/** Each case gets this long; a hang fails the case instead of the suite. */
export const CASE_TIMEOUT_MS = 15_000;

const counts = new Map<string, number>();

/** Counts one generated case of `family` (see {@link caseCounts}). */
export function countCase(family: string, n = 1): void {
  counts.set(family, (counts.get(family) ?? 0) + n);
}

/** Cases run so far, per family. */
export function caseCounts(): Readonly<Record<string, number>> {
  return Object.fromEntries([...counts.entries()].sort());
}

/** Resolves with `promise`, or rejects after `ms` naming the case (a hang). */
export async function bounded<T>(what: string, promise: Promise<T>, ms = CASE_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: ${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A line of a JavaScript stack trace. */
export const STACK_LINE = /^\s+at .*:\d+:\d+\)?$/m;

/** One CLI run in-process, bounded; returns exit code, output and the E_* code printed. */
export async function cliCase(family: string, argv: readonly string[], cwd?: string, ms = CASE_TIMEOUT_MS): Promise<{ code: number; text: string; errorCode: string | null }> {
  countCase(family);
  const io = cliIo(cwd === undefined ? {} : { cwd });
  const code = await bounded(`${family}: invarlock ${argv.join(' ').slice(0, 200)}`, runCli(argv, io), ms);
  const text = io.err() + io.out();
  const match = /\b(E_[A-Z_]+)\b/.exec(text);
  return { code, text, errorCode: match?.[1] ?? null };
}

/**
 * The contract of every hostile case: an E_* code from the table, the exit status the table gives
 * it (2 input, 3 runtime), and no stack trace. `expected` pins the code where the case knows it.
 */
export function expectCodedFailure(result: { code: number; text: string; errorCode: string | null }, expected?: string | readonly string[]): void {
  expect(result.text, result.text).not.toMatch(STACK_LINE);
  expect(result.errorCode, result.text).not.toBeNull();
  const code = result.errorCode ?? '';
  expect(isErrorCode(code), code).toBe(true);
  if (isErrorCode(code)) expect(result.code, result.text).toBe(ERROR_CODES[code].exit);
  if (expected !== undefined) expect([expected].flat(), result.text).toContain(code);
}

/** A fresh temporary directory; remove with {@link removeTemp}. */
export function makeTemp(prefix = 'invarlock-hostile-'): string {
  return mkdtempSync(prefix.startsWith('/') ? prefix : join(tmpdir(), prefix));
}

export function removeTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Makes a FIFO (named pipe) at `path`: opening it for reading blocks until a writer comes. */
export function makeFifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}
