import { InvarlockError } from '../../errors/index.js';
import { PROFILE_NAMES, TIER_NAMES } from '../../contracts/index.js';
import { checkPolicy, deepFreeze, loadTiers } from './load-tiers.js';
import type { Policy, PolicyOverrides, TiersFile } from './types.js';

export { PROFILE_NAMES, TIER_NAMES };

/** Top-level policy blocks an override may touch. */
const OVERRIDABLE = new Set(['windows', 'thresholds', 'guards', 'statistics']);

/** Leaves that follow from the profile: overriding them would relabel evidence. */
const PROTECTED = new Set(['thresholds.primary_metric.floors']);

/** Options of {@link resolvePolicy}. */
export interface ResolvePolicyOptions {
  /** A tier name of `contracts/tiers.json`. */
  readonly tier: string;
  /** A profile name of `contracts/tiers.json`. */
  readonly profile: string;
  /** Values that replace the tier's and profile's (arrays replace whole); recorded in `overridden`. */
  readonly overrides?: PolicyOverrides;
  /** Score the final windows in this many looks and stop early when the gate is resolved (within the tiers file's allowance). */
  readonly sequential?: { readonly looks: number };
}

/**
 * Resolves a tier and a profile of `contracts/tiers.json` into one {@link Policy}: sample sizes and
 * replicates from the profile, thresholds and guard settings from the tier, overrides on top. The
 * result is validated against `tiers.schema.json#/$defs/policy` and deep-frozen.
 *
 * Throws `E_PROFILE_UNKNOWN` for an unknown tier or profile (`details.field`, `details.expected`),
 * `E_CONFIG_INVALID` when overrides touch a protected value or an unknown key or produce an invalid
 * policy (`details.problems`), `E_CONTRACT_INVALID` when the bundled tiers file is malformed.
 */
export function resolvePolicy(options: ResolvePolicyOptions): Policy {
  const tiers = loadTiers();
  const tierName = pickName('tier', options.tier, TIER_NAMES);
  const profileName = pickName('profile', options.profile, PROFILE_NAMES);
  const tier = tiers.tiers[tierName];
  const profile = tiers.profiles[profileName];
  const base: Policy = {
    schema_version: 1,
    tier: tierName,
    profile: profileName,
    evidence: profile.evidence,
    windows: { preview_n: profile.preview_n, final_n: profile.final_n },
    thresholds: {
      primary_metric: {
        ratio_limit: tier.primary_metric.ratio_limit,
        hysteresis: tier.primary_metric.hysteresis,
        accuracy_delta_limit_pp: tier.accuracy.delta_limit_pp,
        accuracy_min_examples: tier.accuracy.min_examples,
        token_floor: tier.primary_metric.token_floor,
        window_floor_preview: tier.primary_metric.window_floor_preview,
        window_floor_final: tier.primary_metric.window_floor_final,
        floors: profile.floors,
      },
      bootstrap: {
        method: tiers.statistics.bootstrap_method,
        replicates: profile.bootstrap_replicates,
        min_replicates: tier.primary_metric.min_replicates,
        alpha: tiers.statistics.alpha,
      },
      drift_band: tier.drift_band,
      catastrophe_ratio: tier.catastrophe_ratio,
      tail: tier.tail,
      spectral: {
        mode: tier.spectral.mode,
        deadband: tier.spectral.deadband,
        max_caps: tier.spectral.max_caps,
        kappa: tier.spectral.kappa,
        multiple_testing: tier.spectral.multiple_testing,
        stable_rank_warn: tier.spectral.stable_rank_warn,
        stable_rank_fatal: tier.spectral.stable_rank_fatal,
        norm_collapse_warn: tier.spectral.norm_collapse_warn,
        norm_collapse_fatal: tier.spectral.norm_collapse_fatal,
      },
      rmt: { mode: tier.rmt.mode, epsilon: tier.rmt.epsilon },
      guard_overhead: tier.guard_overhead,
      invariants: tier.invariants,
      variance: tier.variance.thresholds,
    },
    guards: {
      spectral: { power_iterations: tier.spectral.power_iterations },
      rmt: { calibration_windows: tier.rmt.calibration_windows, power_iterations: tier.rmt.power_iterations },
      variance: tier.variance.settings,
    },
    statistics: { z0_clip: tiers.statistics.z0_clip },
    seed_offsets: tiers.seed_offsets,
    sequential: options.sequential === undefined ? null : sequentialPolicy(options.sequential.looks, tiers),
    overridden: [],
  };
  // A fresh copy: the merge below must never touch the frozen tiers file.
  const policy: unknown = structuredClone(base);
  if (options.overrides === undefined) return deepFreeze(checkPolicy(policy, `policy ${tierName}/${profileName}`, 'E_INTERNAL'));
  const overridden: string[] = [];
  applyOverrides(policy, options.overrides, '', overridden);
  if (isPlainObject(policy)) policy['overridden'] = overridden.sort();
  return deepFreeze(checkPolicy(policy, 'policy overrides', 'E_CONFIG_INVALID'));
}

/** The policy's sequential block for `looks`, within the tiers file's allowance; `E_CONFIG_INVALID` outside it. */
function sequentialPolicy(looks: number, tiers: TiersFile): NonNullable<Policy['sequential']> {
  const allowed = tiers.sequential;
  if (allowed === undefined) throw new InvarlockError('E_CONFIG_INVALID', 'sequential looks are not allowed: contracts/tiers.json has no sequential allowance', { details: { field: 'sequential' } });
  if (!Number.isInteger(looks) || looks < 2 || looks > allowed.max_looks) {
    throw new InvarlockError('E_CONFIG_INVALID', `sequential.looks must be an integer from 2 to ${allowed.max_looks}, got ${looks}`, {
      details: { field: 'sequential.looks', expected: `2..${allowed.max_looks}`, actual: String(looks) },
    });
  }
  return { looks, spending: allowed.spending };
}

function pickName<T extends string>(field: 'tier' | 'profile', value: string, names: readonly T[]): T {
  const found = names.find((name) => name === value);
  if (found !== undefined) return found;
  throw new InvarlockError('E_PROFILE_UNKNOWN', `unknown ${field} '${value}'`, {
    details: { field, actual: value, expected: names.join(', ') },
    hint: `Use one of: ${names.join(', ')}.`,
  });
}

/** Writes `patch` into `target` (a plain-object tree), collecting the dotted paths of the leaves set. */
function applyOverrides(target: unknown, patch: unknown, path: string, out: string[]): void {
  if (!isPlainObject(patch) || !isPlainObject(target)) return;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const here = path === '' ? key : `${path}.${key}`;
    if (path === '' && !OVERRIDABLE.has(key)) throw refused(here, `only ${[...OVERRIDABLE].join(', ')} can be overridden`);
    if (PROTECTED.has(here)) throw refused(here, 'it follows from the profile');
    if (isPlainObject(value) && isPlainObject(target[key])) {
      applyOverrides(target[key], value, here, out);
    } else {
      // Unknown keys land here too; the schema check afterwards names them.
      target[key] = structuredClone(value);
      out.push(here);
    }
  }
}

function refused(path: string, why: string): InvarlockError {
  return new InvarlockError('E_CONFIG_INVALID', `policy override '${path}' is not allowed: ${why}`, { details: { field: path } });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
