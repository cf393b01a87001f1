import type { KernelPool, RmtModuleMeasurement, WeightMeasurements } from '../../guards/index.js';
import type { RunConfig } from '../config/index.js';
import type { RunEventListener } from '../events/index.js';
import type { Policy } from '../policy/index.js';
import type { MemoryPlan } from '../resources/index.js';
import type { ArmScores, Evaluation, Objective } from './objective.js';
import type { OpenedModel } from './open-model.js';
import type { seedsOf } from './provenance.js';
import type { StageTimer } from './stage-timer.js';

/** Options of `certify`: everything that is not the run's configuration. */
export interface CertifyOptions {
  /** Relative model, dataset and adapter paths are resolved against this directory. */
  readonly cwd: string;
  readonly onEvent?: RunEventListener;
  readonly signal?: AbortSignal;
  /** Milliseconds clock for stage durations (injected for tests). @default performance.now */
  readonly now?: () => number;
  /** Wall clock for the timing block. @default () => new Date() */
  readonly clock?: () => Date;
  /** The runtime image when running in a container (recorded in provenance). */
  readonly container?: { readonly image: string; readonly digest: string } | null;
  readonly hubUrl?: string;
  readonly accessToken?: string;
}

/** A certify run once the baseline is open and the objective chosen: what every subject shares. */
export interface RunContext {
  readonly config: RunConfig;
  readonly policy: Policy;
  readonly seeds: ReturnType<typeof seedsOf>;
  readonly objective: Objective;
  readonly evaluation: Evaluation;
  readonly options: CertifyOptions;
  readonly onEvent: RunEventListener;
  readonly timer: StageTimer;
  readonly pool: KernelPool;
  /** What the memory planner chose (batch size, workers, chunks, pre-packing) for the run's budget. */
  readonly memory: MemoryPlan;
  readonly startedAt: Date;
  readonly clock: () => Date;
}

/** The baseline's side of every paired comparison: its scores, weights and activations. */
export interface BaselineRun {
  readonly opened: OpenedModel;
  readonly scores: { readonly preview: ArmScores; readonly final: ArmScores };
  /**
   * The weight guards' measurements of the baseline (summaries and statistics, streamed from its
   * file or reused from a saved evaluation); null when no weight guard runs in compare mode.
   */
  readonly weights: WeightMeasurements | null;
  readonly rmt: readonly RmtModuleMeasurement[] | null;
}
