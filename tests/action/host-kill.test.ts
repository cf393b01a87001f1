/**
 * A hard kill of the Action in host mode (SIGKILL: no signal reaches the CLI) does not leave the
 * evaluation running: the CLI watches the Action's pid and stops. A real process tree: the test
 * starts a stand-in Action (tests/action/fixtures/host-parent.ts, the real host launcher) whose
 * CLI hangs on a hub that never answers (held open by this test), kills it with SIGKILL and waits
 * for the CLI to be gone.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDirs, REPO_ROOT, tempDir } from './helpers.js';

const TIMEOUT = 180_000;
const dirs: string[] = [];
const sockets: Socket[] = [];
let hub: Server;
let hubUrl = '';
let connected: Promise<void>;

beforeAll(async () => {
  let onConnection = (): void => undefined;
  connected = new Promise((resolve) => (onConnection = resolve));
  // accepts and never answers: only the CLI's own watch can end its wait
  hub = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    onConnection();
  });
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
  const address = hub.address();
  hubUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => hub.close(() => resolve()));
  removeDirs(dirs);
});

/** Live (not zombie) processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        // pid (comm) state ppid …: comm may hold spaces, so split after the last ')'
        const rest = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
        return Number(rest[1]) === pid && rest[0] !== 'Z' ? [Number(name)] : [];
      } catch {
        return [];
      }
    });
}

function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor(what: string, test: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!test()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(!existsSync('/proc/self/stat'))('host mode: the Action killed with SIGKILL', () => {
  it('takes the evaluation CLI down with it', async () => {
    const dir = tempDir('invarlock-host-kill-');
    dirs.push(dir);
    // the CLI from the sources, as the e2e tests run it (tsx registered in-process: one pid)
    const tsxApi = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/esm/api/index.mjs')).href;
    const cliEntry = join(dir, 'cli.mjs');
    writeFileSync(cliEntry, `import { register } from ${JSON.stringify(tsxApi)};\nregister();\nawait import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src/cli/main.ts')).href)});\n`);
    const parent: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'tests/action/fixtures/host-parent.ts'), cliEntry, join(REPO_ROOT, 'node_modules'), dir, hubUrl], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    parent.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    parent.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      // the CLI is up and waiting on the hub
      await Promise.race([connected, new Promise((_, reject) => parent.once('exit', () => reject(new Error(`the stand-in Action ended early:\n${output}`))))]);
      // the CLI is the child running `prefetch` (a loaded machine may show other short-lived children first)
      const cmdline = (pid: number): string[] => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        } catch {
          return [];
        }
      };
      let cli: number | undefined;
      await waitFor('the CLI to start', () => (cli = childrenOf(parent.pid!).find((pid) => cmdline(pid).includes('prefetch'))) !== undefined, 30_000);
      expect(cli, output).toBeGreaterThan(0);
      parent.kill('SIGKILL');
      await new Promise((resolve) => parent.once('exit', resolve));
      // the hub still holds the CLI's request open and never answers: only the watch can end it
      await waitFor(`the CLI (pid ${cli}) to stop`, () => !alive(cli!), 30_000);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
    }
  }, TIMEOUT);
});
