/**
 * Section 5: start-up of the bundled CLI and Action. Each command runs N times in a fresh Node
 * process; the best time to exit and to the first line of output are kept (the minimum is the
 * least disturbed by other load on the machine). The Action runs in publisher-only mode with a
 * certificate path that does not exist, in a temp dir with the GITHUB_* files it writes to and no
 * token, so it parses its inputs, starts, fails to read the certificate and publishes `error`
 * offline.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Timing of one command over N runs. */
export interface StartupTiming {
  readonly label: string;
  readonly command: string;
  readonly runs: number;
  readonly bestExitMs: number;
  readonly medianExitMs: number;
  readonly bestFirstLineMs: number | null;
  readonly exitCode: number | null;
  /** The first line it printed (for the record: shows the run did what was meant). */
  readonly firstLine: string;
}

/** Outcome of section 5. */
export type StartupOutcome = { readonly status: 'measured'; readonly timings: readonly StartupTiming[] } | { readonly status: 'no-bundle'; readonly missing: string };

interface OneRun {
  readonly exitMs: number;
  readonly firstLineMs: number | null;
  readonly exitCode: number | null;
  readonly firstLine: string;
}

function runOnce(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<OneRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstLineMs: number | null = null;
    let firstLine = '';
    const onData = (chunk: Buffer): void => {
      if (firstLineMs !== null) return;
      firstLineMs = performance.now() - start;
      firstLine = chunk.toString('utf8').split('\n')[0]!.slice(0, 160);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitMs: performance.now() - start, firstLineMs, exitCode: code, firstLine }));
  });
}

async function timeCommand(label: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd: string; runs: number }): Promise<StartupTiming> {
  const results: OneRun[] = [];
  for (let i = 0; i < options.runs; i++) results.push(await runOnce(args, options.env, options.cwd));
  const exits = results.map((r) => r.exitMs).sort((a, b) => a - b);
  const firstLines = results.map((r) => r.firstLineMs).filter((v): v is number => v !== null);
  return {
    label,
    command: `node ${args.join(' ')}`,
    runs: options.runs,
    bestExitMs: exits[0]!,
    medianExitMs: exits[Math.floor(exits.length / 2)]!,
    bestFirstLineMs: firstLines.length === 0 ? null : Math.min(...firstLines),
    exitCode: results[0]!.exitCode,
    firstLine: results[0]!.firstLine,
  };
}

/** Environment of a publisher-only Action run that never reaches the network (no token). */
function actionEnv(dir: string): NodeJS.ProcessEnv {
  const event = join(dir, 'event.json');
  writeFileSync(event, '{}\n');
  for (const f of ['output', 'state', 'summary', 'env']) writeFileSync(join(dir, f), '');
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: dir,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'invarlock-bench/startup',
    GITHUB_WORKSPACE: dir,
    GITHUB_EVENT_NAME: 'workflow_run',
    GITHUB_EVENT_PATH: event,
    GITHUB_SHA: '0'.repeat(40),
    GITHUB_RUN_ID: '1',
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ENV: join(dir, 'env'),
    'INPUT_CERTIFICATE': join(dir, 'missing', 'evaluation.cert.json'),
    'INPUT_HEAD-SHA': 'a'.repeat(40),
  };
}

/** Options of {@link measureStartup}. */
export interface StartupOptions {
  /** The bundle folder holding cli/index.js and action/index.js. */
  readonly distDir: string;
  readonly runs: number;
  readonly cwd: string;
}

/** Measures the CLI (`--version`, `plugins edits`) and the Action's publisher-only start, or says the bundle is missing. */
export async function measureStartup(options: StartupOptions): Promise<StartupOutcome> {
  const cli = join(options.distDir, 'cli', 'index.js');
  const action = join(options.distDir, 'action', 'index.js');
  for (const file of [cli, action]) if (!existsSync(file)) return { status: 'no-bundle', missing: file };
  const env = { ...process.env, NO_COLOR: '1' };
  const timings: StartupTiming[] = [
    await timeCommand('bare Node (node -e 0), for reference', ['-e', '0'], { env, cwd: options.cwd, runs: options.runs }),
    await timeCommand('CLI --version', [cli, '--version'], { env, cwd: options.cwd, runs: options.runs }),
    await timeCommand('CLI plugins edits', [cli, 'plugins', 'edits'], { env, cwd: options.cwd, runs: options.runs }),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'invarlock-bench-action-'));
  try {
    timings.push(await timeCommand('Action (publisher-only, missing certificate)', [action], { env: actionEnv(dir), cwd: dir, runs: options.runs }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { status: 'measured', timings };
}
