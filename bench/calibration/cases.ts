/**
 * The calibration's subjects: benign edits a gate must let through and harmful edits it must stop.
 * Built-in edits run in edit mode (one certify each, the variance guard in edit mode); everything
 * else is a given subject of one compare-mode certify per (fixture, seed, tier): the quantized
 * twins shipped with the fixtures, models written by `materialise.ts`, and a PEFT adapter variant.
 */

/** Whether a gate should pass the subject (benign) or stop it (harmful). */
export type CaseClass = 'benign' | 'harmful';

/** How a case's subject is made. */
export type CaseSubject =
  | { readonly kind: 'edit'; readonly name: 'quant_rtn' | 'noop'; readonly config: Readonly<Record<string, unknown>> }
  /** `tests/fixtures/models/<fixture>-<suffix>`, an exported quantized or fp16 twin. */
  | { readonly kind: 'twin'; readonly suffix: string }
  /** Every linear weight of block `seed mod blocks` multiplied by `factor`. */
  | { readonly kind: 'scaled-block'; readonly factor: number }
  /** Every linear weight of block `seed mod blocks` set to zero. */
  | { readonly kind: 'zeroed-block' }
  /** Gaussian noise with σ = relative · std(W) on every weight matrix, drawn from the run seed. */
  | { readonly kind: 'noise'; readonly relative: number }
  /** The fixture's PEFT adapter (`tests/fixtures/lora/<fixture>-lora`) with `lora_alpha` replaced. */
  | { readonly kind: 'lora-alpha'; readonly alpha: number };

/** One row of the calibration. */
export interface CalibrationCase {
  /** Stable id: part of every outcome and of the digest. */
  readonly id: string;
  readonly class: CaseClass;
  readonly subject: CaseSubject;
  readonly description: string;
}

/** Every case, benign first, in the order the tables list them. */
export const CASES: readonly CalibrationCase[] = Object.freeze([
  { id: 'noop', class: 'benign', subject: { kind: 'edit', name: 'noop', config: {} }, description: 'built-in noop edit' },
  {
    id: 'rtn_int8',
    class: 'benign',
    subject: { kind: 'edit', name: 'quant_rtn', config: { bits: 8, scope: 'all' } },
    description: 'built-in quant_rtn, 8 bit, per output channel, scope all',
  },
  { id: 'twin_int8_qdq', class: 'benign', subject: { kind: 'twin', suffix: 'int8-qdq' }, description: 'exported int8 QDQ twin (compare mode)' },
  { id: 'twin_int8_dynamic', class: 'benign', subject: { kind: 'twin', suffix: 'int8-dynamic' }, description: 'exported dynamic int8 twin (compare mode)' },
  { id: 'twin_int4', class: 'benign', subject: { kind: 'twin', suffix: 'int4' }, description: 'exported MatMulNBits int4 twin (compare mode)' },
  { id: 'twin_fp16', class: 'benign', subject: { kind: 'twin', suffix: 'fp16' }, description: 'exported fp16 twin (compare mode)' },
  {
    id: 'rtn_int2',
    class: 'harmful',
    subject: { kind: 'edit', name: 'quant_rtn', config: { bits: 2, scope: 'all' } },
    description: 'built-in quant_rtn, 2 bit, per output channel, scope all',
  },
  {
    id: 'rtn_int3',
    class: 'harmful',
    subject: { kind: 'edit', name: 'quant_rtn', config: { bits: 3, scope: 'all' } },
    description: 'built-in quant_rtn, 3 bit, per output channel, scope all',
  },
  {
    id: 'scale_block_1.5',
    class: 'harmful',
    subject: { kind: 'scaled-block', factor: 1.5 },
    description: 'every linear weight of block (seed mod blocks) × 1.5 (compare mode)',
  },
  {
    id: 'noise_10pct',
    class: 'harmful',
    subject: { kind: 'noise', relative: 0.1 },
    description: 'Gaussian noise σ = 0.1·std(W) on every weight matrix incl. embeddings, seeded by the run seed (compare mode)',
  },
  { id: 'zero_block', class: 'harmful', subject: { kind: 'zeroed-block' }, description: 'every linear weight of block (seed mod blocks) zeroed (compare mode)' },
  {
    id: 'lora_huge_alpha',
    class: 'harmful',
    subject: { kind: 'lora-alpha', alpha: 8000 },
    description: 'the fixture PEFT adapter (r 4, alpha 8) with lora_alpha 8000, merged (compare mode)',
  },
]);

/** The cases with the given ids, in catalogue order. @throws Error naming an unknown id. */
export function selectCases(ids: readonly string[] | 'all'): CalibrationCase[] {
  if (ids === 'all') return [...CASES];
  const known = new Set(CASES.map((c) => c.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new Error(`unknown calibration case(s): ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return CASES.filter((c) => ids.includes(c.id));
}

/** The cases a smoke run uses: two benign, two harmful, one compare-mode subject among them. */
export const SMOKE_CASE_IDS: readonly string[] = Object.freeze(['noop', 'rtn_int8', 'rtn_int2', 'scale_block_1.5']);
