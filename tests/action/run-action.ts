import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers.js';

/**
 * Runs the Action's `main` or `post` entry in a child process the way the runner does: inputs as
 * `INPUT_*`, the event payload in `GITHUB_EVENT_PATH`, and the `GITHUB_OUTPUT`, `GITHUB_STATE` and
 * `GITHUB_STEP_SUMMARY` files, which are read back after the run. `post` gets `main`'s saved state
 * as `STATE_*` variables, as the runner passes it.
 *
 * By default the TypeScript entry runs through tsx; pass `entryFile` (e.g. dist/action/index.js)
 * to run the bundle as GitHub does.
 */
export interface ActionProcessOptions {
  readonly entry: 'main' | 'post';
  /** Input name → value (names as in action.yml). */
  readonly inputs: Readonly<Record<string, string>>;
  readonly event: { readonly name: string; readonly payload: unknown };
  /** Working directory for the runner files (event.json, output, state, summary). */
  readonly runnerDir: string;
  readonly workspace: string;
  /** Extra environment (GITHUB_API_URL of a fake server, PATH with a docker shim, …). */
  readonly env?: Readonly<Record<string, string>>;
  /** State saved by an earlier `main` run (for `post`). */
  readonly state?: Readonly<Record<string, string>>;
  /** The script to run; default: src/action/main.ts or post.ts through tsx. */
  readonly entryFile?: string;
  /** @default 120000 */
  readonly timeoutMs?: number;
  /** Called with the child once started (to follow its output live or signal it, as a cancelled job does). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** What the child process left behind. */
export interface ActionProcessResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly state: Readonly<Record<string, string>>;
  readonly summary: string;
  /** Workflow commands printed to stdout (`::error::…`, `::notice::…`, `::add-mask::…`). */
  readonly commands: readonly { readonly command: string; readonly message: string }[];
}

/** Parses a GITHUB_OUTPUT / GITHUB_STATE file (`name<<DELIM\nvalue\nDELIM` or `name=value` lines). */
export function parseKeyValueFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const [, name = '', delimiter] = heredoc;
      const body: string[] = [];
      i += 1;
      while (i < lines.length && lines[i] !== delimiter) body.push(lines[i++] ?? '');
      values[name] = body.join('\n');
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
    i += 1;
  }
  return values;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Runs one Action entry in a child process and collects what it wrote. */
export async function runActionProcess(options: ActionProcessOptions): Promise<ActionProcessResult> {
  mkdirSync(options.runnerDir, { recursive: true });
  const files = {
    event: join(options.runnerDir, 'event.json'),
    output: join(options.runnerDir, `output-${options.entry}.txt`),
    state: join(options.runnerDir, `state-${options.entry}.txt`),
    summary: join(options.runnerDir, `summary-${options.entry}.md`),
  };
  writeFileSync(files.event, JSON.stringify(options.event.payload));
  for (const f of [files.output, files.state, files.summary]) writeFileSync(f, '');
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: options.runnerDir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_SHA: 'b'.repeat(40),
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'certify',
    GITHUB_ACTION: 'invarlock',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: join(options.runnerDir, 'temp'),
    RUNNER_TOOL_CACHE: join(options.runnerDir, 'tool-cache'),
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;
  const entryFile = options.entryFile ?? join(REPO_ROOT, 'src', 'action', `${options.entry}.ts`);
  // tsx is resolved here: the child's working directory (the workspace) has no node_modules.
  const args = entryFile.endsWith('.ts') ? ['--import', import.meta.resolve('tsx'), entryFile] : [entryFile];
  const child = spawn(process.execPath, args, { cwd: options.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  options.onSpawn?.(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  const commands = stdout
    .split('\n')
    .map((line) => /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ command: m[1] ?? '', message: m[2] ?? '' }));
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseKeyValueFile(readOr(files.output)),
    state: parseKeyValueFile(readOr(files.state)),
    summary: readOr(files.summary),
    commands,
  };
}
