import tiersJson from '../../../contracts/tiers.json' with { type: 'json' };
import tiersSchema from '../../../contracts/tiers.schema.json' with { type: 'json' };
import { compileSchema, type SchemaValidator } from '../../contracts/index.js';
import type { Policy, TiersFile } from './types.js';

let tiersValidator: SchemaValidator<TiersFile> | undefined;
let policyValidator: SchemaValidator<Policy> | undefined;
let loaded: TiersFile | undefined;

/**
 * Parses a value against `contracts/tiers.schema.json`. Throws `E_CONTRACT_INVALID` listing every
 * problem (`details.problems`). Used on the bundled file; exported for tests and tooling.
 */
export function parseTiersFile(value: unknown, source: string): TiersFile {
  tiersValidator ??= compileSchema<TiersFile>(tiersSchema);
  return tiersValidator(value, { source, code: 'E_CONTRACT_INVALID' });
}

/**
 * The bundled `contracts/tiers.json`, validated on first use (then cached) and deep-frozen.
 * Throws `E_CONTRACT_INVALID` when the bundled file does not match its schema (a packaging bug).
 */
export function loadTiers(): TiersFile {
  loaded ??= deepFreeze(parseTiersFile(structuredClone(tiersJson), 'contracts/tiers.json'));
  return loaded;
}

/**
 * Validates a resolved policy against `contracts/tiers.schema.json#/$defs/policy`, throwing `code`
 * with every problem listed.
 * @internal
 */
export function checkPolicy(value: unknown, source: string, code: 'E_CONFIG_INVALID' | 'E_INTERNAL'): Policy {
  policyValidator ??= compileSchema<Policy>({ $ref: `${tiersSchema.$id}#/$defs/policy` }, { references: [tiersSchema] });
  return policyValidator(value, { source, code });
}

/** Freezes a JSON-shaped value and everything in it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
