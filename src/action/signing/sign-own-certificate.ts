import { writeFile, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { signatureBundlePath } from '../../report/index.js';
import type { ActionIO } from '../action-io.js';
import { signCertificate } from './sign-certificate.js';
import type { ActionEventSink, SigningInputs } from '../types.js';

/** How long the Actions ID-token endpoint may take before signing is given up (a warning, not an error). */
const ID_TOKEN_TIMEOUT_MS = 30_000;

/** True when the job may request an OIDC token (`permissions: id-token: write`). */
export function canRequestIdToken(env: Readonly<Record<string, string | undefined>>): boolean {
  return (env['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? '') !== '' && (env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? '') !== '';
}

/**
 * Fetches the job's OIDC token for `audience` from the Actions ID-token endpoint (what
 * `core.getIDToken` does) and masks it before returning. Throws with a message that never holds
 * the request token or the response body.
 */
export async function fetchActionsIdToken(env: Readonly<Record<string, string | undefined>>, io: Pick<ActionIO, 'setSecret'>, audience: string): Promise<string> {
  const url = new URL(env['ACTIONS_ID_TOKEN_REQUEST_URL'] ?? '');
  url.searchParams.set('audience', audience);
  const response = await fetch(url, {
    headers: { Authorization: `bearer ${env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] ?? ''}`, Accept: 'application/json' },
    signal: AbortSignal.timeout(ID_TOKEN_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`the Actions ID-token endpoint answered ${response.status}`);
  const body: unknown = await response.json().catch(() => null);
  const value = typeof body === 'object' && body !== null && 'value' in body ? body.value : undefined;
  if (typeof value !== 'string' || value === '') throw new Error('the Actions ID-token endpoint returned no token');
  io.setSecret(value);
  return value;
}

/** What {@link signOwnCertificate} needs. */
export interface SignOwnOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io: Pick<ActionIO, 'setSecret'>;
  readonly onEvent: ActionEventSink;
  readonly signing: SigningInputs;
}

/**
 * Signs the run's own, already verified certificate keylessly with the job's OIDC identity
 * (audience `sigstore`) and writes the bundle beside it (`evaluation.cert.sigstore.json`). Returns
 * the bundle's path, or null when the job cannot request a token or signing failed: a failure is a
 * warning, since the certificate and its verdict stand without a signature.
 */
export async function signOwnCertificate(certificatePath: string, options: SignOwnOptions): Promise<string | null> {
  if (!canRequestIdToken(options.env)) return null;
  try {
    const bytes = await readFile(certificatePath);
    // The certificate was verified by this run; only its digest, run id and verdict are signed over.
    const cert = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) as Parameters<typeof signCertificate>[1];
    // Fetched here rather than inside the signer, whose error would hide why the endpoint refused.
    const token = await fetchActionsIdToken(options.env, options.io, 'sigstore');
    const identity = { getToken: () => Promise.resolve(token) };
    const bundle = await signCertificate(bytes, cert, basename(certificatePath), identity, { fulcioURL: options.signing.fulcioUrl, rekorURL: options.signing.rekorUrl });
    const path = signatureBundlePath(certificatePath);
    await writeFile(path, bundle);
    options.onEvent({ type: 'log', line: `signed ${basename(certificatePath)} with Sigstore (${options.signing.fulcioUrl}, ${options.signing.rekorUrl}): ${basename(path)}` });
    return path;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    options.onEvent({ type: 'warning', id: 'signing-failed', message: `the certificate was not signed (the verdict stands): ${reason.replace(/\s+/g, ' ').slice(0, 300)}` });
    return null;
  }
}
