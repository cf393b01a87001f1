/**
 * The tier and profile names of `contracts/tiers.json`, as users spell them (`tier:`, `profile:`,
 * `--tier`, the Action's `tier` input) and as certificates record them. Defined here, below every
 * layer that names them; a test checks they match the file.
 */

/** The tiers, in table order. */
export const TIER_NAMES = Object.freeze(['balanced', 'conservative', 'aggressive'] as const);
/** One tier name. */
export type TierName = (typeof TIER_NAMES)[number];

/** The profiles, smallest first. */
export const PROFILE_NAMES = Object.freeze(['dev', 'ci_cpu', 'ci', 'release'] as const);
/** One profile name. */
export type ProfileName = (typeof PROFILE_NAMES)[number];
