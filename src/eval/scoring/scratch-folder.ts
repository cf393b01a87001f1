import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Scratch folders of sessions: `invarlock-session-<pid>-XXXXXX`, the pid of the process that made it. */
const PREFIX = 'invarlock-session-';
const OWNED = /^invarlock-session-(\d+)-[A-Za-z0-9]{6}$/;

/** Parents already swept by this process: once per parent is enough (its own folders are removed as they go). */
const swept = new Set<string>();

/**
 * A fresh scratch folder for a session's edited data under `parent`, named for this process's pid.
 * A run killed while a session was being created (SIGKILL: no `finally` runs) leaves its folder
 * behind; the first call in a process removes such folders whose owner is no longer running. A folder
 * of a live process, of another user, or without a pid in its name is left alone.
 */
export function makeScratchFolder(parent: string): string {
  if (!swept.has(parent)) {
    swept.add(parent);
    removeStaleScratch(parent);
  }
  return mkdtempSync(join(parent, `${PREFIX}${process.pid}-`));
}

/** Removes `parent`'s scratch folders whose owning process has ended; returns their names. */
export function removeStaleScratch(parent: string): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = OWNED.exec(name)?.[1];
    if (owner === undefined || isRunning(Number(owner))) continue;
    try {
      rmSync(join(parent, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // another user's folder, or removed meanwhile: not ours to insist on
    }
  }
  return removed;
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists and belongs to someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
