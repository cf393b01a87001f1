import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubApi } from '../../src/action/publish/github-client.js';
import { readVerifiedCertificate } from '../../src/action/publish/report-door.js';
import { runAction, type ActionDeps } from '../../src/action/run-action.js';
import { runPost } from '../../src/action/run-post.js';
import { runProcess } from '../../src/action/launch/spawn-process.js';
import { FakeGitHub } from './fake-github.js';
import { issueForgery } from '../report/forgery-mutations.js';
import { FAKE_CLI, fakeActionRoot, fixtureCert, inspectRecord, installDockerShim, memoryCache, recordingIO, recordReader, removeDirs, tempDir, type MemoryCache, type RecordingIO } from './helpers.js';

const HEAD = 'a'.repeat(40);
const MERGE = 'b'.repeat(40);
const REPO = 'ghcr.io/invarlock/invarlock-cpu';
const DIGEST = `sha256:${'c'.repeat(64)}`;
const dirs: string[] = [];
let gh: FakeGitHub;

beforeEach(async () => {
  gh = await new FakeGitHub().start();
});
afterEach(async () => {
  await gh.stop();
  removeDirs(dirs);
});

const CONFIG = ['baseline: models/gpt2', 'edit:', '  name: quant_rtn', 'tier: balanced', 'guards:', '  spectral: on', 'batch_size: 8', ''].join('\n');

interface Scenario {
  inputs?: Record<string, string>;
  payload?: unknown;
  event?: string;
  cliEnv?: Record<string, string>;
  cache?: MemoryCache;
  env?: Record<string, string>;
  io?: RecordingIO;
  workspace?: string;
  actionRoot?: string;
}

function pullRequest(fork = false): unknown {
  return { pull_request: { number: 42, head: { sha: HEAD, repo: { full_name: fork ? 'someone/r' : 'o/r', fork } }, base: { repo: { full_name: 'o/r' } } } };
}

function setupWorkspace(): { dir: string; workspace: string } {
  const dir = tempDir();
  dirs.push(dir);
  const workspace = join(dir, 'ws');
  mkdirSync(join(workspace, 'models', 'gpt2'), { recursive: true });
  writeFileSync(join(workspace, 'models', 'gpt2', 'model.onnx'), 'weights');
  writeFileSync(join(workspace, 'invarlock.yaml'), CONFIG);
  mkdirSync(join(workspace, '.github', 'workflows'), { recursive: true });
  writeFileSync(join(workspace, '.github', 'workflows', 'certify.yml'), ['jobs:', '  c:', '    steps:', '      - uses: ./', '        with:', '          config: invarlock.yaml', '          tier: balanced', ''].join('\n'));
  return { dir, workspace };
}

async function run(s: Scenario = {}) {
  const { dir, workspace } = s.workspace === undefined ? setupWorkspace() : { dir: join(s.workspace, '..'), workspace: s.workspace };
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(s.payload ?? pullRequest()));
  const actionRoot = s.actionRoot ?? fakeActionRoot(dir, { withRuntime: true, cliEnv: { FAKE_CLI_CERT: fixtureCert('pass'), ...s.cliEnv } });
  const io = s.io ?? recordingIO();
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: dir,
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_EVENT_NAME: s.event ?? 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: MERGE,
    GITHUB_RUN_ID: '1234',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'certify',
    GITHUB_WORKSPACE: workspace,
    GITHUB_API_URL: gh.baseUrl,
    GITHUB_WORKFLOW_REF: 'o/r/.github/workflows/certify.yml@refs/pull/42/merge',
    RUNNER_TEMP: join(dir, 'tmp'),
    RUNNER_TOOL_CACHE: join(dir, 'tool'),
    GITHUB_TOKEN: 'ghs_must_not_leak',
    ...s.env,
  };
  const deps: ActionDeps = {
    io,
    reader: recordReader({ 'github-token': 'ghs_token', 'execution-mode': 'host', config: 'invarlock.yaml', ...s.inputs }),
    env,
    cwd: workspace,
    actionRoot,
    run: runProcess,
    cache: s.cache ?? memoryCache(),
    certificateReader: readVerifiedCertificate,
    createApi: (o) => createGitHubApi({ ...o, retryBaseMs: 1, throttle: 'off' }),
    now: () => new Date('2026-01-01T00:00:00Z'),
    node: process.execPath,
    user: { uid: 1001, gid: 118 },
  };
  const result = await runAction(deps);
  return { io, result, workspace, dir, env, deps, outDir: join(workspace, 'invarlock-out') };
}

function checkRunBodies() {
  return gh.requests.filter((r) => r.path.includes('/check-runs')).map((r) => ({ method: r.method, body: r.body as Record<string, unknown> }));
}

describe('runAction (host mode)', () => {
  it('masks the token first, evaluates, verifies, and publishes summary, check run, comment and outputs', async () => {
    const { io, outDir } = await run({ inputs: { comment: 'always' } });
    expect(io.order[0]).toBe('setSecret');
    expect(io.secrets).toEqual(['ghs_token']);
    const checks = checkRunBodies();
    expect(checks.map((c) => c.method)).toEqual(['POST', 'PATCH']);
    expect(checks[0]?.body).toMatchObject({ head_sha: HEAD, status: 'in_progress', name: 'InvarLock / certify' });
    expect(checks[1]?.body).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: expect.stringMatching(/^PASS · ppl ×1\.009/) } });
    expect(gh.comments).toHaveLength(1);
    expect(io.outputs).toMatchObject({
      verdict: 'pass',
      ratio: expect.stringMatching(/^1\.00/),
      'certificate-path': join(outDir, 'evaluation.cert.json'),
      'report-path': join(outDir, 'report.md'),
      'check-run-id': expect.stringMatching(/^\d+$/),
      'comment-url': expect.stringContaining('https://github.test/comments/'),
      'output-dir': outDir,
    });
    expect(io.outputs['certificate-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(io.failures).toEqual([]);
    expect(io.summary[0]).toContain('PASS');
    expect(io.summary[0]).toContain('InvarLock run');
    expect(io.state['invarlock-check-run-done']).toBe('true');
  });

  it('writes the job summary before completing the check run', async () => {
    const io = recordingIO();
    let patchesAtSummary = -1;
    const wrapped: RecordingIO = {
      ...io,
      appendSummary: async (md) => {
        if (patchesAtSummary < 0) patchesAtSummary = gh.requests.filter((r) => r.method === 'PATCH').length;
        await io.appendSummary(md);
      },
    };
    await run({ io: wrapped });
    expect(patchesAtSummary).toBe(0);
    expect(gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('passes the CLI an allow-listed environment and the plan with inputs over the config', async () => {
    const { outDir } = await run({ inputs: { tier: 'conservative', seed: '7' } });
    const record = JSON.parse(readFileSync(join(outDir, 'fake-cli.certify.json'), 'utf8'));
    expect(record.args).toEqual(['certify', '--config', expect.stringMatching(/certify\.plan\.json$/), '--out', outDir, '--events', 'stderr', '--json']);
    expect(record.plan).toMatchObject({ baseline: 'models/gpt2', edit: { name: 'quant_rtn' }, tier: 'conservative', seed: 7, batch_size: 8, allow_network: false, output_dir: outDir });
    expect(record.env).not.toContain('GITHUB_TOKEN');
    expect(record.env.filter((k: string) => k.startsWith('INPUT_') || k.startsWith('ACTIONS_'))).toEqual([]);
    expect(record.env).toContain('NODE_PATH');
  });

  it('fails the check and the step on a fail verdict, with annotations on the config and workflow', async () => {
    const { io } = await run({ inputs: { tier: 'balanced' }, cliEnv: { FAKE_CLI_MODE: 'fail', FAKE_CLI_CERT: fixtureCert('fail') } });
    const final = checkRunBodies().at(-1)?.body as { conclusion: string; output: { annotations: { path: string; start_line: number; title: string }[] } };
    expect(final.conclusion).toBe('failure');
    const places = final.output.annotations.map((a) => `${a.path}:${a.start_line}`);
    // tier was given as an input: the primary-metric annotation points at the workflow's with: line.
    expect(places).toContain('.github/workflows/certify.yml:7');
    // spectral's switch and the subject (the edit) are set in the config file.
    expect(places).toContain('invarlock.yaml:6');
    expect(places).toContain('invarlock.yaml:3');
    expect(io.outputs['verdict']).toBe('fail');
    expect(io.failures).toHaveLength(1);
  });

  it('keeps the step green on a fail when action-fail is false, and neutral with fail-on: never', async () => {
    const { io } = await run({ inputs: { 'action-fail': 'false', 'fail-on': 'never' }, cliEnv: { FAKE_CLI_MODE: 'fail', FAKE_CLI_CERT: fixtureCert('fail') } });
    expect(checkRunBodies().at(-1)?.body['conclusion']).toBe('neutral');
    expect(io.failures).toEqual([]);
  });

  it('reports a CLI error as verdict error, never as failure', async () => {
    const { io, outDir } = await run({ cliEnv: { FAKE_CLI_MODE: 'error3' } });
    const final = checkRunBodies().at(-1)?.body as { conclusion: string; output: { title: string; annotations?: { path: string; start_line: number }[] } };
    expect(final.conclusion).toBe('action_required');
    expect(final.output.title).toContain('ERROR · E_RUNTIME_RUN');
    expect(final.output.annotations?.map((a) => `${a.path}:${a.start_line}`)).toEqual(['invarlock.yaml:7']);
    expect(io.outputs['verdict']).toBe('error');
    expect(io.failures[0]).toContain('E_RUNTIME_RUN');
    expect(io.summary[0]).toContain('not a verdict on the model');
    expect(existsSync(join(outDir, 'evaluation.cert.json'))).toBe(false);
  });

  it('degrades to the summary with a notice when the token lacks checks: write and pull-requests: write', async () => {
    gh.fail('POST', /check-runs$/, 403, 5, {}, 'Resource not accessible by integration');
    gh.fail('POST', /issues\/42\/comments$/, 403, 5, {}, 'Resource not accessible by integration');
    const { io, outDir } = await run({ inputs: { comment: 'always' } });
    expect(io.outputs['verdict']).toBe('pass');
    expect(io.failures).toEqual([]);
    expect(io.notices.join('\n')).toContain('checks: write');
    expect(io.notices.join('\n')).toContain('pull-requests: write');
    expect(io.summary.join('\n')).toContain('pull-requests: write');
    expect(existsSync(join(outDir, 'evaluation.cert.json'))).toBe(true);
    expect(gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('skips fork pull requests by default, leaving a completed action_required check run that says why', async () => {
    const { io, outDir } = await run({ payload: pullRequest(true), inputs: { comment: 'always' } });
    // One completed check run (where the token may write it), no comment, no evaluation.
    expect(checkRunBodies()).toEqual([{ method: 'POST', body: expect.objectContaining({ head_sha: HEAD, status: 'completed', conclusion: 'action_required' }) }]);
    const output = checkRunBodies()[0]?.body['output'] as { title: string; summary: string };
    expect(output.title).toBe('SKIPPED · fork pull request');
    expect(output.summary).toContain('https://github.com/invarlock/invarlock/blob/v1/docs/action.md#fork-pull-requests');
    expect(gh.comments).toHaveLength(0);
    expect(io.outputs['verdict']).toBe('skipped');
    expect(io.summary[0]).toContain('fork');
    expect(io.summary[0]).toContain('two-workflow recipe');
    expect(io.failures).toEqual([]);
    expect(existsSync(join(outDir, 'fake-cli.certify.json'))).toBe(false);
  });

  it('evaluates a fork PR with fork-policy: run, publishing only the summary and files', async () => {
    const { io, outDir } = await run({ payload: pullRequest(true), inputs: { 'fork-policy': 'run', comment: 'always' } });
    expect(gh.requests).toHaveLength(0);
    expect(io.outputs['verdict']).toBe('pass');
    expect(existsSync(join(outDir, 'evaluation.cert.json'))).toBe(true);
  });

  it('lists every invalid input in the summary, fails the step, and still completes a check run (#13)', async () => {
    const { io, outDir } = await run({ inputs: { tier: 'extreme', comment: 'loud' } });
    expect(io.outputs['verdict']).toBe('error');
    expect(io.outputs['output-dir']).toBe(outDir);
    expect(io.summary[0]).toContain('E_ACTION_INPUT');
    expect(io.summary[0]).toContain('tier:');
    expect(io.summary[0]).toContain('comment:');
    expect(io.failures).toHaveLength(1);
    // A completed check run says why, so a required check neither waits nor passes.
    expect(checkRunBodies()).toEqual([{ method: 'POST', body: expect.objectContaining({ head_sha: HEAD, status: 'completed', conclusion: 'action_required' }) }]);
    const output = checkRunBodies()[0]?.body['output'] as { title: string; summary: string };
    expect(output.title).toMatch(/^ERROR · E_ACTION_INPUT/);
    expect(output.summary).toContain('tier:');
    expect(io.state['invarlock-check-run-done']).toBe('true');
    expect(io.logs.at(-1)).toMatch(/^InvarLock verdict: ERROR/);
  });

  it('reuses the cached baseline evaluation on the next run', async () => {
    const cache = memoryCache();
    const { workspace } = await run({ cache });
    expect(cache.entries.size).toBe(1);
    const second = await run({ cache, workspace });
    const record = JSON.parse(readFileSync(join(second.outDir, 'fake-cli.certify.json'), 'utf8'));
    expect(record.plan.baseline_eval).toMatch(/baseline-eval[/\\]baseline-eval\.json$/);
    expect(second.io.summary[0]).toContain('| Baseline cache | hit |');
  });

  it('writes a shard\'s partial result without a check run', async () => {
    const { io, outDir } = await run({ inputs: { shard: '2/3' } });
    expect(checkRunBodies()).toHaveLength(0);
    expect(io.outputs['verdict']).toBe('skipped');
    expect(io.summary[0]).toContain('Shard 2/3 evaluated');
    expect(JSON.parse(readFileSync(join(outDir, 'shard-2-of-3.partial.json'), 'utf8'))).toEqual({ shard: { index: 1, count: 3 } });
  });

  it('aggregates shard results into one verified certificate', async () => {
    const { workspace } = setupWorkspace();
    for (const i of [1, 2]) {
      mkdirSync(join(workspace, 'shards', `s${i}`), { recursive: true });
      writeFileSync(join(workspace, 'shards', `s${i}`, 'shard.partial.json'), '{}');
    }
    const { io, outDir } = await run({ workspace, inputs: { aggregate: 'shards', config: '' } });
    expect(JSON.parse(readFileSync(join(outDir, 'aggregate-inputs.json'), 'utf8'))).toEqual(['shard-0001.partial.json', 'shard-0002.partial.json']);
    expect(io.outputs['verdict']).toBe('pass');
    expect(checkRunBodies().at(-1)?.body['conclusion']).toBe('success');
  });
});

describe('runAction (publisher-only mode)', () => {
  function artifact(cert: string | Buffer): string {
    const dir = tempDir();
    dirs.push(dir);
    writeFileSync(join(dir, 'evaluation.cert.json'), cert);
    return join(dir, 'evaluation.cert.json');
  }

  it('verifies the untrusted certificate, then publishes on head-sha and comments where the PR head matches', async () => {
    gh.pulls.set(42, { headSha: HEAD, state: 'open', locked: false });
    const path = artifact(readFileSync(fixtureCert('warn')));
    const { io } = await run({ event: 'workflow_run', payload: { workflow_run: { head_sha: HEAD, pull_requests: [] } }, inputs: { config: '', certificate: path, 'head-sha': HEAD, 'pull-request': '42', comment: 'always' } });
    expect(checkRunBodies()[0]?.body).toMatchObject({ head_sha: HEAD });
    expect(checkRunBodies().at(-1)?.body['conclusion']).toBe('neutral');
    expect(gh.comments).toHaveLength(1);
    expect(io.outputs['verdict']).toBe('warn');
  });

  it('does not comment when the PR head is not the certified commit', async () => {
    gh.pulls.set(42, { headSha: 'f'.repeat(40), state: 'open', locked: false });
    const { io } = await run({ event: 'workflow_run', payload: {}, inputs: { config: '', certificate: artifact(readFileSync(fixtureCert('pass'))), 'head-sha': HEAD, 'pull-request': '42', comment: 'always' } });
    expect(gh.comments).toHaveLength(0);
    expect(io.summary.join('\n')).toContain('not the certified');
  });

  it('publishes nothing from a tampered certificate: verdict error with the failed check', async () => {
    const cert = JSON.parse(readFileSync(fixtureCert('fail'), 'utf8'));
    cert.verdict = { ...cert.verdict, status: 'pass', reasons: [] };
    const { io } = await run({ event: 'workflow_run', payload: {}, inputs: { config: '', certificate: artifact(JSON.stringify(cert)), 'head-sha': HEAD, comment: 'always' } });
    const final = checkRunBodies().at(-1)?.body as { conclusion: string; output: { title: string; summary: string } };
    expect(final.conclusion).toBe('action_required');
    expect(final.output.title).toContain('E_CERT_VERIFY');
    expect(io.outputs['verdict']).toBe('error');
    expect(io.outputs['ratio']).toBe('');
  });

  it("refuses issue 13's forged PASS (loosened policy, digests recomputed): the repository's tier and profile decide", async () => {
    const forged = issueForgery(JSON.parse(readFileSync(fixtureCert('fail'), 'utf8')));
    const { io } = await run({ event: 'workflow_run', payload: {}, inputs: { config: '', certificate: artifact(JSON.stringify(forged)), 'head-sha': HEAD, comment: 'always' } });
    const final = checkRunBodies().at(-1)?.body as { conclusion: string; output: { title: string } };
    expect(final.conclusion).toBe('action_required');
    expect(final.output.title).toContain('E_CERT_POLICY');
    expect(io.outputs['verdict']).toBe('error');
  });

  it("judges a genuine certificate by the configured profile, never the certificate's own", async () => {
    const dev = readFileSync(fixtureCert('dev'));
    const refused = await run({ event: 'workflow_run', payload: {}, inputs: { config: '', certificate: artifact(dev), 'head-sha': HEAD } });
    expect(refused.io.outputs['verdict']).toBe('error');
    expect((checkRunBodies().at(-1)?.body as { output: { title: string } }).output.title).toContain('E_CERT_POLICY');
    const accepted = await run({ event: 'workflow_run', payload: {}, inputs: { config: '', certificate: artifact(dev), 'head-sha': HEAD, profile: 'dev' } });
    expect(accepted.io.outputs['verdict']).toBe('pass');
  });
});

describe('runAction (container mode) and post', () => {
  it('preflights, runs the pinned image, records the digest, and post removes leftovers and closes an unfinished check', async () => {
    const { dir, workspace } = setupWorkspace();
    const shim = installDockerShim(dir, {
      images: { [`${REPO}@${DIGEST}`]: inspectRecord(REPO, DIGEST) },
      gpu: null,
      cli: FAKE_CLI,
      cliEnv: { FAKE_CLI_CERT: fixtureCert('pass') },
      containers: [{ id: 'abcdef123456', labels: {} }],
    });
    const first = await run({ workspace, env: shim.env, inputs: { 'execution-mode': 'container', gpus: 'none', 'runtime-image': `${REPO}@${DIGEST}` } });
    expect(first.io.outputs).toMatchObject({ verdict: 'pass', 'image-digest': DIGEST });
    const runs = shim.calls().filter((c) => c.argv[0] === 'run');
    expect(runs).toHaveLength(1);
    expect(runs[0]?.argv).toEqual(expect.arrayContaining(['--network', 'none', `${REPO}@${DIGEST}`]));
    expect(runs[0]?.argv).not.toContain('--gpus');
    expect(first.io.state['invarlock-docker-used']).toBe('true');

    // post after a run that did not complete its check (e.g. the job was cancelled mid-way).
    const jobKey = first.io.state['invarlock-job-key'] ?? '';
    const state = JSON.parse(readFileSync(shim.statePath, 'utf8'));
    state.containers = [{ id: 'abcdef123456', labels: { 'dev.invarlock.job': jobKey } }];
    writeFileSync(shim.statePath, JSON.stringify(state));
    const postIO = recordingIO({ ...first.io.state, 'invarlock-check-run-done': '' });
    const post = await runPost({ io: postIO, reader: recordReader({ 'github-token': 'ghs_token' }), env: first.env, cwd: workspace, run: runProcess, createApi: (o) => createGitHubApi({ ...o, retryBaseMs: 1, throttle: 'off' }), now: () => new Date() });
    expect(post).toEqual({ containersRemoved: 1, checkRunCancelled: true });
    expect(gh.requests.at(-1)?.body).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    expect(postIO.secrets).toEqual(['ghs_token']);
  });

  it('ends in error with a clear reason when docker is unavailable', async () => {
    const { dir, workspace } = setupWorkspace();
    const shim = installDockerShim(dir, { images: {}, cli: FAKE_CLI, daemonDown: true });
    const { io } = await run({ workspace, env: shim.env, inputs: { 'execution-mode': 'container', 'runtime-image': `${REPO}@${DIGEST}` } });
    expect(io.outputs['verdict']).toBe('error');
    expect(io.summary[0]).toContain('E\\_DOCKER');
    expect(checkRunBodies().at(-1)?.body['conclusion']).toBe('action_required');
  });

  it('asks for runtime-image when this version pins no default image', async () => {
    const { io } = await run({ inputs: { 'execution-mode': 'container' } });
    expect(io.outputs['verdict']).toBe('error');
    expect(io.summary[0]).toContain('runtime-image');
  });
});

describe('runPost', () => {
  it('does nothing when main never started', async () => {
    const io = recordingIO();
    const result = await runPost({ io, reader: recordReader({}), env: {}, cwd: '/', run: runProcess, createApi: (o) => createGitHubApi(o), now: () => new Date() });
    expect(result).toEqual({ containersRemoved: 0, checkRunCancelled: false });
    expect(gh.requests).toHaveLength(0);
  });

  it('leaves a completed check run alone', async () => {
    const io = recordingIO({ 'invarlock-main-started': 'true', 'invarlock-check-run-id': '5', 'invarlock-check-run-done': 'true', 'invarlock-job-key': '0123456789ab' });
    const result = await runPost({ io, reader: recordReader({ 'github-token': 't' }), env: { GITHUB_REPOSITORY: 'o/r', GITHUB_API_URL: gh.baseUrl }, cwd: '/', run: runProcess, createApi: (o) => createGitHubApi(o), now: () => new Date() });
    expect(result.checkRunCancelled).toBe(false);
    expect(gh.requests).toHaveLength(0);
  });
});
