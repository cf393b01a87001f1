/**
 * Signed certificates in the Action (issue 13): a job with `id-token: write` signs the certificate
 * it made against Sigstore on loopback (@sigstore/mock's Fulcio and Rekor, and the Actions ID-token
 * endpoint, all served locally: no network); publisher-only mode with `require-signature` publishes
 * only a certificate signed by `signer-identity`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubApi } from '../../src/action/publish/github-client.js';
import { readVerifiedCertificate } from '../../src/action/publish/report-door.js';
import { runAction } from '../../src/action/run-action.js';
import { signCertificate } from '../../src/action/signing/sign-certificate.js';
import { runProcess } from '../../src/action/launch/spawn-process.js';
import { verifyCertificateSignature, type Certificate } from '../../src/report/index.js';
import { GITHUB_ISSUER, startMockSigstore, type MockSigstore } from '../report/sigstore-mock.js';
import { FakeGitHub } from './fake-github.js';
import { fakeActionRoot, fixtureCert, memoryCache, recordingIO, recordReader, removeDirs, tempDir } from './helpers.js';

const HEAD = 'a'.repeat(40);
const WORKFLOW = 'https://github.com/o/r/.github/workflows/certify.yml@refs/heads/main';
const dirs: string[] = [];
let gh: FakeGitHub;
let sigstore: MockSigstore;

beforeAll(async () => {
  sigstore = await startMockSigstore();
});
afterAll(async () => {
  await sigstore.close();
});
beforeEach(async () => {
  gh = await new FakeGitHub().start();
});
afterEach(async () => {
  await gh.stop();
  removeDirs(dirs);
});

async function run(options: { inputs: Record<string, string>; env?: Record<string, string>; event?: string; payload?: unknown; staleBundle?: boolean }) {
  const dir = tempDir();
  dirs.push(dir);
  const workspace = join(dir, 'ws');
  mkdirSync(join(workspace, 'models', 'gpt2'), { recursive: true });
  writeFileSync(join(workspace, 'models', 'gpt2', 'model.onnx'), 'weights');
  writeFileSync(join(workspace, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  if (options.staleBundle === true) {
    mkdirSync(join(workspace, 'invarlock-out'));
    writeFileSync(join(workspace, 'invarlock-out', 'evaluation.cert.sigstore.json'), '{"from": "an earlier run"}');
  }
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(options.payload ?? { pull_request: { number: 42, head: { sha: HEAD, repo: { full_name: 'o/r', fork: false } }, base: { repo: { full_name: 'o/r' } } } }));
  const io = recordingIO();
  const result = await runAction({
    io,
    reader: recordReader({ 'github-token': 'ghs_token', 'execution-mode': 'host', 'fulcio-url': sigstore.url, 'rekor-url': sigstore.url, ...options.inputs }),
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_EVENT_NAME: options.event ?? 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: 'b'.repeat(40),
      GITHUB_RUN_ID: '1234',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'certify',
      GITHUB_WORKSPACE: workspace,
      GITHUB_API_URL: gh.baseUrl,
      RUNNER_TEMP: join(dir, 'tmp'),
      RUNNER_TOOL_CACHE: join(dir, 'tool'),
      ...options.env,
    },
    cwd: workspace,
    actionRoot: fakeActionRoot(dir, { withRuntime: true, cliEnv: { FAKE_CLI_CERT: fixtureCert('pass') } }),
    run: runProcess,
    cache: memoryCache(),
    certificateReader: readVerifiedCertificate,
    createApi: (o) => createGitHubApi({ ...o, retryBaseMs: 1, throttle: 'off' }),
    now: () => new Date('2026-01-01T00:00:00Z'),
    node: process.execPath,
    user: { uid: 1001, gid: 118 },
  });
  const final = gh.requests.filter((r) => r.path.includes('/check-runs')).at(-1)?.body as { conclusion: string; output: { title: string; summary: string } } | undefined;
  return { io, result, workspace, final };
}

const EVALUATE = { baseline: 'models/gpt2', edit: 'noop' };

describe('the Action signs its own certificate', () => {
  it('with id-token: write: fetches a sigstore-audience token (masked), writes the bundle beside the certificate and outputs signature-path', async () => {
    const { io, final } = await run({ inputs: EVALUATE, env: sigstore.idTokenEnv(WORKFLOW) });
    const certPath = io.outputs['certificate-path'] ?? '';
    expect(io.outputs['verdict']).toBe('pass');
    expect(final?.conclusion).toBe('success');
    expect(io.outputs['signature-path']).toBe(certPath.replace(/\.json$/, '.sigstore.json'));
    expect(io.warnings).toEqual([]);
    expect(sigstore.idTokenAudiences.at(-1)).toBe('sigstore');
    expect(io.secrets).toContain(sigstore.token(WORKFLOW));
    const bytes = readFileSync(certPath);
    const cert = JSON.parse(bytes.toString('utf8')) as Certificate;
    const bundle = readFileSync(io.outputs['signature-path'] ?? '', 'utf8');
    expect(verifyCertificateSignature(bundle, bytes, cert, { identity: WORKFLOW, issuer: GITHUB_ISSUER, trustedRoot: sigstore.trustedRoot })).toMatchObject({ ok: true });
  }, 60_000);

  it('without id-token: write signs nothing (and a stale bundle is removed); a refused token is a warning and the verdict stands', async () => {
    const unsigned = await run({ inputs: EVALUATE, staleBundle: true });
    expect(unsigned.io.outputs['signature-path']).toBe('');
    expect(existsSync(join(unsigned.workspace, 'invarlock-out', 'evaluation.cert.sigstore.json'))).toBe(false);
    expect(unsigned.io.outputs['verdict']).toBe('pass');

    const refused = await run({ inputs: EVALUATE, env: { ...sigstore.idTokenEnv(WORKFLOW), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong' } });
    expect(refused.io.outputs['verdict']).toBe('pass');
    expect(refused.final?.conclusion).toBe('success');
    expect(refused.io.outputs['signature-path']).toBe('');
    expect(refused.io.warnings.join('\n')).toMatch(/not signed \(the verdict stands\): .*401/);
    expect(refused.io.warnings.join('\n')).not.toContain('wrong');
    expect(refused.io.failures).toEqual([]);
  }, 60_000);
});

describe('publisher-only mode with require-signature', () => {
  const pass = readFileSync(fixtureCert('pass'));
  const sign = (bytes: Buffer, identity = WORKFLOW): Promise<string> =>
    signCertificate(bytes, JSON.parse(bytes.toString('utf8')) as Certificate, 'evaluation.cert.json', { getToken: () => Promise.resolve(sigstore.token(identity)) }, { fulcioURL: sigstore.url, rekorURL: sigstore.url });

  async function publish(cert: Buffer, bundle: string | null, extra: Record<string, string> = {}) {
    const dir = tempDir();
    dirs.push(dir);
    writeFileSync(join(dir, 'evaluation.cert.json'), cert);
    if (bundle !== null) writeFileSync(join(dir, 'evaluation.cert.sigstore.json'), bundle);
    return run({
      event: 'workflow_run',
      payload: {},
      inputs: { certificate: join(dir, 'evaluation.cert.json'), 'head-sha': HEAD, 'require-signature': 'true', 'signer-identity': WORKFLOW, 'trusted-root': 'trusted_root.json', ...extra },
    });
  }

  it('publishes a certificate signed by signer-identity', async () => {
    const { io, final } = await publish(pass, await sign(pass));
    expect(io.outputs['verdict']).toBe('pass');
    expect(final?.conclusion).toBe('success');
    expect(io.outputs['signature-path']).toMatch(/evaluation\.cert\.sigstore\.json$/);
  }, 60_000);

  it('refuses unsigned, tampered and foreign-signed certificates, and a root that does not trust the signer: verdict error, E_CERT_SIGNATURE, a completed check run saying why', async () => {
    const tampered = Buffer.from(pass.toString('utf8').replace('"duration_ms": 1', '"duration_ms": 2'));
    expect(tampered.equals(pass)).toBe(false);
    const cases: [string, Buffer, string | null, Record<string, string>, RegExp][] = [
      ['unsigned', pass, null, {}, /not signed: no signature bundle/],
      ['tampered', tampered, await sign(pass), {}, /other bytes than this certificate file/],
      ['foreign', pass, await sign(pass, 'https://github.com/mallory/fork/.github/workflows/certify.yml@refs/heads/main'), {}, /does not verify/],
      ['other issuer', pass, await sign(pass), { 'signer-oidc-issuer': 'https://issuer.example' }, /does not verify/],
      ['public-good root', pass, await sign(pass), { 'trusted-root': '' }, /does not verify/],
    ];
    for (const [name, cert, bundle, extra, why] of cases) {
      const { io, final } = await publish(cert, bundle, extra);
      expect(io.outputs['verdict'], name).toBe('error');
      expect(io.outputs['signature-path'], name).toBe('');
      expect(final?.conclusion, name).toBe('action_required');
      expect(final?.output.title, name).toContain('E_CERT_SIGNATURE');
      expect(`${final?.output.title ?? ''}\n${final?.output.summary ?? ''}`, name).toMatch(why);
    }
  }, 120_000);

  it('needs signer-identity, and only in publisher-only mode', async () => {
    const missing = await run({ event: 'workflow_run', payload: {}, inputs: { certificate: 'c.json', 'head-sha': HEAD, 'require-signature': 'true' } });
    expect(missing.io.outputs['verdict']).toBe('error');
    expect(missing.io.failures.join('\n')).toContain('signer-identity: is required with require-signature');
    const evaluate = await run({ inputs: { ...EVALUATE, 'require-signature': 'true', 'signer-identity': WORKFLOW } });
    expect(evaluate.io.failures.join('\n')).toContain('require-signature: is only used with certificate');
  }, 60_000);
});
