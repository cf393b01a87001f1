/**
 * Public types of evaluation windows (ALGORITHMS.md §2): the paired preview/final window plan, its
 * hashes, classification example plans, MLM masks and pairing reports.
 */

/**
 * What the window builder needs from a tokenizer (the adapters' `LoadedTokenizer` fits): `encode`
 * returns the text's ids without special tokens; `decode` returns text for difficulty scoring.
 */
export interface TextCodec {
  encode(text: string): Uint32Array;
  decode(ids: Uint32Array): string;
}

/** Training objective of the model the windows are for; it decides which positions can be scored. */
export type WindowObjective = 'causal' | 'masked';

/** Options of `buildWindowPlan`. */
export interface WindowPlanOptions {
  /** Tokens per window, framing tokens included (≥ 2). */
  readonly seqLen: number;
  /**
   * Stream tokens between window starts, 1 ≤ stride ≤ seqLen. Windows after the first score only
   * their last `stride` content positions, so no token is scored twice; a stride above contentLen
   * (= seqLen − framing tokens) skips the stream tokens between windows.
   * @default contentLen (adjacent, non-overlapping windows)
   */
  readonly stride?: number;
  readonly previewN: number;
  readonly finalN: number;
  /** `causal`: position 0 of a window is never scored (it has no context); `masked`: it may be. */
  readonly objective: WindowObjective;
  /**
   * Id placed between consecutive documents in the token stream (the model's EOS, or SEP for
   * BERT-like models); `null` concatenates documents directly.
   */
  readonly separatorId: number | null;
  /** Ids opening every window (e.g. `[BOS]`, `[CLS]`); never scored. @default [] */
  readonly prefixIds?: readonly number[];
  /** Ids closing every window (e.g. `[SEP]`); never scored. @default [] */
  readonly suffixIds?: readonly number[];
  /** Uniform [0, 1) generator for the window draw (one seeded stream per purpose, ALGORITHMS.md §7). */
  readonly rand: () => number;
  /** Tokenizer hash recorded in the plan's hashes. */
  readonly tokenizerHash: string;
}

/** One evaluation window. */
export interface EvalWindow {
  /** Stable id `w<start>`. */
  readonly id: string;
  /** Offset in the token stream of the window's first content token. */
  readonly start: number;
  /** The window's `seqLen` ids: prefix, content, suffix. */
  readonly ids: Uint32Array;
  /**
   * First scored position (0-based, in `ids`). Scored positions are `scoreFrom … scoreFrom +
   * scoredCount − 1`; for a causal model position p is scored as −log P(ids[p] | ids[0..p−1]).
   */
  readonly scoreFrom: number;
  readonly scoredCount: number;
  /** Byte 4-gram cross-entropy (nats per byte) of the window's content text. */
  readonly difficulty: number;
  /** sha256 (hex) of `ids` as uint32 little-endian. */
  readonly hash: string;
}

/** How close the draw brought the arms' mean difficulties. */
export interface DrawBalance {
  readonly previewMeanDifficulty: number;
  readonly finalMeanDifficulty: number;
  /** |preview mean − final mean| after balancing. */
  readonly gap: number;
  readonly swaps: number;
  /** `within-tolerance`: gap < 1e-4; `best-effort`: no swap could reduce the gap further (or 100 swaps were made). */
  readonly status: 'within-tolerance' | 'best-effort';
}

/** Hashes of a plan (sha256 hex). */
export interface PlanHashes {
  /** sha256 over the preview windows' raw 32-byte hashes, in arm order. */
  readonly preview: string;
  readonly final: string;
  /** sha256 over the raw preview hash then the raw final hash. */
  readonly dataset: string;
  readonly tokenizer: string;
}

/** The paired window plan: the same windows are scored for baseline and subject. */
export interface WindowPlan {
  readonly kind: 'windows';
  readonly objective: WindowObjective;
  readonly seqLen: number;
  readonly stride: number;
  /** Content tokens per window (seqLen − prefix − suffix). */
  readonly contentLen: number;
  /** Preview windows, in stream order. */
  readonly preview: readonly EvalWindow[];
  /** Final windows, in stream order; disjoint from preview. */
  readonly final: readonly EvalWindow[];
  readonly hashes: PlanHashes;
  readonly counts: {
    readonly documents: number;
    readonly streamTokens: number;
    /** Candidate windows after duplicate removal. */
    readonly candidates: number;
    readonly duplicatesRemoved: number;
    readonly preview: number;
    readonly final: number;
  };
  /** Scored tokens per arm (the token floors count these). */
  readonly scoredTokens: { readonly preview: number; readonly final: number };
  readonly balance: DrawBalance;
  readonly timingsMs: { readonly tokenize: number; readonly difficulty: number; readonly draw: number };
}

/** A labelled example to classify. */
export interface ExampleInput {
  readonly index: number;
  readonly text: string;
  readonly label: number | string;
}

/** Options of `buildExamplePlan`. */
export interface ExamplePlanOptions {
  readonly previewN: number;
  readonly finalN: number;
  /** Longest input in tokens, framing included; longer texts are truncated at the end. */
  readonly maxTokens: number;
  /** e.g. `[CLS]`. @default [] */
  readonly prefixIds?: readonly number[];
  /** e.g. `[SEP]`. @default [] */
  readonly suffixIds?: readonly number[];
  readonly rand: () => number;
  readonly tokenizerHash: string;
}

/** One classification example of a plan. */
export interface EvalExample {
  /** Stable id `e<index>`. */
  readonly id: string;
  readonly index: number;
  readonly ids: Uint32Array;
  readonly label: number | string;
  readonly truncated: boolean;
  readonly difficulty: number;
  readonly hash: string;
}

/** The paired example plan for accuracy. */
export interface ExamplePlan {
  readonly kind: 'examples';
  /** In dataset order. */
  readonly preview: readonly EvalExample[];
  readonly final: readonly EvalExample[];
  readonly hashes: PlanHashes;
  readonly counts: { readonly examples: number; readonly candidates: number; readonly duplicatesRemoved: number; readonly truncated: number; readonly preview: number; readonly final: number };
  readonly balance: DrawBalance;
}

/** A source/target pair to score (the source with its prefix already in front). */
export interface PairInput {
  readonly index: number;
  readonly source: string;
  readonly target: string;
}

/** The tokens a tokenizer's post-processor puts around one sequence (`</s>` after T5's; `<s>`…`</s>` around BART's). */
export interface Framing {
  readonly prefix: readonly number[];
  readonly suffix: readonly number[];
}

/** Options of `buildPairPlan`. */
export interface PairPlanOptions {
  readonly previewN: number;
  readonly finalN: number;
  /** Longest source in tokens, framing included; longer sources keep their head and their framing. */
  readonly maxSourceTokens: number;
  /** Longest target (labels) in tokens, framing included; longer targets keep their head and their end-of-sequence token. */
  readonly maxTargetTokens: number;
  readonly sourceFraming: Framing;
  readonly targetFraming: Framing;
  /** config.json's `decoder_start_token_id`: the decoder input is this id, then the labels but the last. */
  readonly decoderStartId: number;
  readonly rand: () => number;
  readonly tokenizerHash: string;
}

/** One teacher-forced seq2seq example of a plan. */
export interface PairExample {
  /** Stable id `p<index>`. */
  readonly id: string;
  readonly index: number;
  /** Encoder input ids, framing included. */
  readonly sourceIds: Uint32Array;
  /** Decoder input ids: `decoderStartId`, then `labels` without its last id. */
  readonly decoderIds: Uint32Array;
  /** Target ids scored at each decoder position (framing included: the end-of-sequence token is scored). */
  readonly labels: Uint32Array;
  /** The pairing key: `labels` (what is scored; `hash` covers the source too). */
  readonly ids: Uint32Array;
  readonly truncated: { readonly source: boolean; readonly target: boolean };
  readonly difficulty: number;
  /** Hash over source ids, a separator and labels. */
  readonly hash: string;
}

/** How sources and targets were cut to fit, for the certificate. */
export interface PairTruncation {
  readonly sourceMaxTokens: number;
  readonly targetMaxTokens: number;
  /** Candidates whose source (target) was cut. */
  readonly sourceTruncated: number;
  readonly targetTruncated: number;
}

/** The paired example plan for seq2seq perplexity. */
export interface PairPlan {
  readonly kind: 'pairs';
  /** In dataset order. */
  readonly preview: readonly PairExample[];
  readonly final: readonly PairExample[];
  readonly hashes: PlanHashes;
  readonly counts: { readonly pairs: number; readonly candidates: number; readonly duplicatesRemoved: number; readonly preview: number; readonly final: number };
  readonly truncation: PairTruncation;
  /** Target tokens scored per arm (the token floors count these). */
  readonly scoredTokens: { readonly preview: number; readonly final: number };
  readonly balance: DrawBalance;
}

/** Options of `maskWindow` (masked-LM pseudo-perplexity, ALGORITHMS.md §3). */
export interface MaskOptions {
  /** The run's MLM mask seed, an integer in [0, 2^32). */
  readonly seed: number;
  /** Id of the mask token (`[MASK]`, `<mask>`). */
  readonly maskId: number;
  /** Random replacements are drawn from [0, vocabSize) minus `specialIds`. */
  readonly vocabSize: number;
  /** Never selected, never drawn as a replacement. */
  readonly specialIds: readonly number[];
  /** Fraction of eligible positions selected. @default 0.15 */
  readonly rate?: number;
}

/** A window with its MLM corruption. */
export interface MaskedWindow {
  readonly id: string;
  /** `ids` with selected positions replaced (80 % mask, 10 % random, 10 % unchanged). */
  readonly inputIds: Uint32Array;
  /** Selected positions, ascending. */
  readonly positions: Uint32Array;
  /** Original ids at `positions` (the labels). */
  readonly targets: Uint32Array;
  readonly counts: { readonly masked: number; readonly random: number; readonly unchanged: number };
}

/** What a model was scored on for one window (or example). */
export interface ScoredWindowRef {
  readonly id: string;
  /** The ids fed to the model (for MLM: the window's ids before masking). */
  readonly ids: ArrayLike<number>;
  /** Positions scored (loss weight); 1 for a classification example. */
  readonly scoredCount: number;
}

/** A planned window as the pairing check reads it (`EvalWindow` and `EvalExample` fit). */
export interface PlannedWindowRef {
  readonly id: string;
  readonly ids: ArrayLike<number>;
  /** Examples have no scored positions: they count 1. */
  readonly scoredCount?: number;
  readonly start?: number;
  readonly scoreFrom?: number;
}

/** One pairing violation. */
export interface PairingProblem {
  readonly code: 'E_PAIRING_TOKENS' | 'E_PAIRING_MISSING' | 'E_PAIRING_DUPLICATE' | 'E_PAIRING_COUNTS';
  /** The window id, or the arm for count problems. */
  readonly window: string;
  readonly message: string;
}

/** Result of comparing a plan with what was scored (ALGORITHMS.md §2, pairing checks). */
export interface PairingReport {
  readonly planned: number;
  readonly scored: number;
  /** Planned windows scored on exactly the planned ids and positions. */
  readonly matched: number;
  /** matched / planned (1 when fully paired; 1 for an empty plan). */
  readonly match: number;
  /** Fraction of scored stream positions scored by more than one planned window (0 when none). */
  readonly overlap: number;
  readonly problems: readonly PairingProblem[];
}
