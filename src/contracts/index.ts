/**
 * The door to the JSON contracts in `contracts/`: schema compilation (ajv, draft 2020-12) used by
 * every layer that reads a contract or validates a boundary record. This is the only module that
 * imports ajv.
 */
export { compileSchema, formatSchemaErrors, type SchemaValidator, type ValidateContext } from './schema-validator.js';
export { canonicalJson, sha256Hex } from './canonical-json.js';
export { PROFILE_NAMES, TIER_NAMES, type ProfileName, type TierName } from './policy-names.js';
