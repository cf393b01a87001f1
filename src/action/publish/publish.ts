import type { ActionIO } from '../action-io.js';
import { STATE } from '../action-io.js';
import { annotationsForCertificate, annotationsForError, type AnnotationSources } from './annotations.js';
import { fitMarkdownToBytes, truncateChars } from './byte-budget.js';
import { BUDGETS } from '../inputs/defaults.js';
import { completeCheckRun } from './check-run.js';
import { decideConclusion, shouldFailStep } from '../evaluate/conclusion.js';
import type { CheckAnnotation, GitHubApi } from './github-client.js';
import { checkSummaryFor, checkTextFor, commentFor, jobSummaryFor, statusMarkdown } from './markdown-compose.js';
import type { RunFacts, RunOutcome } from '../evaluate/outcome.js';
import { publishStickyComment, type CommentOutcome } from './pr-comment.js';
import { stickyMarker, dataMarker } from './publication-marker.js';
import type { ActionEventSink, ActionInputs, ActionOutputs, CheckConclusion, RenderLinks, RunContext, Verdict } from '../types.js';

/** Where the results go, decided before publishing. */
export interface PublishTargets {
  /** The commit the check run belongs to. */
  readonly headSha: string;
  /** `complete`: finish (or create) the check run; `none`: forks, shards, no token. */
  readonly checkRun: { readonly kind: 'complete'; readonly id: number | null } | { readonly kind: 'none'; readonly reason: string };
  /** PR to write the sticky comment on, or null. */
  readonly pullRequest: number | null;
  readonly annotationSources: AnnotationSources;
  /** Pages of what `upload-artifact: true` uploaded. */
  readonly uploads?: { readonly artifactUrl: string | null; readonly reportUrl: string | null };
}

/** Options of {@link publishOutcome}. */
export interface PublishOptions {
  readonly io: ActionIO;
  /** null when there is no token. */
  readonly api: GitHubApi | null;
  readonly inputs: ActionInputs;
  readonly ctx: RunContext;
  readonly outcome: RunOutcome;
  readonly facts: RunFacts;
  readonly targets: PublishTargets;
  readonly now: () => Date;
  readonly onEvent: ActionEventSink;
}

/** What publishing did. */
export interface PublishResult {
  readonly outputs: ActionOutputs;
  readonly conclusion: CheckConclusion | null;
  readonly stepFailed: boolean;
  /** Notices about degraded publishing (shown in the log and appended to the summary). */
  readonly notices: readonly string[];
}

/** The verdict of an outcome. */
export function verdictOf(outcome: RunOutcome): Verdict {
  switch (outcome.kind) {
    case 'certified':
      return outcome.certificate.view.verdict;
    case 'error':
      return 'error';
    case 'skipped':
    case 'partial':
      return 'skipped';
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unreachable)}`);
    }
  }
}

function conclusionOf(outcome: RunOutcome, failOn: ActionInputs['publishing']['failOn']): CheckConclusion | null {
  if (outcome.kind === 'partial') return null;
  if (outcome.kind === 'skipped' && outcome.conclusion !== undefined) return outcome.conclusion;
  return decideConclusion(verdictOf(outcome), failOn, outcome.kind === 'error' ? outcome.error.kind : 'other');
}

function titleOf(outcome: Exclude<RunOutcome, { kind: 'certified' }>): string {
  switch (outcome.kind) {
    case 'error':
      return `ERROR · ${outcome.error.code}: ${outcome.error.message}`;
    case 'skipped':
      return `SKIPPED · ${outcome.reason}`;
    case 'partial':
      return `SHARD ${outcome.shard.index + 1}/${outcome.shard.count} evaluated`;
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unreachable)}`);
    }
  }
}

function describeComment(outcome: CommentOutcome): string | null {
  return outcome.kind === 'degraded' ? outcome.reason : null;
}

/**
 * Publishes an outcome, in this order: the job summary (always first, it works on forks and
 * without permissions), the check run (completed with the conclusion from `fail-on`, title,
 * summary, text and annotations), the sticky comment, then the outputs. Files were written by the
 * CLI before any of this. A publishing failure is a notice: it never changes the verdict.
 */
export async function publishOutcome(options: PublishOptions): Promise<PublishResult> {
  const { io, inputs, ctx, outcome, targets } = options;
  const notices: string[] = [];
  const links: RenderLinks = { run: ctx.runUrl, artifact: targets.uploads?.artifactUrl ?? null, checkRun: null, report: targets.uploads?.reportUrl ?? null };
  const verdict = verdictOf(outcome);
  const conclusion = conclusionOf(outcome, inputs.publishing.failOn);

  if (inputs.publishing.jobSummary === 'write') {
    await io.appendSummary(jobSummaryFor(outcome, options.facts, links)).catch((error: unknown) => {
      notices.push(`job summary not written: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  let checkRunId: number | null = null;
  let checkRunUrl: string | null = null;
  if (targets.checkRun.kind === 'complete' && options.api !== null && conclusion !== null) {
    const annotations: CheckAnnotation[] =
      outcome.kind === 'certified'
        ? annotationsForCertificate(outcome.certificate.view, targets.annotationSources)
        : outcome.kind === 'error'
          ? annotationsForError(outcome.error, targets.annotationSources)
          : [];
    const summary =
      outcome.kind === 'certified'
        ? checkSummaryFor(outcome.certificate, links, targets.headSha)
        : `${statusMarkdown(outcome, links)}\n\n${dataMarker({ digest: 'none', verdict, ratio: null, ciLow: null, ciHigh: null, headSha: targets.headSha })}`;
    const text = outcome.kind === 'certified' ? checkTextFor(outcome.certificate, links) : '';
    const completed = await completeCheckRun(options.api, {
      checkRunId: targets.checkRun.id,
      name: inputs.publishing.checkName,
      headSha: targets.headSha,
      detailsUrl: ctx.runUrl,
      externalId: ctx.jobKey,
      conclusion,
      title: outcome.kind === 'certified' ? outcome.certificate.view.title : titleOf(outcome),
      summary,
      text,
      annotations,
      completedAt: options.now().toISOString(),
    });
    if (completed.result.ok) {
      checkRunId = completed.result.value.id;
      checkRunUrl = completed.result.value.htmlUrl;
      io.saveState(STATE.checkRunDone, 'true');
    } else {
      const why = completed.result.status === 403 ? 'the token lacks checks: write' : `GitHub answered ${completed.result.status}`;
      notices.push(`check run not completed: ${why} (${completed.result.message}); the job summary has the result`);
    }
  } else if (targets.checkRun.kind === 'none') {
    io.info(`no check run: ${targets.checkRun.reason}`);
  }

  let commentUrl: string | null = null;
  if (inputs.publishing.comment !== 'off' && targets.pullRequest !== null && options.api !== null && (outcome.kind === 'certified' || outcome.kind === 'error')) {
    const checkLinks: RenderLinks = { ...links, checkRun: checkRunUrl };
    const result =
      outcome.kind === 'certified'
        ? await publishStickyComment(options.api, {
            issue: targets.pullRequest,
            checkName: inputs.publishing.checkName,
            mode: inputs.publishing.comment,
            creation: 'allowed',
            current: { digest: outcome.certificate.view.digest, verdict, ratio: outcome.certificate.view.primaryMetric.ratio, ciLow: outcome.certificate.view.primaryMetric.ciLow, ciHigh: outcome.certificate.view.primaryMetric.ciHigh, headSha: targets.headSha },
            render: (previous) => commentFor({ certificate: outcome.certificate, checkName: inputs.publishing.checkName, links: checkLinks, headSha: targets.headSha, previous }),
          })
        : await publishStickyComment(options.api, {
            issue: targets.pullRequest,
            checkName: inputs.publishing.checkName,
            mode: inputs.publishing.comment,
            creation: 'update-only',
            current: { digest: 'none', verdict, ratio: null, ciLow: null, ciHigh: null, headSha: targets.headSha },
            render: () => `${stickyMarker(inputs.publishing.checkName)}\n${statusMarkdown(outcome, checkLinks)}\n\n${dataMarker({ digest: 'none', verdict, ratio: null, ciLow: null, ciHigh: null, headSha: targets.headSha })}`,
          });
    if (result.kind === 'created' || result.kind === 'updated' || result.kind === 'unchanged') commentUrl = result.url;
    const degraded = describeComment(result);
    if (degraded !== null) notices.push(degraded);
    else io.info(`PR comment: ${result.kind}${'reason' in result ? ` (${result.reason})` : ''}`);
  }

  for (const notice of notices) options.onEvent({ type: 'notice', id: 'publishing-degraded', message: notice });
  if (notices.length > 0 && inputs.publishing.jobSummary === 'write') {
    const note = `\n> [!NOTE]\n${notices.map((n) => `> ${truncateChars(n.replace(/\r?\n/g, ' '), 500)}`).join('\n>\n')}\n`;
    await io.appendSummary(fitMarkdownToBytes(note, BUDGETS.jobSummaryNotesBytes).text).catch(() => undefined);
  }

  const view = outcome.kind === 'certified' ? outcome.certificate.view : null;
  const files = outcome.kind === 'certified' || outcome.kind === 'error' ? outcome.files : null;
  const outputs: ActionOutputs = {
    verdict,
    ratio: view?.primaryMetric.ratio ?? null,
    ratioCiLow: view?.primaryMetric.ciLow ?? null,
    ratioCiHigh: view?.primaryMetric.ciHigh ?? null,
    certificatePath: files?.certificatePath ?? null,
    certificateSha256: files?.certificateSha256 ?? null,
    reportPath: files?.reportPath ?? null,
    checkRunId,
    checkRunUrl,
    commentUrl,
    imageDigest: options.facts.imageDigest ?? view?.imageDigest ?? null,
    outputDir: inputs.publishing.outputDir,
    artifactUrl: links.artifact,
    reportUrl: links.report ?? null,
  };
  writeOutputs(io, outputs);
  // A skipped job is not a failed step: the check run carries the block.
  return { outputs, conclusion, stepFailed: conclusion !== null && outcome.kind !== 'skipped' && shouldFailStep(conclusion, inputs.publishing.stepFailure), notices };
}

/** Sets every output; unset values are written as empty strings so `steps.x.outputs.y` is defined. */
export function writeOutputs(io: ActionIO, outputs: ActionOutputs): void {
  const text = (v: string | number | null): string => (v === null ? '' : String(v));
  io.setOutput('verdict', outputs.verdict);
  io.setOutput('ratio', text(outputs.ratio));
  io.setOutput('ratio-ci-low', text(outputs.ratioCiLow));
  io.setOutput('ratio-ci-high', text(outputs.ratioCiHigh));
  io.setOutput('certificate-path', text(outputs.certificatePath));
  io.setOutput('certificate-sha256', text(outputs.certificateSha256));
  io.setOutput('report-path', text(outputs.reportPath));
  io.setOutput('check-run-id', text(outputs.checkRunId));
  io.setOutput('check-run-url', text(outputs.checkRunUrl));
  io.setOutput('comment-url', text(outputs.commentUrl));
  io.setOutput('image-digest', text(outputs.imageDigest));
  io.setOutput('output-dir', outputs.outputDir);
  io.setOutput('artifact-url', text(outputs.artifactUrl ?? null));
  io.setOutput('report-url', text(outputs.reportUrl ?? null));
}
