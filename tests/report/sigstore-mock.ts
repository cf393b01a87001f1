/**
 * A Sigstore instance on loopback for signing tests (no network): @sigstore/mock's Fulcio CA with
 * its CT log and a Rekor log, served by a local HTTP server, and the trusted root that names them;
 * the same server plays the Actions ID-token endpoint of a job with `id-token: write`.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, rekorHandler } from '@sigstore/mock';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface MockSigstore {
  readonly url: string;
  readonly trustedRoot: unknown;
  /** An unsigned GitHub-style OIDC token whose workflow identity is `identity`. */
  token(identity: string): string;
  /**
   * The environment of a job with `id-token: write` whose Actions ID-token endpoint (served here)
   * hands out {@link token}(`identity`) for the audience `sigstore` and the request token it names.
   */
  idTokenEnv(identity: string): Record<string, string>;
  /** Audiences the ID-token endpoint was asked for, in order. */
  readonly idTokenAudiences: string[];
  close(): Promise<void>;
}

const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const b64 = (value: ArrayBufferView | Buffer): string => Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');

const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (identity: string): string => `${part({ alg: 'none' })}.${part({ iss: GITHUB_ISSUER, aud: 'sigstore', sub: 'repo:acme/models:ref:refs/heads/main', job_workflow_ref: identity })}.unsigned`;

export async function startMockSigstore(): Promise<MockSigstore> {
  const ctlog = await initializeCTLog(keyPair());
  const ca = await initializeCA(keyPair(), ctlog);
  const REQUEST_TOKEN = 'actions-id-token-request-token';
  let oidcIdentity = '';
  const idTokenAudiences: string[] = [];
  const routes = new Map<string, (body: string) => Promise<{ statusCode: number; response: string | ArrayBufferView; contentType?: string }>>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const requested = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (requested.pathname === '/actions/id-token') {
        const audience = requested.searchParams.get('audience') ?? '';
        idTokenAudiences.push(audience);
        if (req.headers.authorization !== `bearer ${REQUEST_TOKEN}` || audience !== 'sigstore') res.writeHead(401).end();
        else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ value: token(oidcIdentity) }));
        return;
      }
      const route = routes.get(req.url ?? '');
      if (route === undefined) {
        res.writeHead(404).end();
        return;
      }
      void route(Buffer.concat(chunks).toString('utf8')).then((r) => {
        res.writeHead(r.statusCode, { 'Content-Type': r.contentType ?? 'application/json' });
        res.end(typeof r.response === 'string' ? r.response : Buffer.from(r.response.buffer, r.response.byteOffset, r.response.byteLength));
      });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tlog = await initializeTLog(url, keyPair());
  for (const handler of [fulcioHandler(ca, { subjectClaim: 'job_workflow_ref' }), rekorHandler(tlog)]) routes.set(handler.path, handler.fn);
  const since = { start: '2000-01-01T00:00:00Z' };
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{ baseUrl: url, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: tlog.publicKey.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: since }, logId: { keyId: createHash('sha256').update(tlog.publicKey).digest('base64') } }],
    certificateAuthorities: [{ subject: { organization: 'sigstore.mock', commonName: 'sigstore' }, uri: url, certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] }, validFor: since }],
    ctlogs: [{ baseUrl: url, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: ctlog.publicKey.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: since }, logId: { keyId: b64(ctlog.logID) } }],
    timestampAuthorities: [],
  };
  return {
    url,
    trustedRoot,
    token,
    idTokenEnv: (identity) => {
      oidcIdentity = identity;
      return { ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/actions/id-token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN };
    },
    idTokenAudiences,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
