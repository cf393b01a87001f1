import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake API received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly rawBody: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A fault to inject: the next `times` requests matching `method` and `path` get `status`. */
export interface Fault {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  times: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly message?: string;
}

interface StoredComment {
  id: number;
  issue: number;
  body: string;
  userType: string;
}

/**
 * A loopback stand-in for the GitHub REST API: check runs (create/update), issue comments
 * (list/create/update) and pulls (get). Records every request; faults make chosen calls fail.
 */
export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  readonly comments: StoredComment[] = [];
  readonly checkRuns = new Map<number, Record<string, unknown>>();
  pulls = new Map<number, { headSha: string; state: string; locked: boolean }>();
  private nextId = 1000;
  private server: Server | null = null;
  baseUrl = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Makes the next `times` matching requests fail with `status`. */
  fail(method: string, path: RegExp, status: number, times = 1, headers?: Record<string, string>, message?: string): void {
    this.faults.push({ method, path, status, times, ...(headers === undefined ? {} : { headers }), ...(message === undefined ? {} : { message }) });
  }

  /** Adds an existing comment (e.g. from an earlier push, or from a user). */
  addComment(issue: number, body: string, userType = 'Bot'): number {
    const id = this.nextId++;
    this.comments.push({ id, issue, body, userType });
    return id;
  }

  /** Requests other than GETs, in order. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    let body: unknown = null;
    try {
      body = rawBody === '' ? null : JSON.parse(rawBody);
    } catch {
      body = rawBody;
    }
    this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, rawBody, headers: req.headers });
    const fault = this.faults.find((f) => f.times > 0 && f.method === method && f.path.test(url.pathname));
    if (fault !== undefined) {
      fault.times -= 1;
      this.send(res, fault.status, { message: fault.message ?? `injected ${fault.status}` }, fault.headers);
      return;
    }
    this.route(method, url, body, res);
  }

  private route(method: string, url: URL, body: unknown, res: ServerResponse): void {
    const p = url.pathname;
    const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;
    if (method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(p)) {
      const id = this.nextId++;
      this.checkRuns.set(id, { ...record });
      this.send(res, 201, { id, html_url: `https://github.test/runs/${id}`, ...record });
    } else if (method === 'PATCH' && (m = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(p)) !== null) {
      const id = Number(m[1]);
      const existing = this.checkRuns.get(id);
      if (existing === undefined) return this.send(res, 404, { message: 'Not Found' });
      this.checkRuns.set(id, { ...existing, ...record });
      this.send(res, 200, { id, html_url: `https://github.test/runs/${id}` });
    } else if (method === 'GET' && (m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(p)) !== null) {
      const issue = Number(m[1]);
      const perPage = Number(url.searchParams.get('per_page') ?? '30');
      const page = Number(url.searchParams.get('page') ?? '1');
      const all = this.comments.filter((c) => c.issue === issue);
      const slice = all.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < all.length) {
        headers['link'] = `<${this.baseUrl}${p}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      }
      this.send(res, 200, slice.map((c) => this.commentJson(c)), headers);
    } else if (method === 'POST' && (m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(p)) !== null) {
      const id = this.addComment(Number(m[1]), String(record['body'] ?? ''));
      const c = this.comments.find((x) => x.id === id);
      this.send(res, 201, c === undefined ? {} : this.commentJson(c));
    } else if (method === 'PATCH' && (m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(p)) !== null) {
      const c = this.comments.find((x) => x.id === Number(m?.[1]));
      if (c === undefined) return this.send(res, 404, { message: 'Not Found' });
      c.body = String(record['body'] ?? '');
      this.send(res, 200, this.commentJson(c));
    } else if (method === 'GET' && (m = /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)$/.exec(p)) !== null) {
      const pull = this.pulls.get(Number(m[1]));
      if (pull === undefined) return this.send(res, 404, { message: 'Not Found' });
      this.send(res, 200, { number: Number(m[1]), state: pull.state, locked: pull.locked, head: { sha: pull.headSha } });
    } else {
      this.send(res, 404, { message: `no route ${method} ${p}` });
    }
  }

  private commentJson(c: StoredComment): Record<string, unknown> {
    return { id: c.id, body: c.body, html_url: `https://github.test/comments/${c.id}`, user: { type: c.userType, login: c.userType === 'Bot' ? 'github-actions[bot]' : 'someone' } };
  }

  private send(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(json));
  }
}
