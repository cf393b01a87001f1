export { buildFeeds, assertFeedable, scoredCacheBranch, type FeedBatch } from './build-feeds.js';
export { planScoringSurgery, SCORING_NAMES, type HeadKind, type ScoringSurgeryOptions } from './loss-head.js';
export {
  autoBatchSize,
  createScorer,
  type Activation,
  type CaptureItem,
  type MaskedSequence,
  type ScoringEncoder,
  type Seq2seqPassOptions,
  type Seq2seqSequence,
  type PassOptions,
  type ScoredSequence,
  type Scorer,
  type ScorerOptions,
  type ScoringModel,
  type WindowLosses,
} from './scorer.js';
