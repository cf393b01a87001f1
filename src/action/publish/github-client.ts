import type { getOctokit } from '@actions/github';
import { withoutEventPayload } from './without-event-payload.js';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { ActionEventSink } from '../types.js';

/**
 * The one module that talks to Octokit: it builds the client (retry + throttling) and translates
 * GitHub's responses into the narrow records below. Failures are values (`ok: false` with the
 * HTTP status) so that callers can degrade on 403 instead of failing the run.
 */

/** Options of {@link createGitHubApi}. */
export interface GitHubApiOptions {
  readonly token: string;
  /** REST base URL (`GITHUB_API_URL`); tests point it at a loopback server. */
  readonly baseUrl: string;
  readonly owner: string;
  readonly repo: string;
  /** Retries of a 5xx/429 response. @default 3 */
  readonly retries?: number;
  /** Base of the retry back-off (n² × base) and of rate-limit waits per second, in ms. @default 1000 */
  readonly retryBaseMs?: number;
  /** `github-limits`: queue writes ≥ 1 s apart and wait out rate limits (twice at most). @default 'github-limits' */
  readonly throttle?: 'github-limits' | 'off';
  readonly onEvent?: ActionEventSink;
}

/** A failed call after retries: the HTTP status (0 for a network error) and GitHub's message. */
export interface ApiFailure {
  readonly ok: false;
  readonly status: number;
  readonly message: string;
}

/** Outcome of one API call. */
export type ApiResult<T> = { readonly ok: true; readonly value: T } | ApiFailure;

/** A check run annotation, in the REST API's shape. */
export interface CheckAnnotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: 'notice' | 'warning' | 'failure';
  readonly message: string;
  readonly title?: string;
}

/** `output` of a check run create/update. */
export interface CheckRunOutput {
  readonly title: string;
  readonly summary: string;
  readonly text?: string;
  readonly annotations?: readonly CheckAnnotation[];
}

/** Body of `POST /repos/{owner}/{repo}/check-runs`. */
export interface CheckRunCreate {
  readonly name: string;
  readonly head_sha: string;
  readonly status: 'in_progress' | 'completed';
  readonly started_at?: string;
  readonly details_url?: string;
  readonly external_id?: string;
  readonly conclusion?: string;
  readonly completed_at?: string;
  readonly output?: CheckRunOutput;
}

/** Body of `PATCH /repos/{owner}/{repo}/check-runs/{id}`. */
export interface CheckRunUpdate {
  readonly status?: 'in_progress' | 'completed';
  readonly conclusion?: string;
  readonly completed_at?: string;
  readonly details_url?: string;
  readonly output?: CheckRunOutput;
}

/** A check run's id and page. */
export interface CheckRunRef {
  readonly id: number;
  readonly htmlUrl: string | null;
}

/** An issue comment as the sticky-comment logic needs it. */
export interface IssueComment {
  readonly id: number;
  readonly body: string;
  readonly htmlUrl: string;
  readonly authorType: string;
}

/** A comment's id and page. */
export interface CommentRef {
  readonly id: number;
  readonly htmlUrl: string;
}

/** What publisher-only mode checks on a PR before commenting. */
export interface PullRequestInfo {
  readonly number: number;
  readonly headSha: string;
  readonly state: string;
  readonly locked: boolean;
}

/** The GitHub REST calls the Action makes. Writes are serialised: one at a time, in call order. */
export interface GitHubApi {
  createCheckRun(body: CheckRunCreate): Promise<ApiResult<CheckRunRef>>;
  updateCheckRun(id: number, body: CheckRunUpdate): Promise<ApiResult<CheckRunRef>>;
  listIssueComments(issue: number): Promise<ApiResult<readonly IssueComment[]>>;
  createIssueComment(issue: number, body: string): Promise<ApiResult<CommentRef>>;
  updateIssueComment(id: number, body: string): Promise<ApiResult<CommentRef>>;
  getPullRequest(pull: number): Promise<ApiResult<PullRequestInfo>>;
}

/** At most this many pages (100 comments each) are read looking for the sticky comment. */
const MAX_COMMENT_PAGES = 30;

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failure(error: unknown, token: string): ApiFailure {
  const status = isRecord(error) && typeof error['status'] === 'number' ? error['status'] : 0;
  const raw = error instanceof Error ? error.message : String(error);
  // fetch echoes a rejected header value (the token) in its message: never pass that text on (#13).
  const message = /header/i.test(raw) ? 'the request could not be sent (a header value was rejected)' : token === '' ? raw : raw.split(token).join('***');
  return { ok: false, status, message };
}

function malformed(what: string): ApiFailure {
  return { ok: false, status: 0, message: `unexpected response shape for ${what}` };
}

function toCheckRunRef(data: unknown): CheckRunRef | null {
  if (!isRecord(data) || typeof data['id'] !== 'number') return null;
  return { id: data['id'], htmlUrl: typeof data['html_url'] === 'string' ? data['html_url'] : null };
}

function toComment(data: unknown): IssueComment | null {
  if (!isRecord(data) || typeof data['id'] !== 'number') return null;
  const user = data['user'];
  return {
    id: data['id'],
    body: typeof data['body'] === 'string' ? data['body'] : '',
    htmlUrl: typeof data['html_url'] === 'string' ? data['html_url'] : '',
    authorType: isRecord(user) && typeof user['type'] === 'string' ? user['type'] : '',
  };
}

/**
 * Builds the API client. Retries 5xx and 429 responses (`retries`, n² × `retryBaseMs` back-off;
 * 400/401/403/404/410/422 are not retried), waits out primary and secondary rate limits twice at
 * most, and serialises writes. Never throws: every call resolves to an {@link ApiResult}.
 */
export function createGitHubApi(options: GitHubApiOptions): GitHubApi {
  const base = options.retryBaseMs ?? 1000;
  const emit = options.onEvent ?? ((): void => undefined);
  const onLimit = (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
    emit({ type: 'warning', id: 'github-rate-limit', message: `GitHub ${kind} rate limit on ${request.method} ${request.url}; retry ${retryCount + 1} in ${retryAfter}s` });
    return retryCount < 2;
  };
  type Octokit = ReturnType<typeof getOctokit>;
  let client: Promise<Octokit> | undefined;
  const octokit = (): Promise<Octokit> => (client ??= withoutEventPayload(() => import('@actions/github')).then(({ getOctokit }) => getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      retry: { retries: options.retries ?? 3, retryAfterBaseValue: base },
      throttle:
        options.throttle === 'off'
          ? { enabled: false }
          : { onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary'), retryAfterBaseValue: base, fallbackSecondaryRateRetryAfter: 60 },
      log: { debug: () => undefined, info: () => undefined, warn: (m: string) => emit({ type: 'log', line: m }), error: (m: string) => emit({ type: 'log', line: m }) },
    },
    // Throttling first (inner): it sees rate-limit 403/429 responses and waits for the reset;
    // retry wraps it and retries what is left (5xx, other 429s).
    throttling,
    retry,
  )));
  const repo = { owner: options.owner, repo: options.repo };
  let writes: Promise<unknown> = Promise.resolve();
  // Writes run one after another in call order, whatever the callers await.
  const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = writes.then(fn, fn);
    writes = next.catch(() => undefined);
    return next;
  };
  const write = <T>(what: string, call: () => Promise<{ data: unknown }>, parse: (data: unknown) => T | null): Promise<ApiResult<T>> =>
    serialised(async () => {
      try {
        const response = await call();
        const value = parse(response.data);
        return value === null ? malformed(what) : { ok: true as const, value };
      } catch (error) {
        return failure(error, options.token);
      }
    });

  return {
    createCheckRun: (body) =>
      write('check run', async () => (await octokit()).request(CHECK_RUNS_CREATE, { ...repo, ...toWire(body) }), toCheckRunRef),
    updateCheckRun: (id, body) =>
      write('check run', async () => (await octokit()).request(CHECK_RUNS_UPDATE, { ...repo, check_run_id: id, ...toWire(body) }), toCheckRunRef),
    createIssueComment: (issue, body) =>
      write('comment', async () => (await octokit()).request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: issue, body }), (data) => {
        const c = toComment(data);
        return c === null ? null : { id: c.id, htmlUrl: c.htmlUrl };
      }),
    updateIssueComment: (id, body) =>
      write('comment', async () => (await octokit()).request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...repo, comment_id: id, body }), (data) => {
        const c = toComment(data);
        return c === null ? null : { id: c.id, htmlUrl: c.htmlUrl };
      }),
    listIssueComments: async (issue) => {
      try {
        const comments: IssueComment[] = [];
        let pages = 0;
        for await (const page of (await octokit()).paginate.iterator('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: issue, per_page: 100 })) {
          const data: unknown = page.data;
          if (!Array.isArray(data)) return malformed('comment list');
          for (const item of data) {
            const c = toComment(item);
            if (c !== null) comments.push(c);
          }
          pages += 1;
          if (pages >= MAX_COMMENT_PAGES) break;
        }
        return { ok: true, value: comments };
      } catch (error) {
        return failure(error, options.token);
      }
    },
    getPullRequest: async (pull) => {
      try {
        const response = await (await octokit()).request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...repo, pull_number: pull });
        const data: unknown = response.data;
        const head = isRecord(data) ? data['head'] : undefined;
        if (!isRecord(data) || typeof data['number'] !== 'number' || !isRecord(head) || typeof head['sha'] !== 'string') return malformed('pull request');
        return {
          ok: true,
          value: { number: data['number'], headSha: head['sha'], state: typeof data['state'] === 'string' ? data['state'] : '', locked: data['locked'] === true },
        };
      } catch (error) {
        return failure(error, options.token);
      }
    },
  };
}

// Typed as plain strings so the bodies are checked against our records above, not Octokit's
// generated types (which want mutable arrays and would need casts).
const CHECK_RUNS_CREATE: string = 'POST /repos/{owner}/{repo}/check-runs';
const CHECK_RUNS_UPDATE: string = 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}';

function toWire(body: CheckRunCreate | CheckRunUpdate): Readonly<Record<string, unknown>> {
  return { ...body };
}
