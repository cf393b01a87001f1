import type { PreviousPublication, Verdict } from '../types.js';

/** Version of the hidden markers; bump when their payload changes meaning. */
const MARKER_VERSION = 'v1';
const VERDICTS: readonly Verdict[] = ['pass', 'warn', 'fail', 'error', 'skipped'];

function toBase64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function fromBase64Url(text: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  return Buffer.from(text, 'base64url').toString('utf8');
}

/**
 * The first line of a sticky comment: identifies comments of this check name (one per check, so
 * matrix jobs with distinct `check-name`s keep separate comments). Base64url keeps `--` out of the
 * HTML comment whatever the name.
 */
export function stickyMarker(checkName: string): string {
  return `<!-- invarlock:sticky ${MARKER_VERSION} ${toBase64Url(checkName)} -->`;
}

/** True when `body` is a sticky comment written for `checkName`. */
export function isStickyFor(body: string, checkName: string): boolean {
  return body.startsWith(stickyMarker(checkName));
}

/** The hidden record of what was published, for the next push's delta and `on-change`. */
export function dataMarker(publication: PreviousPublication): string {
  return `<!-- invarlock:data ${MARKER_VERSION} ${toBase64Url(JSON.stringify(publication))} -->`;
}

function finiteOrNull(value: unknown): number | null | undefined {
  if (value === null) return null;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Reads the data marker from a comment or check summary. Anything malformed (foreign edits,
 * another version) reads as null: the comment is then treated as having no previous result.
 */
export function parseDataMarker(body: string): PreviousPublication | null {
  const match = new RegExp(`<!-- invarlock:data ${MARKER_VERSION} ([A-Za-z0-9_-]{1,4096}) -->`).exec(body);
  const json = match?.[1] === undefined ? null : fromBase64Url(match[1]);
  if (json === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record: Readonly<Record<string, unknown>> = Object.fromEntries(Object.entries(value));
  const digest = record['digest'];
  const verdict = VERDICTS.find((v) => v === record['verdict']);
  const headSha = record['headSha'];
  const ratio = finiteOrNull(record['ratio']);
  const ciLow = finiteOrNull(record['ciLow']);
  const ciHigh = finiteOrNull(record['ciHigh']);
  if (typeof digest !== 'string' || !/^([0-9a-f]{64}|none)$/.test(digest)) return null;
  if (verdict === undefined || typeof headSha !== 'string' || !/^[0-9a-f]{0,40}$/.test(headSha)) return null;
  if (ratio === undefined || ciLow === undefined || ciHigh === undefined) return null;
  return { digest, verdict, ratio, ciLow, ciHigh, headSha };
}
