import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchAnnotations, completeCheckRun, startCheckRun } from '../../src/action/publish/check-run.js';
import { createGitHubApi, type CheckAnnotation, type GitHubApi } from '../../src/action/publish/github-client.js';
import { commentFor, publicationOf } from '../../src/action/publish/markdown-compose.js';
import { publishStickyComment } from '../../src/action/publish/pr-comment.js';
import { dataMarker, stickyMarker } from '../../src/action/publish/publication-marker.js';
import { readVerifiedCertificate } from '../../src/action/publish/report-door.js';
import { utf8Bytes } from '../../src/action/publish/byte-budget.js';
import type { ActionEvent, PreviousPublication } from '../../src/action/types.js';
import { FakeGitHub } from './fake-github.js';
import { fixtureCert } from './helpers.js';

const SHA = 'a'.repeat(40);
let gh: FakeGitHub;
let events: ActionEvent[];

function api(throttle: 'off' | 'github-limits' = 'off'): GitHubApi {
  return createGitHubApi({ token: 'ghs_secret', baseUrl: gh.baseUrl, owner: 'o', repo: 'r', retries: 3, retryBaseMs: 1, throttle, onEvent: (e) => events.push(e) });
}

function annotations(n: number): CheckAnnotation[] {
  return Array.from({ length: n }, (_, i) => ({ path: 'invarlock.yaml', start_line: i + 1, end_line: i + 1, annotation_level: 'failure' as const, message: `m${i}` }));
}

beforeEach(async () => {
  gh = await new FakeGitHub().start();
  events = [];
});
afterEach(async () => {
  await gh.stop();
});

describe('check runs', () => {
  it('creates the run in_progress with the head SHA and the token', async () => {
    const result = await startCheckRun(api(), { name: 'InvarLock / certify', headSha: SHA, detailsUrl: 'https://run', externalId: 'k', title: 'Certifying…', summary: 's', startedAt: '2026-01-01T00:00:00.000Z' });
    expect(result.ok).toBe(true);
    const [req] = gh.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/repos/o/r/check-runs');
    expect(req?.body).toMatchObject({ name: 'InvarLock / certify', head_sha: SHA, status: 'in_progress', details_url: 'https://run', external_id: 'k' });
    expect(req?.headers['authorization']).toBe('token ghs_secret');
  });

  it('sends 120 annotations in 3 requests, 50 at most each, the last one completing the run', async () => {
    const a = api();
    const started = await startCheckRun(a, { name: 'c', headSha: SHA, detailsUrl: 'u', externalId: 'k', title: 't', summary: 's', startedAt: 'x' });
    if (!started.ok) throw new Error('start failed');
    const done = await completeCheckRun(a, { checkRunId: started.value.id, name: 'c', headSha: SHA, detailsUrl: 'u', externalId: 'k', conclusion: 'failure', title: 'FAIL', summary: 'sum', text: 'txt', annotations: annotations(120), completedAt: 'y' });
    expect(done.requests).toBe(3);
    const patches = gh.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => ((p.body as { output: { annotations?: unknown[] } }).output.annotations ?? []).length)).toEqual([50, 50, 20]);
    expect(patches.map((p) => (p.body as { conclusion?: string }).conclusion)).toEqual([undefined, undefined, 'failure']);
    expect(batchAnnotations(annotations(50))).toHaveLength(1);
  });

  it('keeps summary and text within 65,535 UTF-8 bytes with multi-byte text', async () => {
    const huge = `${'Ünïcødé 😀 | '.repeat(3000)}\n\n`.repeat(10);
    await completeCheckRun(api(), { checkRunId: null, name: 'c', headSha: SHA, detailsUrl: 'u', externalId: 'k', conclusion: 'success', title: 'T'.repeat(400), summary: huge, text: huge, annotations: [], completedAt: 'y' });
    const body = gh.requests[0]?.body as { output: { summary: string; text: string; title: string }; status: string };
    expect(body.status).toBe('completed');
    expect(utf8Bytes(body.output.summary)).toBeLessThanOrEqual(65_535);
    expect(utf8Bytes(body.output.text)).toBeLessThanOrEqual(65_535);
    expect([...body.output.title].length).toBeLessThanOrEqual(255);
  });

  it('retries 502 and 429 and then succeeds', async () => {
    gh.fail('POST', /check-runs$/, 502, 2);
    gh.fail('PATCH', /check-runs\/\d+$/, 429, 1);
    const a = api();
    const started = await startCheckRun(a, { name: 'c', headSha: SHA, detailsUrl: 'u', externalId: 'k', title: 't', summary: 's', startedAt: 'x' });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    const done = await completeCheckRun(a, { checkRunId: started.value.id, name: 'c', headSha: SHA, detailsUrl: 'u', externalId: 'k', conclusion: 'success', title: 't', summary: 's', text: '', annotations: [], completedAt: 'y' });
    expect(done.result.ok).toBe(true);
    expect(gh.requests.filter((r) => r.method === 'POST')).toHaveLength(3);
    expect(gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });

  it('waits out a primary rate limit with throttling on', async () => {
    gh.fail('POST', /check-runs$/, 429, 1, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)) });
    const result = await startCheckRun(api('github-limits'), { name: 'c', headSha: SHA, detailsUrl: 'u', externalId: 'k', title: 't', summary: 's', startedAt: 'x' });
    expect(result.ok).toBe(true);
    expect(events.some((e) => e.type === 'warning' && e.id === 'github-rate-limit')).toBe(true);
  });

  it('does not retry 403 and reports it as a value', async () => {
    gh.fail('POST', /check-runs$/, 403, 5, {}, 'Resource not accessible by integration');
    const result = await startCheckRun(api(), { name: 'c', headSha: SHA, detailsUrl: 'u', externalId: 'k', title: 't', summary: 's', startedAt: 'x' });
    expect(result).toMatchObject({ ok: false, status: 403 });
    expect(gh.requests).toHaveLength(1);
  });

  it('gives up after the retries on a persistent 502', async () => {
    gh.fail('POST', /check-runs$/, 502, 10);
    const result = await startCheckRun(api(), { name: 'c', headSha: SHA, detailsUrl: 'u', externalId: 'k', title: 't', summary: 's', startedAt: 'x' });
    expect(result).toMatchObject({ ok: false, status: 502 });
    expect(gh.requests).toHaveLength(4);
  });

  it('serialises writes in call order even when callers do not await', async () => {
    const a = api();
    await Promise.all([
      a.createIssueComment(1, 'first'),
      a.createIssueComment(1, 'second'),
      a.createIssueComment(1, 'third'),
    ]);
    expect(gh.comments.map((c) => c.body)).toEqual(['first', 'second', 'third']);
  });
});

describe('sticky comment', () => {
  const cert = readVerifiedCertificate(readFileSync(fixtureCert('pass')), { source: 'pass', maxBytes: 1e8, policy: { kind: 'own-run' } });
  const current: PreviousPublication = publicationOf(cert, SHA);
  const render = (previous: PreviousPublication | null) => commentFor({ certificate: cert, checkName: 'InvarLock / certify', links: { run: 'https://run', artifact: null, checkRun: null }, headSha: SHA, previous });

  it('creates one comment with the markers, then updates it in place with the delta', async () => {
    const a = api();
    const first = await publishStickyComment(a, { issue: 7, checkName: 'InvarLock / certify', mode: 'always', creation: 'allowed', current, render });
    expect(first.kind).toBe('created');
    const body = gh.comments[0]?.body ?? '';
    expect(body.startsWith(stickyMarker('InvarLock / certify'))).toBe(true);
    expect(body).toContain(dataMarker(current));
    const second = await publishStickyComment(a, { issue: 7, checkName: 'InvarLock / certify', mode: 'always', creation: 'allowed', current: { ...current, headSha: 'b'.repeat(40) }, render });
    expect(second.kind).toBe('updated');
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]?.body).toContain('Same certificate');
  });

  it('skips on-change when the digest and verdict are unchanged', async () => {
    gh.addComment(7, render(null));
    const result = await publishStickyComment(api(), { issue: 7, checkName: 'InvarLock / certify', mode: 'on-change', creation: 'allowed', current, render });
    expect(result.kind).toBe('unchanged');
    expect(gh.writes()).toHaveLength(0);
  });

  it('on-fail creates nothing for a pass, but refreshes an existing comment', async () => {
    const a = api();
    expect((await publishStickyComment(a, { issue: 7, checkName: 'n', mode: 'on-fail', creation: 'allowed', current, render })).kind).toBe('not-needed');
    gh.addComment(7, `${stickyMarker('n')}\nold failure`);
    expect((await publishStickyComment(a, { issue: 7, checkName: 'n', mode: 'on-fail', creation: 'allowed', current, render: () => `${stickyMarker('n')}\nfixed` })).kind).toBe('updated');
  });

  it('prefers the bot\'s comment over a user comment quoting the marker', async () => {
    gh.addComment(7, `${stickyMarker('n')}\nquoted by a user`, 'User');
    const bot = gh.addComment(7, `${stickyMarker('n')}\nours`, 'Bot');
    await publishStickyComment(api(), { issue: 7, checkName: 'n', mode: 'always', creation: 'allowed', current, render: () => `${stickyMarker('n')}\nnew` });
    expect(gh.requests.find((r) => r.method === 'PATCH')?.path).toBe(`/repos/o/r/issues/comments/${bot}`);
  });

  it('finds the sticky comment beyond the first page', async () => {
    for (let i = 0; i < 130; i += 1) gh.addComment(7, `chatter ${i}`, 'User');
    const id = gh.addComment(7, `${stickyMarker('n')}\nours`);
    await publishStickyComment(api(), { issue: 7, checkName: 'n', mode: 'always', creation: 'allowed', current, render: () => `${stickyMarker('n')}\nnew` });
    expect(gh.requests.filter((r) => r.method === 'GET')).toHaveLength(2);
    expect(gh.requests.find((r) => r.method === 'PATCH')?.path).toBe(`/repos/o/r/issues/comments/${id}`);
  });

  it('degrades to a notice on 403 (no pull-requests: write)', async () => {
    gh.fail('POST', /comments$/, 403, 1, {}, 'Resource not accessible by integration');
    const result = await publishStickyComment(api(), { issue: 7, checkName: 'n', mode: 'always', creation: 'allowed', current, render });
    expect(result).toMatchObject({ kind: 'degraded', status: 403 });
  });

  it('recreates the comment when the old one was deleted', async () => {
    gh.addComment(7, `${stickyMarker('n')}\nold`);
    gh.fail('PATCH', /comments\/\d+$/, 404, 1);
    const result = await publishStickyComment(api(), { issue: 7, checkName: 'n', mode: 'always', creation: 'allowed', current, render: () => `${stickyMarker('n')}\nnew` });
    expect(result.kind).toBe('created');
  });

  it('keeps the comment within 65,536 characters', async () => {
    const big = () => `${stickyMarker('n')}\n${'😀 long line\n\n'.repeat(20_000)}`;
    await publishStickyComment(api(), { issue: 7, checkName: 'n', mode: 'always', creation: 'allowed', current, render: big });
    expect(gh.comments[0]?.body.length).toBeLessThanOrEqual(65_536);
  });
});
