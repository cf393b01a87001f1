import { describe, expect, it } from 'vitest';
import { readPullRequest, readRunContext, workflowPathFromRef } from '../../src/action/inputs/context.js';
import { isInvarlockError } from '../../src/errors/index.js';

const HEAD = 'a'.repeat(40);
const MERGE = 'b'.repeat(40);

function pr(headRepo: string | null, extra: Record<string, unknown> = {}) {
  return {
    pull_request: {
      number: 12,
      head: { sha: HEAD, repo: headRepo === null ? null : { full_name: headRepo, fork: headRepo !== 'o/r' } },
      base: { repo: { full_name: 'o/r' } },
      ...extra,
    },
  };
}

function ctxFor(payload: unknown, env: Record<string, string> = {}) {
  return readRunContext({
    env: { GITHUB_REPOSITORY: 'o/r', GITHUB_EVENT_NAME: 'pull_request', GITHUB_SHA: MERGE, GITHUB_EVENT_PATH: '/event.json', GITHUB_RUN_ID: '99', GITHUB_RUN_ATTEMPT: '2', ...env },
    readText: () => JSON.stringify(payload),
    cwd: '/ws',
  });
}

describe('readRunContext', () => {
  it('uses the PR head SHA, not the merge commit GITHUB_SHA', () => {
    const ctx = ctxFor(pr('o/r'));
    expect(ctx.headSha).toBe(HEAD);
    expect(ctx.pullRequest).toEqual({ number: 12, headSha: HEAD, origin: 'same-repo' });
    expect(ctx.runUrl).toBe('https://github.com/o/r/actions/runs/99/attempts/2');
  });

  it('detects forks, including a deleted head repository', () => {
    expect(ctxFor(pr('someone/r')).pullRequest?.origin).toBe('fork');
    expect(ctxFor(pr(null)).pullRequest?.origin).toBe('fork');
  });

  it('falls back to GITHUB_SHA outside pull requests and reads workflow_run payloads', () => {
    const ctx = ctxFor({ workflow_run: { head_sha: HEAD, pull_requests: [{ number: 5 }] } }, { GITHUB_EVENT_NAME: 'workflow_run' });
    expect(ctx.headSha).toBe(MERGE);
    expect(ctx.pullRequest).toBeNull();
    expect(ctx.workflowRun).toEqual({ headSha: HEAD, pullRequest: 5 });
  });

  it('gives matrix jobs and steps distinct job keys', () => {
    const a = ctxFor({}, { GITHUB_JOB: 'certify', RUNNER_NAME: 'gpu-1' }).jobKey;
    const b = ctxFor({}, { GITHUB_JOB: 'certify', RUNNER_NAME: 'gpu-2' }).jobKey;
    expect(a).toMatch(/^[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });

  it('fails with E_ACTION_INPUT outside GitHub Actions', () => {
    let caught: unknown;
    try {
      readRunContext({ env: {}, cwd: '/' });
    } catch (error) {
      caught = error;
    }
    expect(isInvarlockError(caught, 'E_ACTION_INPUT')).toBe(true);
  });

  it('ignores malformed payload fields instead of trusting them', () => {
    expect(readPullRequest({ pull_request: { number: '12', head: { sha: HEAD } } })).toBeNull();
    expect(readPullRequest({ pull_request: { number: 12, head: { sha: 'not-a-sha' } } })).toBeNull();
  });

  it('reads the workflow file path from GITHUB_WORKFLOW_REF', () => {
    expect(workflowPathFromRef('o/r/.github/workflows/ci.yml@refs/pull/1/merge')).toBe('.github/workflows/ci.yml');
    expect(workflowPathFromRef(undefined)).toBeNull();
  });
});
