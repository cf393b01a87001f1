/**
 * The file `outcomes.json`: every run's outcome with the calibration's metadata and timings, so the
 * tables and the record can be rebuilt (`run.ts --render FILE`) without running anything again, and
 * anyone can re-check the digest.
 */
import type { RunTiming } from './calibrate.js';
import type { RunOutcome } from './outcome.js';
import { calibrationRecord, outcomesDigest, renderResults, type CalibrationMeta } from './render.js';
import { summarise, type CalibrationSummary } from './summarise.js';

/** The content of outcomes.json. */
export interface SavedRun {
  readonly format: 'invarlock.calibration-outcomes/v1';
  readonly digest: string;
  readonly meta: CalibrationMeta;
  readonly outcomes: readonly RunOutcome[];
  readonly timings: readonly RunTiming[];
}

/** A saved run of the given results. */
export function savedRunOf(meta: CalibrationMeta, outcomes: readonly RunOutcome[], timings: readonly RunTiming[]): SavedRun {
  return { format: 'invarlock.calibration-outcomes/v1', digest: outcomesDigest(outcomes), meta, outcomes, timings };
}

/**
 * Reads outcomes.json. @throws Error when the format tag is not ours or the digest does not match
 * the outcomes (the file was edited).
 */
export function parseSavedRun(text: string, source: string): SavedRun {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || !('format' in parsed) || parsed.format !== 'invarlock.calibration-outcomes/v1') {
    throw new Error(`${source} is not a calibration outcomes file (format invarlock.calibration-outcomes/v1)`);
  }
  // our own file, checked by its digest below
  const saved = parsed as SavedRun;
  const digest = outcomesDigest(saved.outcomes);
  if (digest !== saved.digest) throw new Error(`${source}: the outcomes hash to ${digest}, the file says ${saved.digest}`);
  return saved;
}

/** Summary, record and Markdown rebuilt from a saved run. */
export function rebuildFromSaved(saved: SavedRun, notes: string): { summary: CalibrationSummary; record: Record<string, unknown>; markdown: string } {
  const summary = summarise(saved.outcomes);
  return {
    summary,
    record: calibrationRecord(saved.meta, saved.outcomes, summary),
    markdown: renderResults(saved.meta, saved.outcomes, summary, saved.timings, notes),
  };
}
