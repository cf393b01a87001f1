import { InvarlockError } from '../../errors/index.js';
import type { PeftLoraConfig, PeftTargetModules } from '../types.js';

/** Options of {@link parsePeftLoraConfig}. */
export interface ParsePeftConfigOptions {
  /** File name for error details. */
  readonly source: string;
}

/**
 * Reads PEFT's `adapter_config.json` (already JSON-parsed) into a {@link PeftLoraConfig}: `peft_type`
 * must be LORA; `r` a positive integer; `lora_alpha` a finite number; `target_modules` a list of
 * names or one regex string. Optional: `fan_in_fan_out`, `use_rslora` (default false),
 * `modules_to_save` (default none), `rank_pattern`/`alpha_pattern` (default none). DoRA
 * (`use_dora: true`) and trained LoRA biases (`lora_bias: true`) cannot be merged as W + s·B·A and are refused.
 * @throws InvarlockError `E_LORA_INVALID` with `details.file` and `details.problems` listing every bad field.
 */
export function parsePeftLoraConfig(raw: unknown, options: ParsePeftConfigOptions): PeftLoraConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvarlockError('E_LORA_INVALID', `${options.source}: adapter config is not a JSON object`, { details: { file: options.source } });
  }
  const fields: Record<string, unknown> = Object.fromEntries(Object.entries(raw));
  const problems: string[] = [];
  const peftType = fields['peft_type'];
  if (peftType !== 'LORA') problems.push(`peft_type must be "LORA", got ${JSON.stringify(peftType)}`);
  const r = fields['r'];
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1) problems.push(`r must be a positive integer, got ${JSON.stringify(r)}`);
  const alpha = fields['lora_alpha'];
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) problems.push(`lora_alpha must be a number, got ${JSON.stringify(alpha)}`);
  const targetModules = parseTargetModules(fields['target_modules'], problems);
  const fanInFanOut = parseFlag(fields, 'fan_in_fan_out', problems);
  const useRslora = parseFlag(fields, 'use_rslora', problems);
  if (parseFlag(fields, 'use_dora', problems)) problems.push('use_dora is true: DoRA adapters are not supported');
  const loraBias = fields['lora_bias'];
  if (loraBias === true) problems.push('lora_bias is true: adapters with trained LoRA biases are not supported');
  const modulesToSave = parseNames(fields['modules_to_save'], 'modules_to_save', problems);
  const rankPattern = parseNumberMap(fields['rank_pattern'], 'rank_pattern', problems);
  const alphaPattern = parseNumberMap(fields['alpha_pattern'], 'alpha_pattern', problems);
  if (problems.length > 0 || typeof r !== 'number' || typeof alpha !== 'number' || targetModules === undefined) {
    throw new InvarlockError('E_LORA_INVALID', `${options.source}: adapter config is invalid: ${problems[0] ?? 'target_modules missing'}`, {
      details: { file: options.source, problems },
    });
  }
  return { peftType: 'LORA', r, loraAlpha: alpha, targetModules, fanInFanOut, useRslora, modulesToSave, rankPattern, alphaPattern };
}

function parseTargetModules(raw: unknown, problems: string[]): PeftTargetModules | undefined {
  if (typeof raw === 'string') {
    if (compiles(raw)) return { kind: 'regex', pattern: raw };
    problems.push(`target_modules regex ${JSON.stringify(raw)} does not compile`);
    return undefined;
  }
  if (Array.isArray(raw) && raw.length > 0 && raw.every((name) => typeof name === 'string')) {
    return { kind: 'list', names: raw.map(String) };
  }
  problems.push('target_modules must be a non-empty list of module names or a regex string');
  return undefined;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function parseFlag(fields: Readonly<Record<string, unknown>>, key: string, problems: string[]): boolean {
  const value = fields[key];
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  problems.push(`${key} must be true or false, got ${JSON.stringify(value)}`);
  return false;
}

function parseNames(raw: unknown, key: string, problems: string[]): string[] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw) && raw.every((name) => typeof name === 'string')) return raw.map(String);
  problems.push(`${key} must be a list of module names`);
  return [];
}

function parseNumberMap(raw: unknown, key: string, problems: string[]): Record<string, number> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${key} must map module patterns to numbers`);
    return {};
  }
  const out: Record<string, number> = {};
  for (const [pattern, value] of Object.entries(raw)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      problems.push(`${key}.${pattern} must be a positive number`);
    } else if (!compiles(pattern)) {
      problems.push(`${key} key ${JSON.stringify(pattern)} is not a valid regex`);
    } else {
      out[pattern] = value;
    }
  }
  return out;
}

/**
 * True when PEFT would target `module` (a path without the `base_model.model.` prefix): a list entry
 * equal to the path or to its last dotted segments, or a regex (Python `re.fullmatch` semantics) matching the whole path.
 * @internal
 */
export function isTargetModule(module: string, targets: PeftTargetModules): boolean {
  if (targets.kind === 'regex') return new RegExp(`^(?:${targets.pattern})$`).test(module);
  return targets.names.some((name) => module === name || module.endsWith(`.${name}`));
}

/**
 * The value of the first `rank_pattern`/`alpha_pattern` key that matches `module` the way PEFT's
 * `get_pattern_key` does (regex `(.*\.)?key$`), or `fallback`.
 * @internal
 */
export function patternValue(module: string, patterns: Readonly<Record<string, number>>, fallback: number): number {
  for (const [pattern, value] of Object.entries(patterns)) {
    if (new RegExp(`^(?:.*\\.)?(?:${pattern})$`).test(module)) return value;
  }
  return fallback;
}
