import { parsePeftAdapter, type LoraAdapter } from '../../../src/edits/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';
import { randomData } from '../../guards/weights-fixture.js';
import { writeSafetensors, type TensorSpec } from './safetensors-writer.js';

const encoder = new TextEncoder();
export const HIDDEN = 16;

export interface LoraSpec {
  readonly module: string;
  readonly rows: number;
  readonly cols: number;
  readonly rank?: number;
  readonly seed: number;
}

/** Tensors of a PEFT adapter (A [r, in], B [out, r]) with seeded values. */
export function loraTensors(specs: readonly LoraSpec[], r: number): TensorSpec[] {
  return specs.flatMap((s) => [
    { name: `base_model.model.${s.module}.lora_A.weight`, dtype: 'F32' as const, shape: [s.rank ?? r, s.cols], values: [...randomData(s.rank ?? r, s.cols, s.seed, 0.5)] },
    { name: `base_model.model.${s.module}.lora_B.weight`, dtype: 'F32' as const, shape: [s.rows, r], values: [...randomData(s.rows, r, s.seed + 1, 0.5)] },
  ]);
}

export function adapterOf(config: Record<string, unknown>, tensors: readonly TensorSpec[], source = 'mem'): LoraAdapter {
  return parsePeftAdapter({ source, configBytes: encoder.encode(JSON.stringify(config)), safetensorsBytes: writeSafetensors(tensors) });
}

export const BASE_CONFIG = { peft_type: 'LORA', r: 2, lora_alpha: 4, target_modules: ['c_attn', 'c_fc'], fan_in_fan_out: true };

export function codeAndDetails(fn: () => unknown): { code: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    if (isInvarlockError(error)) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('expected an InvarlockError');
}

