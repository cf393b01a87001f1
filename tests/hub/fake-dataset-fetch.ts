/**
 * Lets the fake hub (fake-hub-server.ts, which serves its repository at the model routes) stand for
 * a dataset repository: a fetch for @huggingface/hub that maps the dataset routes
 * (`/api/datasets/org/name/…`, `/datasets/org/name/resolve/…`) onto the model routes and records each
 * request as the client sent it, `METHOD path`.
 */
import type { FakeHub } from './fake-hub-server.js';

export interface DatasetFetch {
  readonly fetch: typeof fetch;
  /** Requests as sent by the client (dataset routes), in order. */
  readonly requests: string[];
}

export function datasetFetch(hub: FakeHub): DatasetFetch {
  const requests: string[] = [];
  const mapped: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    requests.push(`${request.method} ${decodeURIComponent(url.pathname)}`);
    if (url.pathname.startsWith('/api/datasets/')) url.pathname = `/api/models/${url.pathname.slice('/api/datasets/'.length)}`;
    else if (url.pathname.startsWith('/datasets/')) url.pathname = url.pathname.slice('/datasets'.length);
    if (url.origin !== new URL(hub.url).origin) throw new Error(`unexpected request to ${url.origin}`);
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    return fetch(url, { method: request.method, headers: request.headers, ...(body === undefined ? {} : { body }) });
  };
  return { fetch: mapped, requests };
}
