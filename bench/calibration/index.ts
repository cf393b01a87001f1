/** The calibration machinery (bench/calibration): what `run.ts` and the smoke test use. */
export { CASES, isSeeded, SMOKE_CASE_IDS, selectCases, VARIANTS, type CalibrationCase, type CaseClass, type CaseIntent, type CaseSubject } from './cases.js';
export { casesFor, mergeResults, NOISE_SEED_OFFSET, runUnit, runUnits, unitsOf, type CalibrationPlan, type RunFacts, type RunTiming, type UnitsResult } from './calibrate.js';
export { binomialCdf, lowerBound, upperBound } from './binomial.js';
export { wikitextValidPath, writeEvalText, type EvalText } from './eval-text.js';
export { blockCount, roundToBf16, writeAdapterVariant, writeBf16Model, writeNoisyModel, writeScaledBlock, writeZeroedBlock, type MaterialisedModel } from './materialise.js';
export { canonicalOutcomes, compareOutcomes, GATES, outcomeOf, round6, SPECTRAL_TOP, type GateId, type RunOutcome } from './outcome.js';
export { CALIBRATION_DEFAULTS, resultsMarkdown, runCalibration, type CalibrationOptions, type CalibrationResult } from './pipeline.js';
export { calibrationRecord, NOTES_MARKER, notesOf, outcomesDigest, renderResults, type CalibrationMeta } from './render.js';
export { classOf, harmBand, HARM_MARGIN, type HarmBand, type TrueHarm } from './harm.js';
export { gateFlags, redecide, tierRules, type TierRules } from './redecide.js';
export { harmOf, measureTruth, readTruth, type TruthEntry, type TruthFile } from './truth.js';
export { GOALS, GRID_MULTIPLES, summarise, type CalibrationSummary, type CellSummary, type GoalCheck, type ThresholdEvidence, type ThresholdGrid } from './summarise.js';
export { parseSavedRun, rebuildFromSaved, savedRunOf, type SavedRun } from './saved-run.js';
