/**
 * Session scratch folders carry their owner's pid, and folders left by a process that died before
 * removing its own (a SIGKILL while a session was being created) are removed by the next run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeScratchFolder, removeStaleScratch } from '../../../src/eval/scoring/scratch-folder.js';

const parent = mkdtempSync(join(tmpdir(), 'invarlock-scratch-test-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** The pid of a process that has ended. */
function deadPid(): number {
  const run = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(run.stdout);
}

describe('session scratch folders', () => {
  it('removes the folders of ended processes, keeps live owners, foreign names and its own', () => {
    const dead = `invarlock-session-${deadPid()}-AbC123`;
    const live = `invarlock-session-${process.pid}-XyZ789`;
    const legacy = 'invarlock-session-Qw3rTy';
    const other = 'something-else';
    for (const name of [dead, live, legacy, other]) {
      mkdirSync(join(parent, name));
      writeFileSync(join(parent, name, 'invarlock-session.onnx_data'), 'x');
    }
    const made = makeScratchFolder(parent);
    expect(made.startsWith(join(parent, `invarlock-session-${process.pid}-`))).toBe(true);
    expect(existsSync(made)).toBe(true);
    expect(readdirSync(parent).sort()).toEqual([legacy, live, made.slice(parent.length + 1), other].sort());
    // nothing more to remove; a missing parent is no error
    expect(removeStaleScratch(parent)).toEqual([]);
    expect(removeStaleScratch(join(parent, 'missing'))).toEqual([]);
  });
});
