import { createHash } from 'node:crypto';
import type { WeightMatrix } from '../../edits/index.js';
import { statusOf } from '../guard-status.js';
import type { GuardResult, GuardViolation, InvariantsInput, InvariantsPolicy, InvariantsSide, WeightDescriptor } from '../types.js';

/** What the invariants guard measured. */
export interface InvariantsMeasurements {
  readonly tensors: { readonly baseline: number; readonly subject: number };
  readonly paramCount: { readonly baseline: number; readonly subject: number };
  /** sha256 of the sorted `role:layer:rows×cols` lines of each model. */
  readonly structureHash: { readonly baseline: string; readonly subject: string };
  readonly tokenizerHash: { readonly baseline: string; readonly subject: string };
  /**
   * Tied pairs of the baseline (`key → tiedWith`) and whether the subject keeps each: bit for bit,
   * or `quantizedApart` (its two uses stored as separately quantized copies of one matrix, see `tiesOf`).
   */
  readonly ties: readonly { readonly key: string; readonly tiedWith: string; readonly isKept: boolean; readonly quantizedApart?: true }[];
  /** Tensors with NaN or ±Inf, by model. */
  readonly nonFiniteTensors: readonly { readonly model: 'baseline' | 'subject'; readonly key: string; readonly count: number }[];
}

/**
 * The invariants guard (ALGORITHMS.md §5). Fatal: a NaN/Inf in any weight of either model
 * (`nonfinite_weights`, naming the tensor); a different tokenizer hash (`tokenizer_changed`) or
 * vocabulary size, i.e. embedding or lm_head rows (`vocab_size_changed`); a baseline weight missing
 * from the subject (`module_missing`). Warnings (fatal in `strict`): parameter count changed
 * (`param_count_changed`), a tie broken (`tying_broken`: the subject's pair no longer holds equal
 * data), a norm missing (`norm_missing`), a paired weight reshaped (`shape_changed`), the logical
 * structure hash changed (`structure_changed`). With `vocabulary: 'own'` the tokenizer and the
 * vocabulary size may differ (the parameter count and structure warnings still say so). Records carry logical shapes, so a quantized subject
 * compares by them; physical op changes never reach this guard.
 */
export function evaluateInvariants(input: InvariantsInput, policy: InvariantsPolicy): GuardResult<InvariantsMeasurements> {
  const violations: GuardViolation[] = [];
  const warn = policy.mode === 'strict' ? 'fatal' : 'warning';
  const baseline = new Map(input.baseline.weights.map((w) => [w.key, w]));
  const subject = new Map(input.subject.weights.map((w) => [w.key, w]));
  const nonFiniteTensors: { model: 'baseline' | 'subject'; key: string; count: number }[] = [];
  for (const [model, side] of [['baseline', input.baseline], ['subject', input.subject]] as const) {
    for (const weight of side.weights) {
      const { count, first } = 'data' in weight ? countNonFinite(weight.data) : { count: weight.nonFinite, first: weight.firstNonFinite };
      if (count === 0) continue;
      nonFiniteTensors.push({ model, key: weight.key, count });
      violations.push(violation('nonfinite_weights', 'fatal', weight, `${model} ${weight.module} has ${count} NaN/Inf value(s), the first at index ${first}`, count, 0));
    }
  }
  const sharedVocabulary = input.vocabulary !== 'own';
  if (sharedVocabulary && input.baseline.tokenizerHash !== input.subject.tokenizerHash) {
    violations.push(modelViolation('tokenizer_changed', 'fatal', `tokenizer hash differs: ${input.baseline.tokenizerHash} → ${input.subject.tokenizerHash}`));
  }
  for (const [key, base] of baseline) {
    const other = subject.get(key);
    if (other === undefined) {
      const isNorm = base.role === 'norm';
      violations.push(violation(isNorm ? 'norm_missing' : 'module_missing', isNorm ? warn : 'fatal', base, `${base.module} is missing from the subject`, null, null));
      continue;
    }
    const isVocabulary = base.role === 'embed_tokens' || base.role === 'lm_head';
    if (isVocabulary && base.rows !== other.rows) {
      if (sharedVocabulary) violations.push(violation('vocab_size_changed', 'fatal', base, `${base.module} has ${other.rows} rows, the baseline ${base.rows}`, other.rows, base.rows));
    } else if (base.rows !== other.rows || base.cols !== other.cols) {
      violations.push(violation('shape_changed', warn, base, `${base.module} is ${other.rows}x${other.cols}, the baseline ${base.rows}x${base.cols}`, other.rows * other.cols, base.rows * base.cols));
    }
  }
  const ties = tiesOf(baseline, subject, input.subject.quantizedBits ?? new Map<string, number>());
  for (const tie of ties) {
    const base = baseline.get(tie.key);
    // Named by module (`lm_head is no longer tied to transformer.wte`): keys can be exporter-made initializer names.
    const partner = baseline.get(tie.tiedWith)?.module ?? tie.tiedWith;
    if (!tie.isKept && base !== undefined) violations.push(violation('tying_broken', warn, base, `${base.module} is no longer tied to ${partner}`, null, null));
  }
  const paramCount = { baseline: paramCountOf(input.baseline), subject: paramCountOf(input.subject) };
  if (paramCount.baseline !== paramCount.subject) {
    violations.push(modelViolation('param_count_changed', warn, `parameter count ${paramCount.baseline} → ${paramCount.subject}`, paramCount.subject, paramCount.baseline));
  }
  const structureHash = { baseline: structureHashOfSide(input.baseline), subject: structureHashOfSide(input.subject) };
  if (structureHash.baseline !== structureHash.subject) {
    violations.push(modelViolation('structure_changed', warn, 'the logical structure (role, layer, shape of every weight) changed'));
  }
  const status = statusOf(violations);
  const fatal = violations.find((v) => v.severity === 'fatal');
  return {
    guard: 'invariants',
    status,
    evaluated: true,
    ...(fatal === undefined ? {} : { reason: fatal.message }),
    measurements: {
      tensors: { baseline: input.baseline.weights.length, subject: input.subject.weights.length },
      paramCount,
      structureHash,
      tokenizerHash: { baseline: input.baseline.tokenizerHash, subject: input.subject.tokenizerHash },
      ties,
      nonFiniteTensors,
    },
    violations,
  };
}

/**
 * sha256 (hex) of the sorted lines `role:layer:rows×cols` (layer `-` outside the blocks), one per weight.
 */
export function structureHashOf(weights: readonly WeightDescriptor[]): string {
  return hashLines(weights.map((w) => `${w.role}:${w.layer ?? '-'}:${w.rows}x${w.cols}`));
}

function structureHashOfSide(side: InvariantsSide): string {
  return side.structureLines === undefined ? structureHashOf(side.weights) : hashLines(side.structureLines);
}

function hashLines(lines: readonly string[]): string {
  return createHash('sha256').update([...lines].sort().join('\n')).digest('hex');
}

function paramCountOf(side: InvariantsSide): number {
  return side.paramCount ?? side.weights.reduce((sum, w) => sum + w.rows * w.cols, 0);
}

/**
 * The baseline's ties, each checked in the subject. A shared initializer decodes to the same values,
 * so equal data keeps a tie; markers alone prove nothing.
 *
 * A quantizer may also store the two uses apart: onnxruntime's QDQ and MatMulNBits quantizers
 * quantize the lm_head's MatMul and leave the embedding's Gather float (or quantize both with
 * different granularity), so the deployed model holds two copies that are no longer bit-equal.
 * That is how such models ship, not a defect: the damage rounding does is what the primary metric
 * and the spectral and RMT guards measure. So a pair with a quantized use whose two copies differ by
 * no more than that quantizer's rounding of one matrix still counts as kept (`quantizedApart`). The
 * bound is what round-to-nearest can move a value, at any granularity, symmetric or not: a scale
 * covers at most the tensor's range, so one copy moves at most max|W| / (2^bits − 2); two
 * quantized copies add their bounds. An edit that changes one use by more (a fine-tuned lm_head,
 * a quantizer clipping one copy) still breaks the tie and warns.
 */
function tiesOf(baseline: ReadonlyMap<string, WeightDescriptor>, subject: ReadonlyMap<string, WeightMatrix>, quantizedBits: ReadonlyMap<string, number>) {
  const ties: { key: string; tiedWith: string; isKept: boolean; quantizedApart?: true }[] = [];
  for (const base of baseline.values()) {
    // Each tie once, from the side with the smaller key.
    if (base.tiedWith === undefined || !baseline.has(base.tiedWith) || base.key > base.tiedWith) continue;
    const a = subject.get(base.key);
    const b = subject.get(base.tiedWith);
    if (a === undefined || b === undefined) {
      ties.push({ key: base.key, tiedWith: base.tiedWith, isKept: false });
    } else if (a.data === b.data || isSameData(a, b)) {
      ties.push({ key: base.key, tiedWith: base.tiedWith, isKept: true });
    } else if (isWithinRounding(a, b, quantizedBits)) {
      ties.push({ key: base.key, tiedWith: base.tiedWith, isKept: true, quantizedApart: true });
    } else {
      ties.push({ key: base.key, tiedWith: base.tiedWith, isKept: false });
    }
  }
  return ties;
}

/** Relative slack on the rounding bound for float32 arithmetic in the dequantization (scale · q). */
const ROUNDING_SLACK = 1e-4;

/** True when `a` and `b` (one or both stored quantized) differ by no more than their quantizers' rounding (see `tiesOf`). */
function isWithinRounding(a: WeightMatrix, b: WeightMatrix, quantizedBits: ReadonlyMap<string, number>): boolean {
  if (a.rows !== b.rows || a.cols !== b.cols) return false;
  let bound = 0;
  for (const side of [a, b]) {
    const bits = quantizedBits.get(side.key);
    if (bits !== undefined && bits >= 2) bound += maxAbs(side.data) / (2 ** bits - 2);
  }
  if (bound === 0) return false;
  const limit = bound * (1 + ROUNDING_SLACK);
  for (let i = 0; i < a.data.length; i++) if (!(Math.abs(a.data[i]! - b.data[i]!) <= limit)) return false;
  return true;
}

function maxAbs(data: Float32Array): number {
  let max = 0;
  for (let i = 0; i < data.length; i++) max = Math.max(max, Math.abs(data[i]!));
  return max;
}

function isSameData(a: WeightMatrix, b: WeightMatrix): boolean {
  if (a.rows !== b.rows || a.cols !== b.cols) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/** NaN/±Inf values of one weight: their count and the index of the first (−1 when none). @internal */
export function countNonFinite(data: Float32Array): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    // x − x is NaN exactly for NaN and ±Inf: one cheap test per value.
    if (data[i] - data[i] !== 0) {
      if (first < 0) first = i;
      count++;
    }
  }
  return { count, first };
}

function violation(code: string, severity: GuardViolation['severity'], w: WeightDescriptor, message: string, value: number | null, threshold: number | null): GuardViolation {
  return { code, severity, key: w.key, module: w.module, family: w.family, message, value, threshold };
}

function modelViolation(code: string, severity: GuardViolation['severity'], message: string, value: number | null = null, threshold: number | null = null): GuardViolation {
  return { code, severity, key: null, module: null, family: null, message, value, threshold };
}
