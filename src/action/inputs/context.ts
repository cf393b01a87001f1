import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { InvarlockError, readUntrustedFileSync, UNTRUSTED_FILE_LIMITS, wrapError } from '../../errors/index.js';
import type { PullRequestContext, RunContext } from '../types.js';

/** Options of {@link readRunContext}. */
export interface ReadRunContextOptions {
  /** The process environment (only `GITHUB_*` and `RUNNER_*` are read). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads the event payload; defaults to a regular-file, size-checked read (`readUntrustedFileSync`). */
  readonly readText?: (path: string) => string;
  /** Fallback for `GITHUB_WORKSPACE`. */
  readonly cwd: string;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, ...path: string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function stringField(value: unknown, ...path: string[]): string | null {
  const v = field(value, ...path);
  return typeof v === 'string' ? v : null;
}

function numberField(value: unknown, ...path: string[]): number | null {
  const v = field(value, ...path);
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null;
}

/**
 * Reads the pull request of a `pull_request*` payload. A head repository that differs from the
 * base repository, or is gone (a deleted fork), makes the PR a fork.
 */
export function readPullRequest(payload: unknown): PullRequestContext | null {
  const number = numberField(payload, 'pull_request', 'number');
  const headSha = stringField(payload, 'pull_request', 'head', 'sha');
  if (number === null || headSha === null || !/^[0-9a-f]{40}$/.test(headSha)) return null;
  const headRepo = stringField(payload, 'pull_request', 'head', 'repo', 'full_name');
  const baseRepo = stringField(payload, 'pull_request', 'base', 'repo', 'full_name');
  const isFork = field(payload, 'pull_request', 'head', 'repo', 'fork') === true || headRepo === null || headRepo !== baseRepo;
  return { number, headSha, origin: isFork ? 'fork' : 'same-repo' };
}

function readWorkflowRun(payload: unknown): RunContext['workflowRun'] {
  const headSha = stringField(payload, 'workflow_run', 'head_sha');
  if (headSha === null || !/^[0-9a-f]{40}$/.test(headSha)) return null;
  const prs = field(payload, 'workflow_run', 'pull_requests');
  const first = Array.isArray(prs) ? numberField(prs[0], 'number') : null;
  return { headSha, pullRequest: first };
}

/** `owner/repo/.github/workflows/ci.yml@refs/heads/main` → `.github/workflows/ci.yml`. */
export function workflowPathFromRef(ref: string | undefined): string | null {
  if (ref === undefined) return null;
  const match = /^[^/]+\/[^/]+\/(.+?)@/.exec(ref);
  return match?.[1] ?? null;
}

/**
 * Reads the run context from the environment and the event payload (`GITHUB_EVENT_PATH`). The
 * check run's commit is the PR head SHA on pull_request events (`GITHUB_SHA` is the merge commit
 * there, which the PR page does not show). Throws `E_ACTION_INPUT` when `GITHUB_REPOSITORY` is
 * missing and `E_FILE_READ` when the payload file cannot be read.
 */
export function readRunContext(options: ReadRunContextOptions): RunContext {
  const env = options.env;
  const readText = options.readText ?? ((path: string) => readUntrustedFileSync(path, { what: 'event payload', maxBytes: UNTRUSTED_FILE_LIMITS.eventBytes }).toString('utf8'));
  const repository = env['GITHUB_REPOSITORY'] ?? '';
  const slash = repository.indexOf('/');
  if (slash <= 0) {
    throw new InvarlockError('E_ACTION_INPUT', 'GITHUB_REPOSITORY is not set (owner/repo): is this running in GitHub Actions?', {
      details: { field: 'GITHUB_REPOSITORY' },
    });
  }
  let payload: unknown = {};
  const eventPath = env['GITHUB_EVENT_PATH'];
  if (eventPath !== undefined && eventPath !== '') {
    try {
      payload = JSON.parse(readText(eventPath));
    } catch (error) {
      throw wrapError(error, 'E_FILE_READ', 'cannot read the event payload', { details: { file: eventPath } });
    }
  }
  const pullRequest = readPullRequest(payload);
  const serverUrl = (env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/+$/, '');
  const runId = env['GITHUB_RUN_ID'] ?? '0';
  const runAttempt = env['GITHUB_RUN_ATTEMPT'] ?? '1';
  const jobKey = createHash('sha256')
    .update([repository, runId, runAttempt, env['GITHUB_JOB'] ?? '', env['GITHUB_ACTION'] ?? '', env['RUNNER_NAME'] ?? ''].join('\n'))
    .digest('hex')
    .slice(0, 12);
  return {
    eventName: env['GITHUB_EVENT_NAME'] ?? '',
    owner: repository.slice(0, slash),
    repo: repository.slice(slash + 1),
    headSha: pullRequest?.headSha ?? env['GITHUB_SHA'] ?? '',
    pullRequest,
    workflowRun: readWorkflowRun(payload),
    runId,
    runAttempt,
    runUrl: `${serverUrl}/${repository}/actions/runs/${runId}${runAttempt === '1' ? '' : `/attempts/${runAttempt}`}`,
    serverUrl,
    apiUrl: (env['GITHUB_API_URL'] ?? 'https://api.github.com').replace(/\/+$/, ''),
    workspace: env['GITHUB_WORKSPACE'] ?? options.cwd,
    runnerTemp: env['RUNNER_TEMP'] ?? tmpdir(),
    toolCache: env['RUNNER_TOOL_CACHE'] ?? tmpdir(),
    workflowPath: workflowPathFromRef(env['GITHUB_WORKFLOW_REF']),
    jobKey,
  };
}
