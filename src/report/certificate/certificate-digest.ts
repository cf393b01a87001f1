import { canonicalJson, sha256Hex } from '../../contracts/index.js';
import type { Certificate, PolicyBlock } from './certificate-types.js';

/**
 * The digests a certificate carries, each sha256 (lowercase hex) over canonical JSON
 * (`canonicalJson` in src/contracts: sorted keys, no whitespace, numbers as JavaScript prints them).
 */

/** The certificate digest: sha256 of the canonical JSON of the certificate without `digest` and `timing`. */
export function certificateDigest(cert: Omit<Certificate, 'digest'> | Certificate): string {
  const { timing: _timing, ...rest } = cert;
  const covered: Record<string, unknown> = { ...rest };
  delete covered.digest;
  return sha256Hex(canonicalJson(covered));
}

/**
 * The policy digest: sha256 of the canonical JSON of the resolved policy record, the same
 * definition as src/core's `policyDigest` (a test checks they agree).
 */
export function policyDigest(policy: PolicyBlock): string {
  return sha256Hex(canonicalJson(policy));
}

/** The edit plan digest: sha256 of the canonical JSON of `{ name, config }`. @internal */
export function planDigest(edit: { readonly name: string; readonly config: unknown }): string {
  return sha256Hex(canonicalJson({ name: edit.name, config: edit.config }));
}

/** The config digest: sha256 of the canonical JSON of the resolved run configuration. @internal */
export function configDigest(config: unknown): string {
  return sha256Hex(canonicalJson(config));
}

/**
 * The run id: the first 32 hex digits of sha256 over the canonical JSON of what identifies the
 * run (model references, revisions and file hashes, dataset hashes, policy digest, the change,
 * the seeds and the config digest). Deterministic: the same inputs give the same id.
 * @internal
 */
export function runId(cert: Pick<Certificate, 'models' | 'dataset' | 'policy_digest' | 'change' | 'provenance'>): string {
  const model = (m: Certificate['models']['baseline']): unknown => ({ reference: m.reference, revision: m.revision, file_sha256: m.file_sha256, lora_adapters: m.lora_adapters });
  const identity = {
    baseline: model(cert.models.baseline),
    subject: model(cert.models.subject),
    dataset: { provider: cert.dataset.provider, dataset_hash: cert.dataset.dataset_hash, preview_hash: cert.dataset.preview_hash, final_hash: cert.dataset.final_hash },
    policy: cert.policy_digest,
    change: cert.change,
    seeds: cert.provenance.seeds,
    config: cert.provenance.config_digest,
  };
  return sha256Hex(canonicalJson(identity)).slice(0, 32);
}
