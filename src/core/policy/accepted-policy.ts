import { InvarlockError } from '../../errors/index.js';
import type { AcceptedPolicy } from '../../report/index.js';
import { checkPolicy, loadTiers } from './load-tiers.js';
import { PROFILE_NAMES, resolvePolicy, TIER_NAMES } from './resolve-policy.js';
import type { Policy, TiersFile } from './types.js';

/**
 * The policies a verifier accepts (issue 13): a certificate states its own policy, and a policy
 * the certificate states about itself proves nothing, so `verify` compares it with one of these.
 */

/** The bundled policy of a tier and profile (`contracts/tiers.json`, no overrides); undefined for a name it lacks. */
export function bundledPolicy(tier: string, profile: string): Policy | undefined {
  if (!TIER_NAMES.some((t) => t === tier) || !PROFILE_NAMES.some((p) => p === profile)) return undefined;
  return resolvePolicy({ tier, profile });
}

/** Accept the bundled tiers' policy for the tier and profile a certificate records: `verify`'s default. */
export const BUNDLED_POLICIES: AcceptedPolicy = Object.freeze({ kind: 'lookup', source: 'contracts/tiers.json', policyFor: bundledPolicy, ...sequentialAllowance() });

/** Accept exactly this tier and profile's bundled policy, whatever the certificate records (the Action's publisher mode). */
export function configuredPolicy(tier: string, profile: string): AcceptedPolicy {
  return { kind: 'fixed', source: `the configured ${tier}/${profile} (contracts/tiers.json)`, policy: resolvePolicy({ tier, profile }), ...sequentialAllowance() };
}

/** The bundled tiers' allowance of sequential looks, as an AcceptedPolicy field (none when the file has none). */
function sequentialAllowance(): { sequential?: NonNullable<TiersFile['sequential']> } {
  const allowance = loadTiers().sequential;
  return allowance === undefined ? {} : { sequential: allowance };
}

/**
 * Parses a policy file the caller accepts (`verify --policy FILE`): one policy record as a
 * certificate's `policy` block holds it (JSON), checked against `tiers.schema.json#/$defs/policy`.
 * Throws `E_CONFIG_PARSE` for text that is not JSON, `E_CONFIG_INVALID` for a record that is not a policy.
 */
export function parsePolicyFile(text: string, source: string): AcceptedPolicy {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InvarlockError('E_CONFIG_PARSE', `${source} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { details: { file: source } });
  }
  return { kind: 'fixed', source, policy: checkPolicy(value, source, 'E_CONFIG_INVALID') };
}
