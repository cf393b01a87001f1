import { InvarlockError } from '../../errors/index.js';
import type { RunConfig } from '../config/index.js';
import type { RunEventListener } from '../events/index.js';
import { coverageShortfall, resolvePolicy, type Policy } from '../policy/index.js';
import type { Objective } from './objective.js';

/**
 * The policy of a run, resolved once the objective is known: the profile's counts raised to the
 * tier's floors unless the config set them (an accuracy run counts examples against the tier's
 * minimum of examples too), replicates raised to their floor; a warning for each raise.
 *
 * @throws `E_COVERAGE` when explicit counts are below floors the tier enforces.
 */
export function resolveRunPolicy(config: RunConfig, onEvent: RunEventListener, floors: Objective['floors']): Policy {
  const sequential = config.sequential === null ? {} : { sequential: config.sequential };
  const base = resolvePolicy({ tier: config.tier, profile: config.profile, ...sequential });
  const pm = base.thresholds.primary_metric;
  const explicit = { preview_n: config.dataset.previewN, final_n: config.dataset.finalN };
  const floorOf = (windowFloor: number) => (floors === 'accuracy' ? Math.max(windowFloor, pm.accuracy_min_examples) : windowFloor);
  const raised = {
    preview_n: explicit.preview_n ?? (pm.floors === 'enforced' ? Math.max(base.windows.preview_n, floorOf(pm.window_floor_preview)) : base.windows.preview_n),
    final_n: explicit.final_n ?? (pm.floors === 'enforced' ? Math.max(base.windows.final_n, floorOf(pm.window_floor_final)) : base.windows.final_n),
  };
  const boot = base.thresholds.bootstrap;
  // replicates are not a user setting: below an enforced floor they are raised, like the window counts
  const replicates = pm.floors === 'enforced' ? Math.max(boot.replicates, boot.min_replicates) : boot.replicates;
  const windowsRaised = raised.preview_n !== base.windows.preview_n || raised.final_n !== base.windows.final_n;
  if (windowsRaised && explicit.preview_n === null && explicit.final_n === null) {
    onEvent({
      type: 'warning',
      id: 'windows_raised_to_floor',
      message: `profile ${config.profile} plans ${base.windows.preview_n}/${base.windows.final_n} windows, below the ${config.tier} floors; using ${raised.preview_n}/${raised.final_n}`,
    });
  }
  if (replicates !== boot.replicates) {
    onEvent({ type: 'warning', id: 'replicates_raised_to_floor', message: `${boot.replicates} bootstrap replicates are below the ${config.tier} floor; using ${replicates}` });
  }
  const overrides = {
    ...(windowsRaised ? { windows: raised } : {}),
    ...(replicates !== boot.replicates ? { thresholds: { bootstrap: { replicates } } } : {}),
  };
  const policy = Object.keys(overrides).length > 0 ? resolvePolicy({ tier: config.tier, profile: config.profile, overrides, ...sequential }) : base;
  const coverage = coverageShortfall(policy);
  if (coverage.status === 'short' && coverage.enforcement === 'enforced') {
    const gaps = coverage.gaps.map((g) => `${g.floor}: ${g.actual} < ${g.required}`);
    throw new InvarlockError('E_COVERAGE', `the requested evaluation is below the ${config.tier} tier's floors (${gaps.join('; ')})`, {
      details: { field: 'dataset', problems: gaps },
      hint: 'Raise preview_n/final_n (or the bootstrap replicates), or use the dev profile for an informational run.',
    });
  }
  return policy;
}
