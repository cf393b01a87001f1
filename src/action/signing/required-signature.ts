import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { signatureBundlePath, verifyCertificateSignature } from '../../report/index.js';
import type { RunError } from '../evaluate/outcome.js';
import type { SigningInputs } from '../types.js';

/** Largest Sigstore bundle or trusted root read (a bundle is a few KiB, a trusted root tens). */
const MAX_SIGSTORE_FILE_BYTES = 4 * 1024 * 1024;

const HINT = 'Publisher-only mode has require-signature: true, so only a certificate signed by signer-identity (the evaluation workflow, with id-token: write) is published; nothing was published from this one.';

function signatureError(message: string): RunError {
  return { code: 'E_CERT_SIGNATURE', message, hint: HINT, field: null, kind: 'other' };
}

/** A regular file (never a symlink: it came from an untrusted artifact) of bounded size, or a reason it is not. */
async function readBounded(path: string, what: string): Promise<Buffer | string> {
  const info = await lstat(path).catch(() => null);
  if (info === null) return `no ${what} at ${basename(path)}`;
  if (!info.isFile()) return `${what} ${basename(path)} is not a regular file`;
  if (info.size > MAX_SIGSTORE_FILE_BYTES) return `${what} ${basename(path)} is ${info.size} bytes, over the ${MAX_SIGSTORE_FILE_BYTES}-byte limit`;
  return readFile(path).catch(() => `cannot read ${what} ${basename(path)}`);
}

/**
 * Publisher-only mode with `require-signature`: the Sigstore bundle beside the (already verified)
 * certificate must verify offline against the trusted root, name `signer-identity` and
 * `signer-oidc-issuer`, and sign exactly the certificate file read before (`certificateSha256`).
 * Returns the bundle's path, or the `E_CERT_SIGNATURE` error saying why not. Never throws.
 */
export async function checkRequiredSignature(certificatePath: string, certificateSha256: string, signing: SigningInputs): Promise<{ readonly ok: true; readonly bundlePath: string; readonly message: string } | { readonly ok: false; readonly error: RunError }> {
  const fail = (message: string) => ({ ok: false as const, error: signatureError(message) });
  const bytes = await readBounded(certificatePath, 'certificate');
  if (typeof bytes === 'string') return fail(bytes);
  // The file verified before must be the file whose signature is checked now.
  if (createHash('sha256').update(bytes).digest('hex') !== certificateSha256) return fail(`${basename(certificatePath)} changed while it was being verified`);
  const bundlePath = signatureBundlePath(certificatePath);
  const bundle = await readBounded(bundlePath, 'signature bundle');
  if (typeof bundle === 'string') return fail(`${basename(certificatePath)} is not signed: ${bundle}`);
  let trustedRoot: unknown = null;
  if (signing.trustedRoot !== null) {
    const root = await readBounded(signing.trustedRoot, 'trusted root');
    if (typeof root === 'string') return fail(root);
    try {
      trustedRoot = JSON.parse(root.toString('utf8'));
    } catch {
      return fail(`trusted root ${basename(signing.trustedRoot)} is not JSON`);
    }
  }
  const cert = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) as { digest: string; run_id: string };
  const check = verifyCertificateSignature(bundle.toString('utf8'), bytes, cert, { identity: signing.identity ?? '', issuer: signing.issuer, trustedRoot });
  return check.ok ? { ok: true, bundlePath, message: check.message } : fail(`${basename(bundlePath)}: ${check.message}`);
}
