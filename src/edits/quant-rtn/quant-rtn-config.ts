import { InvarlockError } from '../../errors/index.js';
import { QUANT_SCOPES, type QuantRtnConfig } from '../types.js';

/**
 * Defaults of `quant_rtn`: 8 bits, one scale per output channel, no clip, FFN weights only, no
 * module cap. Each documented `@default` of {@link QuantRtnConfig} is checked against this in tests.
 */
export const QUANT_RTN_DEFAULTS: QuantRtnConfig = Object.freeze({
  bits: 8,
  groupSize: 0,
  clampRatio: 0,
  scope: 'ffn',
  maxModules: 0,
});

/**
 * Fills `partial` with {@link QUANT_RTN_DEFAULTS} and checks every field.
 * @throws InvarlockError `E_EDIT_CONFIG` listing every invalid field (`details.problems`, `details.field` = the first).
 */
export function resolveQuantRtnConfig(partial: Partial<QuantRtnConfig> = {}): QuantRtnConfig {
  const config: QuantRtnConfig = { ...QUANT_RTN_DEFAULTS, ...partial };
  const problems: { field: string; message: string }[] = [];
  if (!Number.isInteger(config.bits) || config.bits < 2 || config.bits > 8) {
    problems.push({ field: 'bits', message: `bits must be an integer in 2..8, got ${config.bits}` });
  }
  if (!Number.isInteger(config.groupSize) || config.groupSize < 0) {
    problems.push({ field: 'groupSize', message: `groupSize must be a non-negative integer (0 = per row), got ${config.groupSize}` });
  }
  if (!Number.isFinite(config.clampRatio) || config.clampRatio < 0 || config.clampRatio >= 1) {
    problems.push({ field: 'clampRatio', message: `clampRatio must be in [0, 1), got ${config.clampRatio}` });
  }
  if (!QUANT_SCOPES.includes(config.scope)) {
    problems.push({ field: 'scope', message: `scope must be ${QUANT_SCOPES.join(', ')}, got ${String(config.scope)}` });
  }
  if (!Number.isInteger(config.maxModules) || config.maxModules < 0) {
    problems.push({ field: 'maxModules', message: `maxModules must be a non-negative integer (0 = no cap), got ${config.maxModules}` });
  }
  const first = problems[0];
  if (first !== undefined) {
    throw new InvarlockError('E_EDIT_CONFIG', `quant_rtn configuration is invalid: ${first.message}`, {
      details: { field: first.field, problems: problems.map((p) => `${p.field}: ${p.message}`) },
    });
  }
  return config;
}
