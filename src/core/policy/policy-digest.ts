import { canonicalJson, sha256Hex } from '../../contracts/index.js';
import type { Policy } from './types.js';

/**
 * sha256 (64 lowercase hex digits) of the policy's canonical JSON (sorted keys, no whitespace,
 * numbers as JavaScript prints them). Equal policies, overrides included, give equal digests.
 */
export function policyDigest(policy: Policy): string {
  return sha256Hex(canonicalJson(policy));
}
