/**
 * The calibration's subjects: the edits users make (meant to be harmless) and damage (meant to be
 * harmful). What a case is *meant* to be is its `intent`; whether a gate should pass or stop it in a
 * tier is decided by its measured harm (harm.ts: the true perplexity ratio on all of WikiText-2
 * valid, against the tier's limit), not by the intent. Built-in edits run in edit mode (one certify
 * each); everything else is a given subject of one compare-mode certify per (fixture, seed): the
 * quantized twins shipped with the fixtures, models written by `materialise.ts`, PEFT adapters.
 */

/** What the case's edit is meant to be: an edit users make, or damage. */
export type CaseIntent = 'benign' | 'harmful';

/**
 * Whether a gate should pass a run (benign), stop it (harmful), or neither is required because its
 * true harm lies within the margin around the tier's limit (grey: reported, excluded from rates).
 */
export type CaseClass = 'benign' | 'harmful' | 'grey';

/** How a case's subject is made. */
export type CaseSubject =
  | { readonly kind: 'edit'; readonly name: 'quant_rtn' | 'noop'; readonly config: Readonly<Record<string, unknown>> }
  /** `tests/fixtures/models/<fixture>-<suffix>`, an exported quantized or fp16 twin. */
  | { readonly kind: 'twin'; readonly suffix: string }
  /** Every weight matrix rounded to bfloat16 (round to nearest even), stored as float32. */
  | { readonly kind: 'bf16' }
  /** Every linear weight of block `variant mod blocks` multiplied by `factor`. */
  | { readonly kind: 'scaled-block'; readonly factor: number }
  /** Every linear weight of block `variant mod blocks` set to zero. */
  | { readonly kind: 'zeroed-block' }
  /** Gaussian noise with σ = relative · std(W) on every weight matrix, drawn from the variant. */
  | { readonly kind: 'noise'; readonly relative: number }
  /** The fixture's PEFT adapter (`tests/fixtures/lora/<fixture>-lora`) with `lora_alpha` replaced (null: as shipped). */
  | { readonly kind: 'lora-alpha'; readonly alpha: number | null };

/** One row of the calibration. */
export interface CalibrationCase {
  /** Stable id: part of every outcome and of the digest. */
  readonly id: string;
  readonly intent: CaseIntent;
  /**
   * Broken weights (a block zeroed): harmful in every tier whatever the perplexity says, because
   * the model no longer computes what it was trained to.
   */
  readonly broken: boolean;
  readonly subject: CaseSubject;
  readonly description: string;
}

/**
 * Seeded subjects come in {@link VARIANTS} variants (variant = seed mod VARIANTS): the block a
 * block case edits is `variant mod blocks`, the noise stream is drawn from the variant. A few
 * variants keep the true-harm measurement affordable (one full evaluation per variant) while the
 * seeds still vary the windows and the bootstrap.
 */
export const VARIANTS = 3;

/** Whether a case's subject depends on the seed's variant. */
export function isSeeded(c: CalibrationCase): boolean {
  return c.subject.kind === 'scaled-block' || c.subject.kind === 'zeroed-block' || c.subject.kind === 'noise';
}

const rtn = (id: string, intent: CaseIntent, bits: number, groupSize: number, scope: 'all' | 'ffn', what: string): CalibrationCase => ({
  id,
  intent,
  broken: false,
  subject: { kind: 'edit', name: 'quant_rtn', config: { bits, ...(groupSize > 0 ? { group_size: groupSize } : {}), scope } },
  description: `built-in quant_rtn, ${bits} bit, ${groupSize > 0 ? `groups of ${groupSize} input columns` : 'per output channel'}, scope ${scope}${what}`,
});

const twin = (suffix: string, what: string): CalibrationCase => ({
  id: `twin_${suffix.replace(/-/g, '_')}`,
  intent: 'benign',
  broken: false,
  subject: { kind: 'twin', suffix },
  description: `exported ${what} twin (compare mode)`,
});

const noise = (pct: number): CalibrationCase => ({
  id: `noise_${pct}pct`,
  intent: 'harmful',
  broken: false,
  subject: { kind: 'noise', relative: pct / 100 },
  description: `Gaussian noise σ = ${pct / 100}·std(W) on every weight matrix incl. embeddings, stream drawn from the variant (compare mode)`,
});

/** Every case, users' edits first, in the order the tables list them. */
export const CASES: readonly CalibrationCase[] = Object.freeze([
  { id: 'noop', intent: 'benign', broken: false, subject: { kind: 'edit', name: 'noop', config: {} }, description: 'built-in noop edit' },
  twin('fp16', 'fp16'),
  { id: 'bf16', intent: 'benign', broken: false, subject: { kind: 'bf16' }, description: 'every weight matrix rounded to bfloat16, stored as float32 (compare mode)' },
  rtn('rtn_int8', 'benign', 8, 0, 'all', ''),
  twin('int8-qdq', 'int8 QDQ'),
  twin('int8-dynamic', 'dynamic int8'),
  twin('int4', 'MatMulNBits int4 block 32'),
  twin('int4-b64', 'MatMulNBits int4 block 64'),
  twin('int4-b128', 'MatMulNBits int4 block 128'),
  rtn('rtn_int4_g32', 'benign', 4, 32, 'all', ''),
  rtn('rtn_int4_g64', 'benign', 4, 64, 'all', ''),
  rtn('rtn_int4_g128', 'benign', 4, 128, 'all', ''),
  rtn('rtn_int4_g128_ffn', 'benign', 4, 128, 'ffn', ' (the MLP weights, the default scope)'),
  { id: 'lora_alpha8', intent: 'benign', broken: false, subject: { kind: 'lora-alpha', alpha: null }, description: 'the fixture PEFT adapter as shipped (r 4, alpha 8), merged (compare mode)' },
  rtn('rtn_int3_ffn', 'harmful', 3, 0, 'ffn', ' (the MLP weights, the default scope)'),
  rtn('rtn_int3', 'harmful', 3, 0, 'all', ''),
  rtn('rtn_int2', 'harmful', 2, 0, 'all', ''),
  {
    id: 'scale_block_1.5',
    intent: 'harmful',
    broken: false,
    subject: { kind: 'scaled-block', factor: 1.5 },
    description: 'every linear weight of block (variant mod blocks) × 1.5 (compare mode)',
  },
  { id: 'zero_block', intent: 'harmful', broken: true, subject: { kind: 'zeroed-block' }, description: 'every linear weight of block (variant mod blocks) zeroed: broken weights (compare mode)' },
  {
    id: 'lora_huge_alpha',
    intent: 'harmful',
    broken: false,
    subject: { kind: 'lora-alpha', alpha: 8000 },
    description: 'the fixture PEFT adapter (r 4, alpha 8) with lora_alpha 8000, merged (compare mode)',
  },
  noise(5),
  noise(10),
  noise(20),
  noise(40),
]);

/** The cases with the given ids, in catalogue order. @throws Error naming an unknown id. */
export function selectCases(ids: readonly string[] | 'all'): CalibrationCase[] {
  if (ids === 'all') return [...CASES];
  const known = new Set(CASES.map((c) => c.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new Error(`unknown calibration case(s): ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return CASES.filter((c) => ids.includes(c.id));
}

/** The cases a smoke run uses: two users' edits, two kinds of damage, one compare-mode subject among them. */
export const SMOKE_CASE_IDS: readonly string[] = Object.freeze(['noop', 'rtn_int8', 'rtn_int2', 'scale_block_1.5']);
