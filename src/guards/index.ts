/**
 * The guards layer: invariants, spectral, RMT and variance (VE) as pure functions of measurements
 * and a policy, and the linear-algebra kernels that make the measurements (worker threads).
 * Weight records are the edits layer's `WeightMatrix` (imported through its door).
 */
export type * from './types.js';
export { evaluateInvariants, structureHashOf, type InvariantsMeasurements } from './invariants/invariants-guard.js';
export { evaluateSpectral, type SpectralFamilyMeasurement, type SpectralMeasurements, type SpectralModuleMeasurement } from './spectral/spectral-guard.js';
export { selectByMultipleTesting, type MultipleTestingOutcome } from './spectral/multiple-testing.js';
export { normCollapseOf } from './spectral/degeneracy.js';
export { evaluateRmt, toRmtWindowMeasurement, type MpOutlierTelemetry, type RmtFamilyMeasurement, type RmtMeasurements } from './rmt/rmt-guard.js';
export { selectCalibrationWindows } from './rmt/calibration-windows.js';
export { estimateVeVariance, proposeVeScales, veScaleWindowCount, veScopeRoles, type VeProposal, type VeScaleStatus, type VeTapSamples, type VeTapScale } from './variance/ve-scales.js';
export { evaluateVePredictiveGate, type VeAbInput, type VeGateOutcome, type VeGateReason } from './variance/ve-gate.js';
export { decideVeEnable, type VeEnableDecision, type VeEnableReason } from './variance/ve-enable.js';
export { applyVeScales, restoreVeScales, type VeSnapshot } from './variance/ve-apply.js';
export { evaluateVariance, type VarianceInput, type VarianceMeasurements } from './variance/variance-guard.js';
export { evaluateGuardOverhead, type GuardOverhead } from './variance/guard-overhead.js';
export { measureWeights, type MeasureWeightsOptions } from './measure-weights.js';
export {
  heldWeightStream,
  isMeasuredMatrix,
  measureWeightStream,
  modelWeightStream,
  type MeasureWeightStreamOptions,
  type WeightMeasurements,
  type WeightStream,
} from './measure-weight-stream.js';
export { decodeBaselineGuards, encodeBaselineGuards, type BaselineGuardKey, type BaselineGuardMeasurements } from './baseline-guard-record.js';
export { computeMatrixStats, type MatrixStats, type MatrixStatsOptions, type MpOutliers } from './linalg/matrix-stats.js';
export { computeActivationRmt, type ActivationRmt, type ActivationRmtOptions } from './linalg/activation-rmt.js';
export { spectralNormPowerIteration } from './linalg/power-iteration.js';
export { topSingularValues, type TopSingularValuesOptions } from './linalg/top-singular-values.js';
export { twoSidedPValue } from './spectral/p-value.js';
export {
  createKernelPool,
  KERNEL_POOL_DEFAULTS,
  type KernelPool,
  type KernelPoolCounters,
  type KernelPoolMode,
  type KernelPoolOptions,
  type KernelRunOptions,
} from './linalg/kernel-pool.js';
export { serveKernelTasks, type KernelResults, type KernelTask, type KernelTaskOf } from './linalg/kernel-tasks.js';
