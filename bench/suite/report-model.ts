/** What each benchmark section hands to the renderers: tables, goals and notes. */

/** Whether a measured number meets its goal. */
export type GoalStatus = 'met' | 'missed' | 'not judged';

/** One goal of one section, judged. */
export interface GoalCheck {
  readonly section: number;
  /** What is compared, e.g. `invarlock vs ORT logits (medium)`. */
  readonly subject: string;
  /** The goal as written in the brief, e.g. `≥ 0.95×`. */
  readonly goal: string;
  /** The measured value, formatted. */
  readonly measured: string;
  readonly status: GoalStatus;
  /** By how much it was missed, or why it is not judged; '' otherwise. */
  readonly note: string;
}

/** A table of formatted cells. */
export interface ReportTable {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** One section's report. */
export interface SectionReport {
  readonly section: number;
  readonly title: string;
  readonly tables: readonly ReportTable[];
  readonly goals: readonly GoalCheck[];
  /** Method and interpretation lines (markdown allowed). */
  readonly notes: readonly string[];
}

/** A ratio goal: `at-least` (higher is better) or `at-most`. */
export interface RatioGoal {
  readonly kind: 'at-least' | 'at-most';
  readonly limit: number;
}

/** Judges `ratio` against `goal`; a miss says by how much (relative to the limit). */
export function judgeRatio(section: number, subject: string, ratio: number, goal: RatioGoal): GoalCheck {
  const text = `${goal.kind === 'at-least' ? '≥' : '≤'} ${goal.limit}×`;
  const isMet = goal.kind === 'at-least' ? ratio >= goal.limit : ratio <= goal.limit;
  const off = goal.kind === 'at-least' ? (goal.limit - ratio) / goal.limit : (ratio - goal.limit) / goal.limit;
  return {
    section,
    subject,
    goal: text,
    measured: `${formatRatio(ratio)}×`,
    status: Number.isFinite(ratio) ? (isMet ? 'met' : 'missed') : 'not judged',
    note: isMet || !Number.isFinite(ratio) ? '' : `missed by ${(off * 100).toFixed(1)} % of the goal`,
  };
}

/** A ratio with 2 decimals (3 below 0.1). */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? ratio.toFixed(Math.abs(ratio) < 0.1 ? 3 : 2) : 'n/a';
}

/** Mebibytes with one decimal. */
export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Seconds with 2 decimals, or milliseconds below one second. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

/** The smallest value. */
export function best(values: readonly number[]): number {
  return Math.min(...values);
}

/** The median (lower middle for even counts). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
