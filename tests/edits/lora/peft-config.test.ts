import { describe, expect, it } from 'vitest';
import { parsePeftLoraConfig } from '../../../src/edits/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';

const SOURCE = 'adapter/adapter_config.json';

function problemsOf(raw: unknown): readonly unknown[] {
  try {
    parsePeftLoraConfig(raw, { source: SOURCE });
  } catch (error) {
    if (isInvarlockError(error, 'E_LORA_INVALID') && Array.isArray(error.details.problems)) return error.details.problems;
    throw error;
  }
  throw new Error('expected E_LORA_INVALID');
}

describe('parsePeftLoraConfig', () => {
  it('reads a PEFT LoRA config with a module list', () => {
    const config = parsePeftLoraConfig(
      { peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['c_attn', 'c_proj'], fan_in_fan_out: true, lora_dropout: 0.05, bias: 'none', task_type: 'CAUSAL_LM' },
      { source: SOURCE },
    );
    expect(config).toEqual({
      peftType: 'LORA',
      r: 8,
      loraAlpha: 16,
      targetModules: { kind: 'list', names: ['c_attn', 'c_proj'] },
      fanInFanOut: true,
      useRslora: false,
      modulesToSave: [],
      rankPattern: {},
      alphaPattern: {},
    });
  });

  it('reads a regex target_modules, rsLoRA, modules_to_save and rank/alpha patterns', () => {
    const config = parsePeftLoraConfig(
      { peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: '.*\\.(q|v)_proj', use_rslora: true, modules_to_save: ['lm_head'], rank_pattern: { q_proj: 2 }, alpha_pattern: { 'layers\\.0\\.q_proj': 3 } },
      { source: SOURCE },
    );
    expect(config.targetModules).toEqual({ kind: 'regex', pattern: '.*\\.(q|v)_proj' });
    expect(config.useRslora).toBe(true);
    expect(config.modulesToSave).toEqual(['lm_head']);
    expect(config.rankPattern).toEqual({ q_proj: 2 });
    expect(config.alphaPattern).toEqual({ 'layers\\.0\\.q_proj': 3 });
  });

  it('lists every invalid field with E_LORA_INVALID', () => {
    expect(problemsOf({ peft_type: 'IA3', r: 0, lora_alpha: 'x', target_modules: [] })).toHaveLength(4);
  });

  it('refuses DoRA and trained LoRA biases, which W + s·B·A cannot express', () => {
    expect(problemsOf({ peft_type: 'LORA', r: 2, lora_alpha: 2, target_modules: ['q'], use_dora: true })).toHaveLength(1);
    expect(problemsOf({ peft_type: 'LORA', r: 2, lora_alpha: 2, target_modules: ['q'], lora_bias: true })).toHaveLength(1);
  });

  it('refuses a regex that does not compile and a config that is not an object', () => {
    expect(problemsOf({ peft_type: 'LORA', r: 2, lora_alpha: 2, target_modules: '(' })).toHaveLength(1);
    expect(() => parsePeftLoraConfig([1], { source: SOURCE })).toThrowError(expect.objectContaining({ code: 'E_LORA_INVALID', details: { file: SOURCE } }));
  });
});
