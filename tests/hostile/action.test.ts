/**
 * Hostile Action inputs and events (#13 items 2, 3, 4, 7, 8, 9): PR-controlled text relayed from the
 * CLI must start no workflow command, a broken token must never reach the log, a committed
 * `invarlock-out` symlink must not redirect writes, a FIFO certificate and malformed event payloads
 * must end in verdict `error` with a completed check run, never a crash or a hang.
 */
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubApi } from '../../src/action/publish/github-client.js';
import { readVerifiedCertificate } from '../../src/action/publish/report-door.js';
import { runAction, type ActionDeps } from '../../src/action/run-action.js';
import { runProcess } from '../../src/action/launch/spawn-process.js';
import { couldStartCommand, inertLogLines } from '../../src/action/launch/untrusted-text.js';
import { FakeGitHub } from '../action/fake-github.js';
import { fakeActionRoot, fixtureCert, memoryCache, recordingIO, recordReader, type RecordingIO } from '../action/helpers.js';
import { runActionProcess } from '../action/run-action.js';
import { bounded, caseCounts, countCase, makeFifo, makeTemp, removeTemp, STACK_LINE } from './hostile-helpers.js';

const HEAD = 'a'.repeat(40);
const MERGE = 'b'.repeat(40);
const dirs: string[] = [];
let gh: FakeGitHub;

beforeEach(async () => {
  gh = await new FakeGitHub().start();
});
afterEach(async () => {
  await gh.stop();
  for (const dir of dirs.splice(0)) removeTemp(dir);
});
afterAll(() => console.log(`hostile action: cases per family ${JSON.stringify(caseCounts())}`));

/**
 * Reads log lines as the runner does and returns the workflow commands it would run: lines starting
 * with `::` (after trimming) or holding `##[`, except while `::stop-commands::TOKEN` is in force.
 */
function commandsSeenByRunner(lines: readonly string[]): string[] {
  const seen: string[] = [];
  let stopToken: string | null = null;
  for (const line of lines.flatMap((l) => l.split(/\r\n|\r|\n/))) {
    if (stopToken !== null) {
      if (line.trim() === `::${stopToken}::`) stopToken = null;
      continue;
    }
    const stop = /^\s*::stop-commands::(.+)$/.exec(line);
    if (stop !== null) stopToken = stop[1] ?? '';
    // The recording IO logs the Action's own groups (stage names) as ::group:: lines.
    else if (couldStartCommand(line) && !/^::(group::invarlock .*|endgroup::)$/.test(line)) seen.push(line);
  }
  return seen;
}

interface Scenario {
  readonly inputs?: Record<string, string>;
  readonly eventText?: string;
  readonly cliMode?: string;
  readonly config?: string;
  readonly prepare?: (workspace: string) => void;
}

async function run(s: Scenario): Promise<{ io: RecordingIO; workspace: string; dir: string }> {
  const dir = makeTemp();
  dirs.push(dir);
  const workspace = join(dir, 'ws');
  mkdirSync(join(workspace, 'models', 'gpt2'), { recursive: true });
  writeFileSync(join(workspace, 'models', 'gpt2', 'model.onnx'), 'weights');
  writeFileSync(join(workspace, 'invarlock.yaml'), s.config ?? 'baseline: models/gpt2\nedit:\n  name: noop\n');
  s.prepare?.(workspace);
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, s.eventText ?? JSON.stringify({ pull_request: { number: 42, head: { sha: HEAD, repo: { full_name: 'o/r' } }, base: { repo: { full_name: 'o/r' } } } }));
  const io = recordingIO();
  const deps: ActionDeps = {
    io,
    reader: recordReader({ 'github-token': 'ghs_token', 'execution-mode': 'host', config: 'invarlock.yaml', ...s.inputs }),
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: MERGE,
      GITHUB_RUN_ID: '7',
      GITHUB_WORKSPACE: workspace,
      GITHUB_API_URL: gh.baseUrl,
      RUNNER_TEMP: join(dir, 'tmp'),
      RUNNER_TOOL_CACHE: join(dir, 'tool'),
    },
    cwd: workspace,
    actionRoot: fakeActionRoot(dir, { withRuntime: true, cliEnv: { FAKE_CLI_CERT: fixtureCert('pass'), FAKE_CLI_MODE: s.cliMode ?? 'pass' } }),
    run: runProcess,
    cache: memoryCache(),
    certificateReader: readVerifiedCertificate,
    createApi: (o) => createGitHubApi({ ...o, retryBaseMs: 1, throttle: 'off' }),
    now: () => new Date('2026-01-01T00:00:00Z'),
    node: process.execPath,
    user: { uid: 1001, gid: 118 },
  };
  await bounded('runAction', runAction(deps));
  return { io, workspace, dir };
}

function everything(io: RecordingIO): string {
  return [...io.logs, ...io.notices, ...io.warnings, ...io.failures, ...io.summary, ...Object.values(io.outputs)].join('\n');
}

function checkRuns(): { method: string; body: Record<string, unknown> }[] {
  return gh.requests.filter((r) => r.path.includes('/check-runs')).map((r) => ({ method: r.method, body: r.body as Record<string, unknown> }));
}

describe('workflow-command injection', () => {
  it('relays a dataset provider carrying workflow commands inertly', async () => {
    countCase('action-inputs');
    const { io } = await run({
      cliMode: 'echo-plan',
      config: 'baseline: models/gpt2\nedit:\n  name: noop\ndataset:\n  provider: "text:data/x\\n::error::INJECT"\n',
      // A file name may hold a line break, so the provider resolves and the CLI gets to echo it.
      prepare: (ws) => {
        mkdirSync(join(ws, 'data'));
        writeFileSync(join(ws, 'data', 'x\n::error::INJECT'), 'some text\n');
      },
    });
    expect(io.logs.join('\n')).toContain('::error::INJECT');
    expect(commandsSeenByRunner(io.logs), JSON.stringify(io.logs)).toEqual([]);
    expect(io.outputs['verdict']).toBe('error');
  });

  it('starts no command from a baseline input carrying ::set-output', async () => {
    countCase('action-inputs');
    const { io } = await run({ cliMode: 'echo-plan', inputs: { baseline: 'models/gpt2\n::set-output name=verdict::pass' } });
    expect(commandsSeenByRunner(io.logs)).toEqual([]);
    expect(io.outputs['verdict']).toBe('error');
  });

  it('no generated text, relayed line by line, starts a command (property)', () => {
    const fragment = fc.constantFrom('::error::x', '::set-output name=verdict::pass', '  ::add-mask::a', '##[error]x', '::stop-commands::abc', '::abc::', '\r', '\n', '\u2028', ':', '#', '[');
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 20 }), fragment), { maxLength: 12 }), (parts) => {
        countCase('action-inputs');
        const lines = inertLogLines(parts.join(''), 'f00dfeedf00dfeedf00dfeedf00dfeed');
        expect(commandsSeenByRunner(lines)).toEqual([]);
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});

describe('tokens', () => {
  it('refuses a token with a line break before any use and masks each of its lines', async () => {
    countCase('action-inputs');
    const { io } = await run({ inputs: { 'github-token': 'ghs_firstline\nghs_secondline' } });
    expect(io.order[0]).toBe('setSecret');
    expect(io.secrets).toEqual(expect.arrayContaining(['ghs_firstline', 'ghs_secondline']));
    expect(everything(io)).not.toContain('ghs_firstline');
    expect(everything(io)).not.toContain('ghs_secondline');
    expect(io.outputs['verdict']).toBe('error');
    expect(io.failures.join('\n')).toContain('github-token');
    expect(gh.requests).toHaveLength(0);
  });
});

describe('paths', () => {
  it('refuses an invarlock-out committed as a symlink out of the workspace and writes nothing there', async () => {
    countCase('action-inputs');
    let target = '';
    const { io } = await run({
      prepare: (workspace) => {
        target = join(workspace, '..', 'victim');
        mkdirSync(target);
        symlinkSync(target, join(workspace, 'invarlock-out'));
      },
    });
    expect(io.outputs['verdict']).toBe('error');
    expect(everything(io)).toContain('E_OUTPUT_PATH');
    expect(readdirSync(target)).toEqual([]);
    expect(checkRuns().at(-1)?.body).toMatchObject({ status: 'completed', conclusion: expect.any(String) });
  });

  it('ends a FIFO certificate in publisher mode with verdict error and a completed check run, without blocking', async () => {
    countCase('certificates');
    const { io } = await run({ inputs: { certificate: 'cert.json', 'head-sha': HEAD, config: '' }, prepare: (ws) => makeFifo(join(ws, 'cert.json')) });
    expect(io.outputs['verdict']).toBe('error');
    expect(everything(io)).toContain('E_FILE_TYPE');
    expect(checkRuns().at(-1)?.body).toMatchObject({ status: 'completed' });
  });
});

describe('events and input errors', () => {
  it('malformed or odd event payloads end in verdict error with a completed check run, never a crash (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 40 }), fc.json({ maxDepth: 3 }), fc.constant('{"pull_request": {"number": 1e308, "head": {"sha": 5}}}')), async (eventText) => {
        countCase('events');
        gh.requests.length = 0;
        // tier: strict is an input error, so each case stops before the CLI.
        const { io } = await run({ eventText, inputs: { tier: 'strict' } });
        expect(io.outputs['verdict']).toBe('error');
        expect(io.outputs['output-dir']).toMatch(/invarlock-out$/);
        expect(everything(io)).not.toMatch(STACK_LINE);
        expect(checkRuns()).toHaveLength(1);
        expect(checkRuns()[0]?.body).toMatchObject({ status: 'completed', conclusion: 'action_required' });
      }),
      { seed: 13, numRuns: 15 },
    );
  });

  it('the Action process with a malformed GITHUB_EVENT_PATH sets verdict error, prints no stack trace and completes a check run', async () => {
    countCase('events');
    gh.requests.length = 0;
    const dir = makeTemp();
    dirs.push(dir);
    const workspace = join(dir, 'ws');
    mkdirSync(workspace);
    const bad = join(dir, 'bad-event.json');
    writeFileSync(bad, '{"pull_request": ');
    const result = await runActionProcess({
      entry: 'main',
      inputs: { baseline: 'm', edit: 'noop', 'execution-mode': 'host', 'github-token': 'ghs_x' },
      event: { name: 'pull_request', payload: {} },
      runnerDir: join(dir, 'runner'),
      workspace,
      env: { GITHUB_EVENT_PATH: bad, GITHUB_API_URL: gh.baseUrl },
      timeoutMs: 30_000,
    });
    expect(result.outputs['verdict'], result.stdout + result.stderr).toBe('error');
    expect(result.stdout + result.stderr).not.toMatch(STACK_LINE);
    // @actions/github loads without the payload, so the input error still completes a check run.
    expect(gh.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/check-runs')).map((r) => (r.body as { conclusion?: string }).conclusion)).toEqual(['action_required']);
  });
});
