import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGitHub } from './fake-github.js';
import { fixtureCert, removeDirs, tempDir } from './helpers.js';
import { parseKeyValueFile, runActionProcess } from './run-action.js';

const HEAD = 'a'.repeat(40);
const dirs: string[] = [];
let gh: FakeGitHub;
beforeEach(async () => {
  gh = await new FakeGitHub().start();
});
afterEach(async () => {
  await gh.stop();
  removeDirs(dirs);
});

describe('the Action entry points in a child process', () => {
  it('main publishes a given certificate and post finds nothing left to close', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const workspace = join(dir, 'ws');
    mkdirSync(join(workspace, 'artifact'), { recursive: true });
    writeFileSync(join(workspace, 'artifact', 'evaluation.cert.json'), readFileSync(fixtureCert('fail')));
    gh.pulls.set(9, { headSha: HEAD, state: 'open', locked: false });
    const common = {
      inputs: { 'github-token': 'ghs_e2e_token', certificate: 'artifact/evaluation.cert.json', 'head-sha': HEAD, 'pull-request': '9', comment: 'on-fail', 'fail-on': 'fail', 'action-fail': 'true', 'job-summary': 'true', 'check-name': 'InvarLock / certify', 'output-dir': 'invarlock-out', cache: 'true', 'execution-mode': 'container', gpus: 'all', 'shm-size': '2g', 'allow-network': 'false', 'allow-unpinned-image': 'false', 'timeout-minutes': '120', 'fork-policy': 'skip' },
      event: { name: 'workflow_run', payload: { workflow_run: { head_sha: HEAD, pull_requests: [] } } },
      runnerDir: join(dir, 'runner'),
      workspace,
      env: { GITHUB_API_URL: gh.baseUrl },
    };
    const main = await runActionProcess({ ...common, entry: 'main' });
    expect(main.exitCode, main.stdout + main.stderr).toBe(1);
    expect(main.commands[0]).toEqual({ command: 'add-mask', message: 'ghs_e2e_token' });
    expect(main.stdout.split('ghs_e2e_token').length - 1).toBe(1);
    expect(main.outputs).toMatchObject({ verdict: 'fail', 'certificate-path': join(workspace, 'artifact', 'evaluation.cert.json') });
    expect(main.outputs['check-run-url']).toContain('https://github.test/runs/');
    expect(main.summary).toContain('FAIL');
    expect(main.commands.some((c) => c.command === 'error' && c.message.includes('FAIL'))).toBe(true);
    expect(gh.comments).toHaveLength(1);
    expect(main.state['invarlock-check-run-done']).toBe('true');

    const post = await runActionProcess({ ...common, entry: 'post', state: main.state });
    expect(post.exitCode).toBe(0);
    expect(gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('reads heredoc and plain key-value files', () => {
    expect(parseKeyValueFile('a<<EOF_1\nline1\nline2\nEOF_1\nb=2\n')).toEqual({ a: 'line1\nline2', b: '2' });
  });
});
