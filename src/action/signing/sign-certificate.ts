import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, type IdentityProvider } from '@sigstore/sign';
import { certificateStatement, IN_TOTO_PAYLOAD_TYPE } from '../../report/index.js';

/** Where to sign: Sigstore's public-good instance unless told otherwise (tests use a loopback mock). */
export interface SigningEndpoints {
  /** @default 'https://fulcio.sigstore.dev' */
  readonly fulcioURL?: string;
  /** @default 'https://rekor.sigstore.dev' */
  readonly rekorURL?: string;
}

/**
 * Signs a certificate file keylessly (issue 13): an in-toto statement whose subject is the file's
 * sha256 and whose predicate is its digest, run id and verdict, in a DSSE envelope signed with an
 * ephemeral key that Fulcio certifies for the job's OIDC identity (`identity.getToken()`, on GitHub
 * the `id-token: write` token), logged in Rekor. Returns the Sigstore bundle as JSON text, to be
 * written beside the certificate (`evaluation.cert.sigstore.json`).
 */
export async function signCertificate(bytes: Uint8Array, cert: { readonly digest: string; readonly run_id: string; readonly verdict: { readonly status: string } }, name: string, identity: IdentityProvider, endpoints: SigningEndpoints = {}): Promise<string> {
  const builder = new DSSEBundleBuilder({
    signer: new FulcioSigner({ identityProvider: identity, ...(endpoints.fulcioURL === undefined ? {} : { fulcioBaseURL: endpoints.fulcioURL }) }),
    // intoto entries keep the signed envelope in the log, so an offline verifier can compare it.
    witnesses: [new RekorWitness({ entryType: 'intoto', ...(endpoints.rekorURL === undefined ? {} : { rekorBaseURL: endpoints.rekorURL }) })],
  });
  const statement = certificateStatement(bytes, cert as Parameters<typeof certificateStatement>[1], name);
  const bundle = await builder.create({ data: Buffer.from(JSON.stringify(statement)), type: IN_TOTO_PAYLOAD_TYPE });
  return `${JSON.stringify(bundleToJSON(bundle), null, 2)}\n`;
}
