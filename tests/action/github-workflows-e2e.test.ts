/**
 * The Action's documented workflows end to end, against the fake GitHub API on loopback, with the
 * real CLI evaluating the trained fixture models (host mode; the CLI runs from the sources through
 * tsx): gate on a PR, the fork-safe pair (untrusted evaluation → artifact → workflow_run
 * publisher), fork PRs and invalid inputs, and the matrix of shards + aggregate.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactUploader } from '../../src/action/publish/artifact-upload.js';
import { createGitHubApi } from '../../src/action/publish/github-client.js';
import { readVerifiedCertificate } from '../../src/action/publish/report-door.js';
import { runAction, type ActionDeps } from '../../src/action/run-action.js';
import { runProcess } from '../../src/action/launch/spawn-process.js';
import { FakeGitHub } from './fake-github.js';
import { fakeActionRoot, memoryCache, recordingIO, recordReader, removeDirs, REPO_ROOT, tempDir, type RecordingIO } from './helpers.js';

const TIMEOUT = 240_000;
const HEAD = '1'.repeat(40);
const MERGE = '2'.repeat(40);
const CONFIG = [
  'baseline: models/gpt2',
  'subjects:',
  '  - model: models/gpt2-int8',
  'profile: dev',
  'device: cpu',
  'batch_size: 8',
  'dataset:',
  '  provider: text:data/eval.txt',
  '  seq_len: 64',
  '  preview_n: 32',
  '  final_n: 32',
  '',
].join('\n');
/** The same evaluation for a built-in edit, and for a LoRA subject: guards that read the preview arm. */
const EDIT_CONFIG = CONFIG.replace('subjects:\n  - model: models/gpt2-int8\n', 'edit:\n  name: quant_rtn\n  config:\n    bits: 4\n    scope: ffn\n');
const LORA_CONFIG = CONFIG.replace('subjects:\n  - model: models/gpt2-int8\n', 'subject_lora:\n  - path: adapters/gpt2-lora\n');

const dirs: string[] = [];
let gh: FakeGitHub;
let root: string;
let workspace: string;
let actionRoot: string;

/** An artifact service double: records what was uploaded and hands out ids. */
function recordingUploader(): ArtifactUploader & { readonly uploads: { name: string; files: readonly string[]; skipArchive: boolean }[] } {
  const uploads: { name: string; files: readonly string[]; skipArchive: boolean }[] = [];
  return { uploads, upload: async (name, files, _root, options) => (uploads.push({ name, files, skipArchive: options.skipArchive }), { id: 100 + uploads.length }) };
}

beforeAll(async () => {
  gh = await new FakeGitHub().start();
  root = tempDir('invarlock-gh-e2e-');
  dirs.push(root);
  workspace = join(root, 'ws');
  for (const [from, to] of [['gpt2-tiny', 'gpt2'], ['gpt2-tiny-int8-qdq', 'gpt2-int8']] as const) cpSync(join(REPO_ROOT, 'tests/fixtures/models', from), join(workspace, 'models', to), { recursive: true });
  mkdirSync(join(workspace, 'data'), { recursive: true });
  cpSync(join(REPO_ROOT, 'tests/fixtures/data/wikitext-2/valid-200k.txt'), join(workspace, 'data', 'eval.txt'));
  writeFileSync(join(workspace, 'invarlock.yaml'), CONFIG);
  cpSync(join(REPO_ROOT, 'tests/fixtures/lora/gpt2-tiny-lora'), join(workspace, 'adapters', 'gpt2-lora'), { recursive: true });
  writeFileSync(join(workspace, 'edit.yaml'), EDIT_CONFIG);
  writeFileSync(join(workspace, 'lora.yaml'), LORA_CONFIG);
  mkdirSync(join(workspace, '.github', 'workflows'), { recursive: true });
  writeFileSync(join(workspace, '.github', 'workflows', 'certify.yml'), ['jobs:', '  certify:', '    steps:', '      - uses: invarlock/invarlock@v1', '        with:', '          config: invarlock.yaml', ''].join('\n'));
  // The Action's checkout, with the real CLI (from the sources, through tsx) as dist/cli/index.js.
  actionRoot = fakeActionRoot(root, { withRuntime: true });
  const tsxApi = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/esm/api/index.mjs')).href;
  writeFileSync(join(actionRoot, 'dist', 'cli', 'index.js'), `import { register } from ${JSON.stringify(tsxApi)};\nregister();\nawait import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src/cli/main.ts')).href)});\n`);
});
afterAll(async () => {
  await gh.stop();
  removeDirs(dirs);
});

interface Job {
  readonly inputs: Record<string, string>;
  readonly event?: string;
  readonly payload: unknown;
  readonly job?: string;
  readonly artifacts?: ArtifactUploader;
}

async function runJob(job: Job): Promise<{ io: RecordingIO; deps: ActionDeps }> {
  const runnerDir = tempDir('invarlock-gh-runner-');
  dirs.push(runnerDir);
  writeFileSync(join(runnerDir, 'event.json'), JSON.stringify(job.payload));
  const io = recordingIO();
  const deps: ActionDeps = {
    io,
    reader: recordReader({ 'github-token': 'ghs_e2e', 'execution-mode': 'host', cache: 'false', ...job.inputs }),
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: runnerDir,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_EVENT_NAME: job.event ?? 'pull_request',
      GITHUB_EVENT_PATH: join(runnerDir, 'event.json'),
      GITHUB_SHA: MERGE,
      GITHUB_RUN_ID: '77',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: job.job ?? 'certify',
      GITHUB_WORKSPACE: workspace,
      GITHUB_SERVER_URL: 'https://github.test',
      GITHUB_API_URL: gh.baseUrl,
      GITHUB_WORKFLOW_REF: 'o/r/.github/workflows/certify.yml@refs/pull/42/merge',
      RUNNER_TEMP: join(runnerDir, 'tmp'),
      RUNNER_TOOL_CACHE: join(runnerDir, 'tool'),
    },
    cwd: workspace,
    actionRoot,
    run: runProcess,
    cache: memoryCache(),
    certificateReader: readVerifiedCertificate,
    createApi: (o) => createGitHubApi({ ...o, retryBaseMs: 1, throttle: 'off' }),
    now: () => new Date(),
    node: process.execPath,
    user: null,
    progressIntervalMs: 250,
    ...(job.artifacts === undefined ? {} : { artifacts: job.artifacts }),
  };
  await runAction(deps);
  return { io, deps };
}

const sameRepoPr = { pull_request: { number: 42, head: { sha: HEAD, repo: { full_name: 'o/r', fork: false } }, base: { repo: { full_name: 'o/r' } } } };
const forkPr = { pull_request: { number: 43, head: { sha: HEAD, repo: { full_name: 'someone/r', fork: true } }, base: { repo: { full_name: 'o/r' } } } };
const checkRequests = () => gh.requests.filter((r) => r.path.includes('/check-runs')).map((r) => ({ method: r.method, body: r.body as { status?: string; conclusion?: string; head_sha?: string; output?: { title: string; summary: string } } }));
const digestOf = (path: string): string => (JSON.parse(readFileSync(path, 'utf8')) as { digest: string }).digest;

describe('the documented workflows against the fake GitHub API', () => {
  let unshardedDigest = '';

  it('gate on a PR: progress in the log, a live check run, a short comment with links, the verdict line', async () => {
    gh.requests.length = 0;
    const uploader = recordingUploader();
    const { io } = await runJob({ inputs: { config: 'invarlock.yaml', comment: 'always', 'upload-artifact': 'true' }, payload: sameRepoPr, artifacts: uploader });
    expect(io.outputs['verdict'], io.logs.join('\n')).toMatch(/^(pass|warn)$/);
    // Progress: the CLI's stages as groups, windows done with an ETA while the subject is scored.
    const groups = io.logs.filter((l) => l.startsWith('::group::InvarLock '));
    expect(groups.map((g) => g.split(':')[4]?.split(' ')[1])).toEqual(expect.arrayContaining(['prepare', 'preview', 'apply', 'guards', 'evaluate', 'report']));
    expect(io.logs.filter((l) => /^ {2}subject final: \d+\/32 windows \(\d+ %\)/.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(io.logs.some((l) => / · ETA (\d+ s|\d+ min)/.test(l))).toBe(true);
    // The check run was updated while running (in progress, with the stage and windows), then completed.
    const checks = checkRequests();
    expect(checks[0]).toMatchObject({ method: 'POST', body: { status: 'in_progress', head_sha: HEAD } });
    const live = checks.filter((c) => c.method === 'PATCH' && c.body.status === 'in_progress');
    expect(live.length).toBeGreaterThan(0);
    expect(live.some((c) => /^Certifying… \w+/.test(c.body.output?.title ?? ''))).toBe(true);
    expect(checks.at(-1)?.body).toMatchObject({ status: 'completed', conclusion: expect.stringMatching(/^(success|neutral)$/) });
    // Every live update came before the completion.
    expect(checks.findIndex((c) => c.body.status === 'completed')).toBe(checks.length - 1);
    // The comment: < 2 KB, links to the check run, report.html and the artifact.
    const comment = gh.comments.find((c) => c.issue === 42)?.body ?? '';
    expect(Buffer.byteLength(comment)).toBeLessThan(2048);
    expect(comment).toContain(`[Check run](${io.outputs['check-run-url']})`);
    expect(io.outputs['artifact-url']).toBe('https://github.test/o/r/actions/runs/77/artifacts/101');
    expect(comment).toContain(`[Artifact](${io.outputs['artifact-url']})`);
    expect(comment).toContain(`[report.html](${io.outputs['report-url']})`);
    expect(uploader.uploads.map((u) => u.skipArchive)).toEqual([false, true]);
    expect(existsSync(io.outputs['junit-path'] ?? '')).toBe(true);
    expect(io.logs.at(-1)).toMatch(/^InvarLock verdict: .*(PASS|WARN)/);
    unshardedDigest = digestOf(io.outputs['certificate-path']!);
  }, TIMEOUT);

  it('fork-safe pair: the untrusted job uploads its certificate, the publisher completes the check run on the PR head', async () => {
    gh.requests.length = 0;
    const untrusted = await runJob({ inputs: { config: 'invarlock.yaml', 'fork-policy': 'run', 'github-token': '', 'output-dir': 'untrusted-out' }, payload: forkPr, job: 'untrusted' });
    expect(gh.requests).toHaveLength(0);
    expect(untrusted.io.outputs['verdict']).toMatch(/^(pass|warn)$/);
    // `if: always()` steps: the PR number beside the certificate, the folder uploaded and downloaded.
    writeFileSync(join(workspace, 'untrusted-out', 'pr-number'), '43\n');
    cpSync(join(workspace, 'untrusted-out'), join(workspace, 'artifact'), { recursive: true });
    gh.pulls.set(43, { headSha: HEAD, state: 'open', locked: false });
    const publisher = await runJob({
      // The publisher decides with its own tier/profile (never the certificate's): the evaluation's.
      inputs: { certificate: 'artifact/evaluation.cert.json', 'head-sha': HEAD, 'pull-request': '43', comment: 'always', tier: 'balanced', profile: 'dev' },
      event: 'workflow_run',
      payload: { workflow_run: { head_sha: HEAD, pull_requests: [] } },
      job: 'publish',
    });
    expect(publisher.io.outputs['verdict'], publisher.io.logs.join('\n')).toBe(untrusted.io.outputs['verdict']);
    expect(checkRequests()[0]?.body).toMatchObject({ head_sha: HEAD });
    expect(checkRequests().at(-1)?.body).toMatchObject({ status: 'completed', conclusion: expect.stringMatching(/^(success|neutral)$/) });
    expect(gh.comments.some((c) => c.issue === 43)).toBe(true);
    // No certificate at all (the untrusted job died early): the publisher still completes the check run, as an error.
    gh.requests.length = 0;
    const missing = await runJob({ inputs: { certificate: 'no-artifact/evaluation.cert.json', 'head-sha': HEAD }, event: 'workflow_run', payload: { workflow_run: { head_sha: HEAD, pull_requests: [] } }, job: 'publish' });
    expect(missing.io.outputs['verdict']).toBe('error');
    expect(checkRequests()[0]?.body).toMatchObject({ head_sha: HEAD });
    expect(checkRequests().at(-1)?.body).toMatchObject({ status: 'completed', conclusion: 'action_required' });
  }, TIMEOUT);

  it('fork PRs (fork-policy: skip) and invalid inputs end with completed check runs that say why', async () => {
    gh.requests.length = 0;
    const fork = await runJob({ inputs: { config: 'invarlock.yaml' }, payload: forkPr });
    expect(fork.io.outputs['verdict']).toBe('skipped');
    expect(checkRequests()).toEqual([{ method: 'POST', body: expect.objectContaining({ status: 'completed', conclusion: 'action_required', head_sha: HEAD }) }]);
    expect(checkRequests()[0]?.body.output?.summary).toContain('https://github.com/invarlock/invarlock/blob/v1/docs/action.md#fork-pull-requests');
    gh.requests.length = 0;
    const bad = await runJob({ inputs: { config: 'invarlock.yaml', tier: 'extreme' }, payload: sameRepoPr });
    expect(bad.io.outputs['verdict']).toBe('error');
    expect(checkRequests()).toEqual([{ method: 'POST', body: expect.objectContaining({ status: 'completed', conclusion: 'action_required', head_sha: HEAD }) }]);
    expect(checkRequests()[0]?.body.output?.summary).toContain('tier');
  }, TIMEOUT);

  /**
   * The documented matrix (docs/action.md, *Sharding*): shard jobs `i/n`, each uploading
   * `invarlock-out/*.partial.json` as artifact `shard-i`; download-artifact (pattern `shard-*`, path
   * `shards`) puts each artifact in its own folder; the aggregate job merges them.
   */
  async function matrix(config: string, name: string, count: number): Promise<{ io: RecordingIO }> {
    for (let i = 1; i <= count; i++) {
      const shard = await runJob({ inputs: { config, shard: `${i}/${count}`, 'output-dir': `${name}-out-${i}` }, payload: sameRepoPr, job: `${name}-shard-${i}` });
      expect(shard.io.outputs['verdict'], shard.io.logs.join('\n')).toBe('skipped');
      const partial = `shard-${i}-of-${count}.partial.json`;
      mkdirSync(join(workspace, `${name}-shards`, `shard-${i}`), { recursive: true });
      cpSync(join(workspace, `${name}-out-${i}`, partial), join(workspace, `${name}-shards`, `shard-${i}`, partial));
    }
    return runJob({ inputs: { aggregate: `${name}-shards`, 'output-dir': `${name}-aggregate-out` }, payload: sameRepoPr, job: `${name}-aggregate` });
  }

  it('matrix shards + aggregate: distinct partials, found in download-artifact folders, aggregate certificate = unsharded', async () => {
    gh.requests.length = 0;
    const aggregate = await matrix('invarlock.yaml', 'compare', 2);
    expect(aggregate.io.outputs['verdict']).toMatch(/^(pass|warn)$/);
    // shard jobs publish nothing; the aggregate job completes the one check run
    expect(checkRequests()[0]?.body).toMatchObject({ head_sha: HEAD, status: 'in_progress' });
    expect(checkRequests().at(-1)?.body).toMatchObject({ status: 'completed' });
    expect(unshardedDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(digestOf(aggregate.io.outputs['certificate-path']!)).toBe(unshardedDigest);
  }, TIMEOUT);

  it.each([
    { name: 'edit', config: 'edit.yaml', what: 'a quant_rtn edit (the variance guard reads the preview arm)' },
    { name: 'lora', config: 'lora.yaml', what: 'a LoRA subject' },
  ])('matrix shards + aggregate of $what: aggregate certificate = unsharded', async ({ name, config }) => {
    const whole = await runJob({ inputs: { config, 'output-dir': `${name}-whole-out`, 'github-token': '' }, payload: sameRepoPr, job: `${name}-whole` });
    expect(whole.io.outputs['verdict'], whole.io.logs.join('\n')).toMatch(/^(pass|warn|fail)$/);
    const aggregate = await matrix(config, name, 2);
    expect(aggregate.io.outputs['verdict']).toBe(whole.io.outputs['verdict']);
    expect(digestOf(aggregate.io.outputs['certificate-path']!)).toBe(digestOf(whole.io.outputs['certificate-path']!));
  }, TIMEOUT);
});
