export { buildFeeds, assertFeedable, type FeedBatch } from './build-feeds.js';
export { planScoringSurgery, SCORING_NAMES, type HeadKind, type ScoringSurgeryOptions } from './loss-head.js';
export {
  autoBatchSize,
  createScorer,
  type Activation,
  type MaskedSequence,
  type PassOptions,
  type ScoredSequence,
  type Scorer,
  type ScorerOptions,
  type ScoringModel,
  type WindowLosses,
} from './scorer.js';
