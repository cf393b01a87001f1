import { BUDGETS } from '../inputs/defaults.js';
import { fitMarkdown, measure, type SizeUnit } from './byte-budget.js';
import { verdictBadge } from '../evaluate/conclusion.js';
import type { RunFacts, RunOutcome } from '../evaluate/outcome.js';
import { dataMarker, stickyMarker } from './publication-marker.js';
import type { GateView, PreviousPublication, RenderLinks, Surface, VerifiedCertificate } from '../types.js';

/** Escapes text for a markdown table cell or inline text (pipes, backticks, HTML, line breaks). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/([|`*_[\]<>#])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

/** The hidden record of a certified outcome, for the next push's comparison. */
export function publicationOf(certificate: VerifiedCertificate, headSha: string): PreviousPublication {
  const v = certificate.view;
  return { digest: v.digest, verdict: v.verdict, ratio: v.primaryMetric.ratio, ciLow: v.primaryMetric.ciLow, ciHigh: v.primaryMetric.ciHigh, headSha };
}

function formatRatio(value: number | null): string {
  return value === null ? 'n/a' : `×${value.toFixed(4)}`;
}

/**
 * One line comparing this certificate with the previous push's: ratio change and verdict change,
 * or that nothing changed. Empty when there was no previous publication.
 */
export function deltaLine(previous: PreviousPublication | null, current: PreviousPublication): string {
  if (previous === null) return '';
  const at = previous.headSha === '' ? 'the previous push' : `the previous push (\`${previous.headSha.slice(0, 7)}\`)`;
  if (previous.digest === current.digest) return `↔️ Same certificate as ${at}.`;
  const parts: string[] = [];
  if (previous.ratio !== null && current.ratio !== null) {
    const diff = current.ratio - previous.ratio;
    parts.push(`ratio ${formatRatio(previous.ratio)} → ${formatRatio(current.ratio)} (${diff >= 0 ? '+' : '−'}${Math.abs(diff).toFixed(4)})`);
  }
  parts.push(previous.verdict === current.verdict ? `verdict unchanged (${current.verdict.toUpperCase()})` : `verdict ${previous.verdict.toUpperCase()} → ${current.verdict.toUpperCase()}`);
  return `🔁 Since ${at}: ${parts.join(' · ')}.`;
}

/**
 * Joins a head, the renderer's text and a hidden trailer within `budget`: the renderer is asked for
 * the room left (so its own budgeting drops detail tables first), and a last-resort cut guarantees
 * the bound; the trailer always survives.
 */
function framed(
  certificate: VerifiedCertificate,
  surface: Surface,
  parts: { readonly head: string; readonly trailer: string; readonly links: RenderLinks; readonly previous: PreviousPublication | null },
  budget: number,
  unit: SizeUnit,
): string {
  const room = budget - measure(parts.head, unit) - measure(parts.trailer, unit) - 4;
  const rendered = certificate.render(surface, { links: parts.links, previous: parts.previous, limit: room }).text;
  const body = fitMarkdown(rendered, room, unit).text;
  return `${parts.head}${body}${parts.trailer === '' ? '' : `\n\n${parts.trailer}`}`;
}

/** Check run `summary` for a certificate: the rendered summary plus the data marker, ≤ 65,535 bytes. */
export function checkSummaryFor(certificate: VerifiedCertificate, links: RenderLinks, headSha: string): string {
  return framed(certificate, 'check-summary', { head: '', trailer: dataMarker(publicationOf(certificate, headSha)), links, previous: null }, BUDGETS.checkOutputBytes, 'utf8-bytes');
}

/** Check run `text` for a certificate (environment and details), ≤ 65,535 bytes. */
export function checkTextFor(certificate: VerifiedCertificate, links: RenderLinks): string {
  return framed(certificate, 'check-text', { head: '', trailer: '', links, previous: null }, BUDGETS.checkOutputBytes, 'utf8-bytes');
}

const GATE_BADGES: Readonly<Record<GateView['status'], string>> = { pass: '✅', warn: '⚠️', fail: '❌', error: '🛑', skipped: '⏭️', not_evaluated: '➖' };

/** The links line of the comment: only the pages that exist. */
export function linksLine(links: RenderLinks): string {
  const parts = [
    links.checkRun === null ? null : `[Check run](${links.checkRun})`,
    links.report === undefined || links.report === null ? null : `[report.html](${links.report})`,
    links.artifact === null ? null : `[Artifact](${links.artifact})`,
    `[Workflow run](${links.run})`,
  ];
  return parts.filter((p): p is string => p !== null).join(' · ');
}

function gateTable(gates: readonly GateView[]): string {
  return ['| | Gate | Measured | Threshold |', '| --- | --- | --- | --- |', ...gates.map((g) => `| ${GATE_BADGES[g.status]} | ${escapeMarkdown(g.label)} | ${escapeMarkdown(g.measured)} | ${escapeMarkdown(g.threshold)} |`)].join('\n');
}

/**
 * The sticky comment a reviewer reads in ten seconds (≤ {@link BUDGETS.commentTargetBytes}): the
 * headline, the change since the previous push, the gate table (gates that did not pass first;
 * passing and unevaluated rows are folded into a count when room runs out), and links to the check
 * run, report.html, the artifact and the workflow run. The full report stays in the check run, the
 * job summary and the artifact.
 */
export function commentFor(options: {
  readonly certificate: VerifiedCertificate;
  readonly checkName: string;
  readonly links: RenderLinks;
  readonly headSha: string;
  readonly previous: PreviousPublication | null;
}): string {
  const view = options.certificate.view;
  const current = publicationOf(options.certificate, options.headSha);
  const delta = deltaLine(options.previous, current);
  const head = [stickyMarker(options.checkName), `### ${escapeMarkdown(view.headline)}`, delta === '' ? `First certificate for this pull request (\`${options.headSha.slice(0, 7)}\`).` : delta].join('\n');
  const foot = [linksLine(options.links), '<sub>Full report: the check run, the job summary and the artifact.</sub>', dataMarker(current)].join('\n\n');
  const order = (g: GateView): number => (g.status === 'fail' || g.status === 'error' ? 0 : g.status === 'warn' ? 1 : g.status === 'pass' ? 2 : 3);
  const sorted = [...view.gates].sort((a, b) => order(a) - order(b));
  for (let shown = sorted.length; shown >= 0; shown -= 1) {
    const rows = sorted.slice(0, shown);
    const hidden = sorted.length - shown;
    const table = rows.length === 0 ? '' : `${gateTable(rows)}\n`;
    const more = hidden === 0 ? '' : `${hidden} more gate${hidden === 1 ? '' : 's'} (${[...new Set(sorted.slice(shown).map((g) => g.status.replace('_', ' ')))].join(', ')}) in the check run.\n`;
    const body = `${head}\n\n${table}${more}\n${foot}`;
    if (measure(body, 'utf8-bytes') <= BUDGETS.commentTargetBytes || shown === 0) return body;
  }
  return `${head}\n\n${foot}`;
}

/** Markdown for an outcome without a certificate (error, skipped, shard partial): what happened and what to do. */
export function statusMarkdown(outcome: Exclude<RunOutcome, { kind: 'certified' }>, links: RenderLinks): string {
  const lines: string[] = [];
  switch (outcome.kind) {
    case 'error': {
      const e = outcome.error;
      lines.push(`## ${verdictBadge('error')} · ${escapeMarkdown(e.code)}`, '');
      lines.push(escapeMarkdown(e.message), '');
      if (e.hint !== null) lines.push(`**Hint:** ${escapeMarkdown(e.hint)}`, '');
      lines.push(
        e.kind === 'timeout'
          ? 'The evaluation ran past `timeout-minutes`. This says nothing about the model: raise the limit or lower the window counts, and re-run.'
          : 'The run could not finish. This is not a verdict on the model: fix the cause and re-run the job.',
      );
      break;
    }
    case 'skipped':
      lines.push(`## ${verdictBadge('skipped')} · ${escapeMarkdown(outcome.reason)}`, '', outcome.detail);
      break;
    case 'partial':
      lines.push(
        `## Shard ${outcome.shard.index + 1}/${outcome.shard.count} evaluated`,
        '',
        `This job evaluated one shard; its partial result is \`${escapeMarkdown(outcome.partialPath)}\`. The aggregate job (input \`aggregate\`) merges all shards, verifies the certificate and publishes the verdict.`,
      );
      break;
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unreachable)}`);
    }
  }
  lines.push('', `[Workflow run](${links.run})`);
  return lines.join('\n');
}

/** A table of how the run went, appended to the job summary. */
export function runFactsMarkdown(facts: RunFacts): string {
  const rows: [string, string][] = [
    ['Mode', facts.mode],
    ['Runtime image', facts.image === null ? '—' : `\`${escapeMarkdown(facts.image)}\``],
    ['Image digest', facts.imageDigest === null ? '—' : `\`${facts.imageDigest}\``],
    ['Baseline cache', facts.cache],
    ['Duration', `${(facts.durationMs / 1000).toFixed(1)} s`],
  ];
  const table = ['| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  const notices = facts.notices.length === 0 ? '' : `\n\n${facts.notices.map((n) => `> ℹ️ ${escapeMarkdown(n)}`).join('\n>\n')}`;
  return `<details><summary>InvarLock run</summary>\n\n${table}${notices}\n\n</details>`;
}

/** The job summary: the certificate's (or the status) markdown, then the run facts, ≤ 1 MiB less room for notes. */
export function jobSummaryFor(outcome: RunOutcome, facts: RunFacts, links: RenderLinks): string {
  const tail = runFactsMarkdown(facts);
  const budget = BUDGETS.jobSummaryBytes - BUDGETS.jobSummaryNotesBytes;
  if (outcome.kind === 'certified') {
    return framed(outcome.certificate, 'job-summary', { head: '', trailer: tail, links, previous: null }, budget, 'utf8-bytes');
  }
  const room = budget - measure(tail, 'utf8-bytes') - 2;
  return `${fitMarkdown(statusMarkdown(outcome, links), room, 'utf8-bytes').text}\n\n${tail}`;
}
