import { BUDGETS } from '../inputs/defaults.js';
import { fitMarkdownToBytes, truncateChars } from './byte-budget.js';
import type { ApiResult, CheckAnnotation, CheckRunRef, GitHubApi } from './github-client.js';
import type { CheckConclusion } from '../types.js';

/** Options of {@link startCheckRun}. */
export interface StartCheckRunOptions {
  readonly name: string;
  readonly headSha: string;
  /** The workflow run page. */
  readonly detailsUrl: string;
  /** Our id for the run (job key), so a re-run can be told apart. */
  readonly externalId: string;
  readonly title: string;
  readonly summary: string;
  /** ISO time; injected so tests are deterministic. */
  readonly startedAt: string;
}

/**
 * Creates the check run `in_progress` at the start of the job, so the PR shows it is running.
 * Resolves to the API result; a 403 (no `checks: write`) is the caller's cue to degrade.
 */
export function startCheckRun(api: GitHubApi, options: StartCheckRunOptions): Promise<ApiResult<CheckRunRef>> {
  return api.createCheckRun({
    name: options.name,
    head_sha: options.headSha,
    status: 'in_progress',
    started_at: options.startedAt,
    details_url: options.detailsUrl,
    external_id: options.externalId,
    output: { title: truncateChars(options.title, BUDGETS.titleChars), summary: fitMarkdownToBytes(options.summary, BUDGETS.checkOutputBytes).text },
  });
}

/** Splits annotations into request-sized batches (GitHub takes at most 50 per request). */
export function batchAnnotations(annotations: readonly CheckAnnotation[], size: number = BUDGETS.annotationsPerRequest): readonly (readonly CheckAnnotation[])[] {
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += size) batches.push(annotations.slice(i, i + size));
  return batches;
}

/** Options of {@link completeCheckRun}. */
export interface CompleteCheckRunOptions {
  /** Id from {@link startCheckRun}; null creates the run completed (the start had failed). */
  readonly checkRunId: number | null;
  readonly name: string;
  readonly headSha: string;
  readonly detailsUrl: string;
  readonly externalId: string;
  readonly conclusion: CheckConclusion;
  readonly title: string;
  readonly summary: string;
  readonly text: string;
  readonly annotations: readonly CheckAnnotation[];
  readonly completedAt: string;
}

/** What {@link completeCheckRun} did: the final result and how many requests it took. */
export interface CompletedCheckRun {
  readonly result: ApiResult<CheckRunRef>;
  readonly requests: number;
}

/**
 * Completes the check run with its conclusion, title, summary, text and annotations. Summary and
 * text are fitted to 65,535 UTF-8 bytes each. Annotations go 50 per request: every batch but the
 * last is sent with an update that leaves the run in progress, and the last batch rides on the
 * completing update, so a 120-annotation run takes 3 requests. Stops at the first failed request.
 */
export async function completeCheckRun(api: GitHubApi, options: CompleteCheckRunOptions): Promise<CompletedCheckRun> {
  const title = truncateChars(options.title, BUDGETS.titleChars);
  const summary = fitMarkdownToBytes(options.summary, BUDGETS.checkOutputBytes).text;
  const text = fitMarkdownToBytes(options.text, BUDGETS.checkOutputBytes).text;
  const batches = batchAnnotations(options.annotations);
  const last = batches.length > 0 ? batches[batches.length - 1] : undefined;
  const early = batches.slice(0, -1);
  let requests = 0;
  let id = options.checkRunId;
  for (const batch of early) {
    const output = { title, summary, annotations: batch };
    requests += 1;
    const result: ApiResult<CheckRunRef> =
      id === null
        ? await api.createCheckRun({ name: options.name, head_sha: options.headSha, status: 'in_progress', details_url: options.detailsUrl, external_id: options.externalId, output })
        : await api.updateCheckRun(id, { output });
    if (!result.ok) return { result, requests };
    id = result.value.id;
  }
  const output = { title, summary, ...(text === '' ? {} : { text }), ...(last === undefined ? {} : { annotations: last }) };
  requests += 1;
  const result =
    id === null
      ? await api.createCheckRun({
          name: options.name,
          head_sha: options.headSha,
          status: 'completed',
          conclusion: options.conclusion,
          completed_at: options.completedAt,
          details_url: options.detailsUrl,
          external_id: options.externalId,
          output,
        })
      : await api.updateCheckRun(id, { status: 'completed', conclusion: options.conclusion, completed_at: options.completedAt, details_url: options.detailsUrl, output });
  return { result, requests };
}

/**
 * Closes a check run that `main` left unfinished (the job was cancelled or crashed): conclusion
 * `cancelled`, so the PR does not show it running forever.
 */
export function cancelCheckRun(api: GitHubApi, id: number, options: { readonly completedAt: string; readonly reason: string }): Promise<ApiResult<CheckRunRef>> {
  return api.updateCheckRun(id, {
    status: 'completed',
    conclusion: 'cancelled',
    completed_at: options.completedAt,
    output: { title: 'CANCELLED · the job ended before a verdict', summary: options.reason },
  });
}
