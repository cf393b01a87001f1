/**
 * A loopback HTTP server that imitates the Hugging Face hub endpoints @huggingface/hub 2.x calls for
 * modelInfo, listFiles, pathsInfo and downloadFileToCacheDir, serving one tiny model repository.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRepoFile {
  readonly path: string;
  readonly content: Buffer;
  /** Stored in LFS (the tree lists an lfs oid = sha256). */
  readonly lfs: boolean;
}

export interface FakeHub {
  readonly url: string;
  readonly repo: string;
  readonly commit: string;
  /** Every request as `METHOD path`, in order. */
  readonly requests: string[];
  /** Serve these bytes instead of the real content for a path (to test hash checks). */
  readonly corrupt: Map<string, Buffer>;
  close(): Promise<void>;
}

export const FAKE_COMMIT = '0123456789abcdef0123456789abcdef01234567';

function gitBlobSha1(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function treeEntry(file: FakeRepoFile): Record<string, unknown> {
  return {
    type: 'file',
    path: file.path,
    size: file.lfs ? 134 : file.content.length,
    oid: gitBlobSha1(file.content),
    ...(file.lfs ? { lfs: { oid: sha256(file.content), size: file.content.length, pointerSize: 134 } } : {}),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the server on 127.0.0.1 with a random port. */
export async function startFakeHub(repo: string, files: readonly FakeRepoFile[]): Promise<FakeHub> {
  const requests: string[] = [];
  const corrupt = new Map<string, Buffer>();
  const byPath = new Map(files.map((f) => [f.path, f]));
  const knownRevision = (rev: string): boolean => rev === 'main' || rev === FAKE_COMMIT;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    requests.push(`${req.method ?? 'GET'} ${path}`);
    const api = `/api/models/${repo}/`;
    if (path.startsWith(api)) {
      const [kind, rev, ...rest] = path.slice(api.length).split('/');
      if (rev === undefined || !knownRevision(rev)) {
        json(res, 404, { error: 'Invalid rev id' }, { 'x-error-code': 'RevisionNotFound' });
        return;
      }
      if (kind === 'revision' && req.method === 'GET') {
        json(res, 200, { _id: 'x1', id: repo, sha: FAKE_COMMIT, private: false, lastModified: '2024-01-01T00:00:00.000Z', downloads: 0, likes: 0, gated: false });
        return;
      }
      if (kind === 'tree' && req.method === 'GET' && rest.length === 0) {
        const dirs = [...new Set(files.filter((f) => f.path.includes('/')).map((f) => f.path.slice(0, f.path.lastIndexOf('/'))))];
        json(res, 200, [...dirs.map((d) => ({ type: 'directory', path: d, size: 0, oid: 'd'.repeat(40) })), ...files.map(treeEntry)]);
        return;
      }
      if (kind === 'paths-info' && req.method === 'POST') {
        const body: unknown = JSON.parse(await readBody(req));
        const paths = typeof body === 'object' && body !== null && 'paths' in body && Array.isArray(body.paths) ? body.paths : [];
        json(res, 200, paths.flatMap((p: unknown) => {
          const file = typeof p === 'string' ? byPath.get(p) : undefined;
          return file === undefined ? [] : [{ ...treeEntry(file), lastCommit: { id: FAKE_COMMIT, title: 'init', date: '2024-01-01T00:00:00.000Z' } }];
        }));
        return;
      }
      json(res, 404, { error: 'not found' });
      return;
    }
    const resolvePrefix = `/${repo}/resolve/`;
    if (path.startsWith(resolvePrefix) && req.method === 'GET') {
      const rest = path.slice(resolvePrefix.length);
      const slash = rest.indexOf('/');
      const rev = rest.slice(0, slash);
      const file = byPath.get(rest.slice(slash + 1));
      if (!knownRevision(rev) || file === undefined) {
        json(res, 404, { error: 'Entry not found' }, { 'x-error-code': 'EntryNotFound' });
        return;
      }
      const content = corrupt.get(file.path) ?? file.content;
      const etag = `"${file.lfs ? sha256(file.content) : gitBlobSha1(file.content)}"`;
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (range !== null) {
        const start = Number(range[1]);
        const end = Math.min(Number(range[2]), content.length - 1);
        res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${content.length}`, etag, 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' });
        res.end(content.subarray(start, end + 1));
        return;
      }
      res.writeHead(200, { 'content-length': String(content.length), etag, 'content-type': 'application/octet-stream' });
      res.end(content);
      return;
    }
    json(res, 404, { error: 'not found' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => json(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    repo,
    commit: FAKE_COMMIT,
    requests,
    corrupt,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
