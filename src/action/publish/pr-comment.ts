import { BUDGETS } from '../inputs/defaults.js';
import { fitMarkdown } from './byte-budget.js';
import type { GitHubApi, IssueComment } from './github-client.js';
import { isStickyFor, parseDataMarker } from './publication-marker.js';
import type { CommentMode, PreviousPublication } from '../types.js';

/** Options of {@link publishStickyComment}. */
export interface StickyCommentOptions {
  readonly issue: number;
  readonly checkName: string;
  readonly mode: Exclude<CommentMode, 'off'>;
  /** What is being published now (compared with the previous comment's data marker). */
  readonly current: PreviousPublication;
  /** `update-only`: never create a comment, only refresh an existing one (error outcomes). */
  readonly creation: 'allowed' | 'update-only';
  /** Builds the comment body given the previous publication (for the delta line). Must start with the sticky marker. */
  readonly render: (previous: PreviousPublication | null) => string;
}

/** What happened to the sticky comment. */
export type CommentOutcome =
  | { readonly kind: 'created' | 'updated'; readonly url: string }
  | { readonly kind: 'unchanged'; readonly url: string; readonly reason: string }
  | { readonly kind: 'not-needed'; readonly reason: string }
  | { readonly kind: 'degraded'; readonly status: number; readonly reason: string };

/** The sticky comment of this check: ours (a bot's) first, then any with the marker. */
export function findStickyComment(comments: readonly IssueComment[], checkName: string): IssueComment | null {
  const marked = comments.filter((c) => isStickyFor(c.body, checkName));
  return marked.find((c) => c.authorType === 'Bot') ?? marked[0] ?? null;
}

function degraded(status: number, what: string, message: string): CommentOutcome {
  const why = status === 403 ? 'the token lacks pull-requests: write (or the PR is locked)' : `GitHub answered ${status === 0 ? 'with a network error' : status}`;
  return { kind: 'degraded', status, reason: `could not ${what} the PR comment: ${why} (${message}); the job summary has the result` };
}

/**
 * Writes the sticky PR comment, updated in place on later pushes.
 * - `always`: create or update.
 * - `on-change`: skip when the previous comment recorded the same certificate digest and verdict.
 * - `on-fail`: create only for a `fail` verdict; an existing comment is always updated, so a fixed
 *   PR does not keep showing a stale failure.
 * Failures (403 without `pull-requests: write`, a locked PR, 5xx after retries) come back as
 * `degraded` and never throw. The body is fitted to the comment limit.
 */
export async function publishStickyComment(api: GitHubApi, options: StickyCommentOptions): Promise<CommentOutcome> {
  const listed = await api.listIssueComments(options.issue);
  if (!listed.ok) return degraded(listed.status, 'read', listed.message);
  const existing = findStickyComment(listed.value, options.checkName);
  const previous = existing === null ? null : parseDataMarker(existing.body);
  if (options.mode === 'on-change' && existing !== null && previous !== null && previous.digest === options.current.digest && previous.verdict === options.current.verdict) {
    return { kind: 'unchanged', url: existing.htmlUrl, reason: 'same certificate digest and verdict as the previous comment' };
  }
  if (existing === null && options.creation === 'update-only') {
    return { kind: 'not-needed', reason: 'no earlier comment to refresh' };
  }
  if (options.mode === 'on-fail' && existing === null && options.current.verdict !== 'fail') {
    return { kind: 'not-needed', reason: `comment: on-fail and the verdict is ${options.current.verdict}` };
  }
  const body = fitMarkdown(options.render(previous), BUDGETS.commentChars, 'utf16-units').text;
  if (existing !== null) {
    const updated = await api.updateIssueComment(existing.id, body);
    if (updated.ok) return { kind: 'updated', url: updated.value.htmlUrl };
    // The comment was deleted meanwhile: write a new one.
    if (updated.status !== 404) return degraded(updated.status, 'update', updated.message);
  }
  const created = await api.createIssueComment(options.issue, body);
  return created.ok ? { kind: 'created', url: created.value.htmlUrl } : degraded(created.status, 'create', created.message);
}
