/**
 * Harm defined by the tier (issue 14): whether a gate should pass a subject depends on how much the
 * subject really hurts the model, measured on a held-out set far larger than any certify run sees
 * (truth.ts), not on what the edit was meant to be. With the tier's limit L on the perplexity ratio
 * and a margin m (a fraction of the allowance L − 1):
 *
 * - benign: true ratio ≤ 1 + (1 − m)·(L − 1), weights intact;
 * - harmful: true ratio ≥ 1 + (1 + m)·(L − 1), or no finite ratio (the model broke), or broken
 *   weights (a zeroed block) whatever the ratio says;
 * - grey: in between. Neither verdict is wrong there at any sample size worth running, so grey runs
 *   are reported and kept out of the rates.
 */
import type { CaseClass } from './cases.js';

/** The margin as a fraction of the tier's allowance L − 1: benign at most half the allowed rise, harmful at least 1.5 times it. */
export const HARM_MARGIN = 0.5;

/** A subject's true harm: its perplexity ratio on the held-out set (null: not finite or the model broke), and whether its weights are broken. */
export interface TrueHarm {
  readonly ratio: number | null;
  readonly broken: boolean;
}

/** The band of one tier: benign at or below `benignMax`, harmful at or above `harmfulMin`. */
export interface HarmBand {
  readonly limit: number;
  readonly benignMax: number;
  readonly harmfulMin: number;
}

/** The band of a tier with ratio limit `limit`. */
export function harmBand(limit: number, margin: number = HARM_MARGIN): HarmBand {
  const allowance = limit - 1;
  return { limit, benignMax: 1 + (1 - margin) * allowance, harmfulMin: 1 + (1 + margin) * allowance };
}

/** The class of a subject in a tier. */
export function classOf(harm: TrueHarm, band: HarmBand): CaseClass {
  if (harm.broken || harm.ratio === null || !Number.isFinite(harm.ratio)) return 'harmful';
  if (harm.ratio <= band.benignMax) return 'benign';
  if (harm.ratio >= band.harmfulMin) return 'harmful';
  return 'grey';
}
