/**
 * Keeping PR-controlled text inert on the runner (#13): relayed CLI output must not start a workflow
 * command, the token must not reach the log, and the output folder must not be redirected by a
 * committed symlink.
 */
import { randomBytes } from 'node:crypto';
import { lstat, realpath } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { InvarlockError, isPathInside } from '../../errors/index.js';

/**
 * True when the runner could read `line` as a workflow command: `::name::…` after leading
 * whitespace (the runner trims it), or the legacy `##[name]…` form, which it finds anywhere.
 */
export function couldStartCommand(line: string): boolean {
  return /^\s*::/.test(line) || line.includes('##[');
}

/**
 * Turns text from a subprocess or a user into log lines that start no workflow command: each line
 * that could is wrapped in `::stop-commands::TOKEN` … `::TOKEN::` (GitHub's documented way to print
 * untrusted text), with a token the text cannot know. Line breaks of every kind split lines, so one
 * value cannot smuggle a second line past the check.
 */
export function inertLogLines(text: string, stopToken: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r\n|\r|\n|\u2028|\u2029/)) {
    if (couldStartCommand(line)) out.push(`::stop-commands::${stopToken}`, line, `::${stopToken}::`);
    else out.push(line);
  }
  return out;
}

/** A fresh, unguessable token for `::stop-commands::`. */
export function newStopToken(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The values `core.setSecret` must mask for a token: the whole trimmed value and each of its
 * lines (the runner masks line by line, so a two-line token masked whole leaks both lines).
 */
export function secretParts(token: string): string[] {
  const parts = [token.trim(), ...token.split(/\r\n|\r|\n/).map((l) => l.trim())].filter((p) => p !== '');
  return [...new Set(parts)];
}

/** Why a token cannot be used (whitespace inside it breaks the Authorization header), or null. */
export function tokenProblem(token: string): string | null {
  return /\s/.test(token.trim()) ? 'contains whitespace or a line break; it was not used (check how the secret was pasted)' : null;
}

async function nearestExisting(path: string): Promise<string> {
  let current = path;
  for (;;) {
    if ((await lstat(current).catch(() => null)) !== null) return current;
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

/**
 * Refuses an output folder inside the workspace whose real path (symlinks resolved) leaves it, e.g.
 * a PR that commits `invarlock-out` as a symlink to `/home/runner`. A folder configured outside the
 * workspace (RUNNER_TEMP) is the workflow author's choice and is left alone.
 * Throws `E_OUTPUT_PATH`.
 */
export async function checkOutputDirInWorkspace(outputDir: string, workspace: string): Promise<void> {
  if (!isPathInside(workspace, outputDir)) return;
  const realWorkspace = await realpath(workspace).catch(() => workspace);
  const existing = await nearestExisting(outputDir);
  const realExisting = await realpath(existing).catch(() => null);
  if (realExisting === null) {
    throw new InvarlockError('E_OUTPUT_PATH', `output-dir ${outputDir}: ${existing} cannot be resolved (a dangling symbolic link?)`, { details: { field: 'output-dir', file: existing } });
  }
  const target = join(realExisting, relative(existing, outputDir));
  if (!isPathInside(realWorkspace, target)) {
    throw new InvarlockError('E_OUTPUT_PATH', `output-dir ${outputDir} resolves to ${target}, outside the workspace`, {
      details: { field: 'output-dir', file: outputDir, actual: target },
      hint: 'A symbolic link in the checkout may not redirect the output folder; remove it or set output-dir elsewhere.',
    });
  }
}
