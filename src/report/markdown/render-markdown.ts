import type { Certificate } from '../certificate/certificate-types.js';
import { formatCount } from '../text/format-values.js';
import { fitSections, type BudgetSection, type SizeUnit } from './markdown-budget.js';
import * as detail from './markdown-details.js';
import * as block from './markdown-sections.js';
import type { MarkdownSurface, RenderMarkdownOptions, RenderedMarkdown } from '../types.js';

/**
 * Size limits of the GitHub surfaces (ACTION.md "What each surface shows"). Check-run `summary`
 * and `text` are limited in UTF-8 bytes; an issue comment in characters, which GitHub counts as
 * code points: we count UTF-16 code units, never fewer than code points, so the bound is safe.
 * The job summary ($GITHUB_STEP_SUMMARY) is limited to 1 MiB per step. `report` has no limit.
 */
export const SURFACE_LIMITS = {
  'check-summary': { limit: 65_535, unit: 'utf8-bytes' },
  'check-text': { limit: 65_535, unit: 'utf8-bytes' },
  comment: { limit: 65_536, unit: 'utf16-units' },
  'job-summary': { limit: 1_048_576, unit: 'utf8-bytes' },
  report: { limit: Number.POSITIVE_INFINITY, unit: 'utf8-bytes' },
} as const satisfies Record<MarkdownSurface, { readonly limit: number; readonly unit: SizeUnit }>;

/** Prefix of the hidden marker; a sticky comment is found by it. */
export const CERTIFICATE_MARKER_PREFIX = '<!-- invarlock:cert v1';

/** The hidden, versioned marker carrying the certificate digest: `<!-- invarlock:cert v1 sha256=… -->`. */
export function certificateMarker(cert: Certificate): string {
  return `${CERTIFICATE_MARKER_PREFIX} sha256=${cert.digest} -->`;
}

/** The certificate digest in a marker found in `text` (a comment or summary body), or `undefined`. */
export function parseCertificateMarker(text: string): string | undefined {
  return /<!-- invarlock:cert v1 sha256=([0-9a-f]{64}) -->/.exec(text)?.[1];
}

// Rows shown at the most detailed level of the per-module tables, per surface; the budget may
// reduce them further.
const ROW_LIMITS = {
  'check-summary': [50, 20, 10],
  'check-text': [50, 20, 10],
  comment: [50, 20, 10],
  'job-summary': [500, 100, 20],
  report: [Number.POSITIVE_INFINITY, 500, 100, 20],
} as const satisfies Record<MarkdownSurface, readonly number[]>;

/**
 * Renders a certificate as markdown for one surface, within that surface's size limit
 * ({@link SURFACE_LIMITS}, or `options.limit`). Layout: headline, reasons, (comment: change since
 * the previous certificate), gate dashboard, metric table, guard table, what changed, baseline
 * identity and links, then collapsed details, a note on anything cut, and the hidden marker.
 * When the text is too long, detail tables shrink and then go first; tables are never cut
 * mid-row and `omitted` lists what was reduced. Pure: no logging, the certificate is not touched.
 */
export function renderMarkdown(cert: Certificate, options: RenderMarkdownOptions): RenderedMarkdown {
  const surfaceLimit = SURFACE_LIMITS[options.surface];
  const limit = options.limit ?? surfaceLimit.limit;
  const sections = surfaceSections(cert, options);
  const noteFor = (omitted: readonly string[]): string =>
    `> ✂️ Shortened to fit the ${Number.isFinite(limit) ? formatCount(limit) : ''} ${surfaceLimit.unit === 'utf8-bytes' ? 'byte' : 'character'} limit of this view: ${omitted.join('; ')}. The full report is in the certificate artifact.`;
  const fitted = fitSections(sections, { limit, unit: surfaceLimit.unit, noteFor, tailId: 'marker' });
  return { text: fitted.text, omitted: fitted.omitted };
}

const NEVER = Number.POSITIVE_INFINITY;

function section(id: string, title: string, priority: number, text: string): BudgetSection {
  return { id, title, priority, levels: [text] };
}

function leveled(id: string, title: string, priority: number, built: { levels: string[]; notes: string[] }): BudgetSection {
  return { id, title, priority, levels: built.levels, levelNotes: built.notes };
}

function surfaceSections(cert: Certificate, options: RenderMarkdownOptions): BudgetSection[] {
  const links = options.links ?? {};
  const rows = ROW_LIMITS[options.surface];
  const marker = section('marker', 'marker', NEVER, certificateMarker(cert));
  const details: BudgetSection[] = [
    section('guard-families', 'Guards by family', 11, detail.guardFamiliesBlock(cert)),
    leveled('violations', 'Guard violations', 4, detail.violationsLevels(cert, rows)),
    leveled('spectral-modules', 'Spectral guard per weight', 3, detail.spectralModulesLevels(cert, rows)),
    leveled('rmt-modules', 'RMT guard per module', 2, detail.rmtModulesLevels(cert, rows)),
    section('variance', 'Variance guard', 5, detail.varianceBlock(cert)),
    section('tail', 'Tail of the per-window Δ', 8, detail.tailBlock(cert)),
    section('windows-plan', 'Dataset and windows', 7, detail.windowsPlanBlock(cert)),
    section('policy', 'Policy', 6, detail.policyBlock(cert)),
    section('provenance', 'Provenance', 9, detail.provenanceBlock(cert)),
    section('digests', 'Digests', 10, detail.digestsBlock(cert)),
    section('timing', 'Timing', 1, detail.timingBlock(cert)),
  ];
  const top: BudgetSection[] = [
    section('headline', 'Headline', NEVER, block.headlineBlock(cert, options.surface === 'comment' ? 'InvarLock · ' : '')),
    section('reasons', 'Reasons', NEVER, block.reasonsBlock(cert)),
  ];
  const core: BudgetSection[] = [
    section('dashboard', 'Gate dashboard', NEVER, block.dashboardBlock(cert)),
    section('metric', 'Primary metric table', 28, block.metricBlock(cert)),
    section('guards', 'Guard table', 30, block.guardsBlock(cert)),
    section('what-changed', 'What changed', 20, block.whatChangedBlock(cert)),
    section('identity', 'Baseline identity', 25, block.identityBlock(cert, links)),
  ];
  switch (options.surface) {
    case 'check-summary':
      return [...top, ...core, ...details.filter((d) => !['provenance', 'timing'].includes(d.id)), marker];
    case 'check-text':
      return [
        section('environment', 'Environment', NEVER, detail.provenanceBlock(cert, { collapsed: false })),
        ...details.filter((d) => ['windows-plan', 'policy', 'digests', 'timing'].includes(d.id)),
        marker,
      ];
    case 'comment': {
      const previous = options.previous === undefined ? [] : [section('previous', 'Change since the previous push', 35, block.previousBlock(cert, options.previous))];
      return [...top, ...previous, ...core, ...details, marker];
    }
    case 'job-summary':
    case 'report':
      return [...top, ...core, ...details, marker];
    default: {
      const never: never = options.surface;
      return never;
    }
  }
}
