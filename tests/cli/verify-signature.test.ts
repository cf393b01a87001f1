/**
 * Signed certificates (issue 13): signed keylessly against a Sigstore instance on loopback
 * (@sigstore/mock), verified offline by `invarlock verify --certificate-identity
 * --certificate-oidc-issuer --trusted-root`. A tampered, unsigned or foreign-signed certificate is
 * refused when a signature is required.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCertificate } from '../../src/action/signing/sign-certificate.js';
import { runCli } from '../../src/cli/program.js';
import type { Certificate } from '../../src/report/index.js';
import { cliIo } from '../core/runner/runner-fixtures.js';
import { GITHUB_ISSUER, startMockSigstore, type MockSigstore } from '../report/sigstore-mock.js';

const WORKFLOW = 'https://github.com/acme/models/.github/workflows/evaluate.yml@refs/heads/main';
const dir = mkdtempSync(join(tmpdir(), 'invarlock-signed-'));
const pass = readFileSync(join(import.meta.dirname, '../fixtures/certificates/pass.cert.json'));
let sigstore: MockSigstore;

beforeAll(async () => {
  sigstore = await startMockSigstore();
  writeFileSync(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
});
afterAll(async () => {
  await sigstore.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sign(bytes: Buffer, identity = WORKFLOW): Promise<string> {
  const cert = JSON.parse(bytes.toString('utf8')) as Certificate;
  return signCertificate(bytes, cert, 'evaluation.cert.json', { getToken: () => Promise.resolve(sigstore.token(identity)) }, { fulcioURL: sigstore.url, rekorURL: sigstore.url });
}

async function verify(name: string, extra: readonly string[] = []): Promise<{ code: number; signature: { status: string; code?: string; message: string } | undefined }> {
  const io = cliIo({ cwd: dir });
  const code = await runCli(['verify', name, '--certificate-identity', WORKFLOW, '--certificate-oidc-issuer', GITHUB_ISSUER, '--trusted-root', 'trusted_root.json', '--json', ...extra], io);
  const [report] = JSON.parse(io.out()) as { checks: { id: string; status: string; code?: string; message: string }[] }[];
  return { code, signature: report?.checks.find((c) => c.id === 'signature') };
}

describe('signed certificates, verified offline', () => {
  it('verifies a signed certificate against the trusted root, and refuses tampered, unsigned and foreign-signed ones', async () => {
    writeFileSync(join(dir, 'signed.cert.json'), pass);
    writeFileSync(join(dir, 'signed.cert.sigstore.json'), await sign(pass));
    const signed = await verify('signed.cert.json');
    expect(signed.signature).toMatchObject({ status: 'pass' });
    expect(signed.code).toBe(0);

    // one byte changed after signing (timing is outside the certificate digest, not outside the signature)
    const tampered = Buffer.from(pass.toString('utf8').replace('"duration_ms": 1', '"duration_ms": 2'));
    expect(tampered.equals(pass)).toBe(false);
    writeFileSync(join(dir, 'tampered.cert.json'), tampered);
    writeFileSync(join(dir, 'tampered.cert.sigstore.json'), await sign(pass));
    expect(await verify('tampered.cert.json')).toMatchObject({ code: 1, signature: { status: 'fail', code: 'E_CERT_SIGNATURE' } });

    writeFileSync(join(dir, 'unsigned.cert.json'), pass);
    expect(await verify('unsigned.cert.json')).toMatchObject({ code: 1, signature: { status: 'fail', code: 'E_CERT_SIGNATURE' } });

    writeFileSync(join(dir, 'foreign.cert.json'), pass);
    writeFileSync(join(dir, 'foreign.cert.sigstore.json'), await sign(pass, 'https://github.com/mallory/fork/.github/workflows/evaluate.yml@refs/heads/main'));
    expect(await verify('foreign.cert.json')).toMatchObject({ code: 1, signature: { status: 'fail', code: 'E_CERT_SIGNATURE' } });

    // the public-good root (offline, from @sigstore/tuf) does not trust the mock's CA
    const io = cliIo({ cwd: dir });
    expect(await runCli(['verify', 'signed.cert.json', '--certificate-identity', WORKFLOW, '--certificate-oidc-issuer', GITHUB_ISSUER], io)).toBe(1);
    expect(io.out()).toContain('FAIL signature E_CERT_SIGNATURE');
  }, 60_000);
});
