import { createHash } from 'node:crypto';
import seeds from '@sigstore/tuf/seeds.json' with { type: 'json' };
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import type { Certificate } from './certificate-types.js';

/**
 * Certificates signed keylessly with Sigstore (issue 13): the Action signs an in-toto statement
 * whose subject is the certificate file (sha256 of its bytes) and whose predicate names its
 * digest, run id and verdict; `verify --certificate-identity/--certificate-oidc-issuer` checks the
 * bundle offline against a trusted root. A signature says which workflow made the certificate;
 * the rest of verify says the certificate is consistent with what it measured.
 */

/** The in-toto predicate type of a signed certificate. */
export const CERTIFICATE_PREDICATE_TYPE = 'https://github.com/invarlock/invarlock/certificate/v1';

/** The DSSE payload type of the statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** The bundle written beside a certificate: `evaluation.cert.json` → `evaluation.cert.sigstore.json`. */
export function signatureBundlePath(certificatePath: string): string {
  return certificatePath.endsWith('.json') ? `${certificatePath.slice(0, -'.json'.length)}.sigstore.json` : `${certificatePath}.sigstore.json`;
}

/** The in-toto statement signed for a certificate file: subject = the file's bytes, predicate = what it decided. */
export function certificateStatement(bytes: Uint8Array, cert: Pick<Certificate, 'digest' | 'run_id' | 'verdict'>, name: string): Record<string, unknown> {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name, digest: { sha256: createHash('sha256').update(bytes).digest('hex') } }],
    predicateType: CERTIFICATE_PREDICATE_TYPE,
    predicate: { digest: cert.digest, run_id: cert.run_id, verdict: cert.verdict.status },
  };
}

/** Who must have signed, and the roots of trust to check it with. */
export interface SignaturePolicy {
  /** The signer's identity: the certificate's subject alternative name (for GitHub, the workflow URL `https://github.com/OWNER/REPO/.github/workflows/FILE@REF`). */
  readonly identity: string;
  /** The OIDC issuer (`https://token.actions.githubusercontent.com`). */
  readonly issuer: string;
  /** A Sigstore trusted root (trusted_root.json); null: the public-good root bundled with @sigstore/tuf (offline). */
  readonly trustedRoot: unknown;
}

/** The outcome of {@link verifyCertificateSignature}. */
export type SignatureCheck = { readonly ok: true; readonly message: string } | { readonly ok: false; readonly message: string };

let publicGood: unknown;

/**
 * The Sigstore public-good trusted root as @sigstore/tuf ships it in its seeds: read locally, never
 * fetched. Imported statically so the bundles (dist/, which run without node_modules) carry it.
 */
export function publicGoodTrustedRoot(): unknown {
  if (publicGood === undefined) {
    const encoded = Object.values(seeds as Record<string, { targets?: Record<string, string> }>)[0]?.targets?.['trusted_root.json'];
    if (encoded === undefined) throw new Error('@sigstore/tuf ships no trusted_root.json');
    publicGood = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  }
  return publicGood;
}

/**
 * Checks a Sigstore bundle for a certificate file, offline: the bundle verifies against the trusted
 * root (Fulcio certificate chain, transparency log inclusion and signed timestamps), was signed by
 * `identity` through `issuer`, and its statement's subject is exactly these bytes and its
 * predicate this certificate's digest. Never throws.
 */
export function verifyCertificateSignature(bundleText: string, bytes: Uint8Array, cert: Pick<Certificate, 'digest' | 'run_id'>, policy: SignaturePolicy): SignatureCheck {
  try {
    const bundle = bundleFromJSON(JSON.parse(bundleText));
    const root = TrustedRoot.fromJSON(policy.trustedRoot ?? publicGoodTrustedRoot());
    const verifier = new Verifier(toTrustMaterial(root), { tlogThreshold: 1, ctlogThreshold: 1, tsaThreshold: 0 });
    verifier.verify(toSignedEntity(bundle), { subjectAlternativeName: policy.identity, extensions: { issuer: policy.issuer } });
    if (bundle.content.$case !== 'dsseEnvelope' || bundle.content.dsseEnvelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return { ok: false, message: 'the bundle does not sign an in-toto statement' };
    const statement = JSON.parse(Buffer.from(bundle.content.dsseEnvelope.payload).toString('utf8')) as {
      predicateType?: unknown;
      subject?: { digest?: { sha256?: unknown } }[];
      predicate?: { digest?: unknown; run_id?: unknown };
    };
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (statement.predicateType !== CERTIFICATE_PREDICATE_TYPE) return { ok: false, message: `the statement's predicate type is not ${CERTIFICATE_PREDICATE_TYPE}` };
    if (statement.subject?.length !== 1 || statement.subject[0]?.digest?.sha256 !== sha256) return { ok: false, message: 'the signed statement is about other bytes than this certificate file' };
    if (statement.predicate?.digest !== cert.digest || statement.predicate.run_id !== cert.run_id) return { ok: false, message: "the signed statement names another certificate digest or run id" };
    return { ok: true, message: `signed by ${policy.identity} (${policy.issuer}); the signed statement is this file` };
  } catch (error) {
    return { ok: false, message: `the signature does not verify: ${error instanceof Error ? error.message : String(error)}` };
  }
}
