import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer, type LoadedTokenizer } from '../../../src/adapters/tokenizer/index.js';
import { loadDataset } from '../../../src/eval/data/index.js';
import { buildWindowPlan, type EvalWindow, type WindowPlanOptions } from '../../../src/eval/windows/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';
import { charCodec, seededRand } from './helpers.js';

const WIKITEXT_TEST = fileURLToPath(new URL('../../fixtures/data/wikitext-2/test-raw-10-articles.txt', import.meta.url));
const BPE = fileURLToPath(new URL('../../fixtures/tokenizers/byte-bpe', import.meta.url));

let tok: LoadedTokenizer;
let articles: readonly string[];

beforeAll(async () => {
  tok = await loadTokenizer(BPE);
  const data = await loadDataset('wikitext2', { dataPath: WIKITEXT_TEST });
  articles = data.kind === 'documents' ? data.documents : [];
});

function options(overrides: Partial<WindowPlanOptions> = {}): WindowPlanOptions {
  return { seqLen: 64, previewN: 40, finalN: 40, objective: 'causal', separatorId: 1256, rand: seededRand(42), tokenizerHash: tok.hash, ...overrides };
}

function leHash(ids: Uint32Array): string {
  const bytes = Buffer.alloc(ids.length * 4);
  ids.forEach((id, i) => bytes.writeUInt32LE(id, i * 4));
  return createHash('sha256').update(bytes).digest('hex');
}

function armHash(windows: readonly EvalWindow[]): string {
  return createHash('sha256').update(Buffer.concat(windows.map((w) => Buffer.from(leHash(w.ids), 'hex')))).digest('hex');
}

describe('buildWindowPlan on WikiText-2 with a byte-level BPE tokenizer', () => {
  it('is deterministic: the same seed gives the same windows and hashes, another seed another draw', () => {
    const docs = articles.slice(0, 3);
    const a = buildWindowPlan(docs, tok, options());
    const b = buildWindowPlan(docs, tok, options());
    expect(b.hashes).toEqual(a.hashes);
    expect(b.preview.map((w) => w.id)).toEqual(a.preview.map((w) => w.id));
    expect(b.final.map((w) => Array.from(w.ids))).toEqual(a.final.map((w) => Array.from(w.ids)));
    const c = buildWindowPlan(docs, tok, options({ rand: seededRand(7) }));
    expect(c.hashes.dataset).not.toBe(a.hashes.dataset);
    expect(c.hashes.tokenizer).toBe(tok.hash);
  });

  it('draws disjoint arms of the requested sizes, in stream order, from the tokenized stream', () => {
    const plan = buildWindowPlan(articles.slice(0, 3), tok, options({ previewN: 30, finalN: 50 }));
    expect(plan.preview).toHaveLength(30);
    expect(plan.final).toHaveLength(50);
    const previewIds = new Set(plan.preview.map((w) => w.id));
    expect(plan.final.some((w) => previewIds.has(w.id))).toBe(false);
    for (const arm of [plan.preview, plan.final]) {
      expect(arm.map((w) => w.start)).toEqual([...arm.map((w) => w.start)].sort((x, y) => x - y));
    }
    // Window content is the stream: re-encoding the articles joined by EOS gives the same ids at `start`.
    const stream = articles.slice(0, 3).flatMap((doc, i) => [...(i > 0 ? [1256] : []), ...tok.encode(doc)]);
    expect(plan.counts.streamTokens).toBe(stream.length);
    for (const w of [...plan.preview, ...plan.final]) {
      expect(w.id).toBe(`w${w.start}`);
      expect(w.start % plan.stride).toBe(0);
      expect(Array.from(w.ids)).toEqual(stream.slice(w.start, w.start + 64));
      expect(w.scoreFrom).toBe(1);
      expect(w.scoredCount).toBe(63);
    }
    expect(plan.scoredTokens).toEqual({ preview: 30 * 63, final: 50 * 63 });
    expect(plan.counts).toMatchObject({ documents: 3, candidates: Math.floor(stream.length / 64), duplicatesRemoved: 0, preview: 30, final: 50 });
  });

  it('hashes windows as sha256 of uint32 little-endian ids, arms over the raw window hashes, the dataset over both arms', () => {
    const plan = buildWindowPlan(articles.slice(0, 2), tok, options({ previewN: 10, finalN: 10 }));
    for (const w of plan.preview) expect(w.hash).toBe(leHash(w.ids));
    expect(plan.hashes.preview).toBe(armHash(plan.preview));
    expect(plan.hashes.final).toBe(armHash(plan.final));
    const dataset = createHash('sha256').update(Buffer.from(plan.hashes.preview, 'hex')).update(Buffer.from(plan.hashes.final, 'hex')).digest('hex');
    expect(plan.hashes.dataset).toBe(dataset);
  });

  it('balances the mean difficulty of the arms to within 1e-4', () => {
    const plan = buildWindowPlan(articles.slice(0, 6), tok, options({ previewN: 100, finalN: 100 }));
    expect(plan.balance.status).toBe('within-tolerance');
    expect(plan.balance.gap).toBeLessThan(1e-4);
    const mean = (arm: readonly EvalWindow[]): number => arm.reduce((s, w) => s + w.difficulty, 0) / arm.length;
    expect(Math.abs(mean(plan.preview) - mean(plan.final))).toBeCloseTo(plan.balance.gap, 12);
    expect(plan.preview.every((w) => w.difficulty > 0)).toBe(true);
  });

  it('with stride < seq_len scores only the last stride positions of later windows, never a token twice', () => {
    const plan = buildWindowPlan(articles.slice(0, 3), tok, options({ stride: 16, previewN: 60, finalN: 60 }));
    expect(plan.stride).toBe(16);
    const scored = new Set<number>();
    for (const w of [...plan.preview, ...plan.final]) {
      expect(w.scoredCount).toBe(w.start === 0 ? 63 : 16);
      expect(w.scoreFrom).toBe(w.start === 0 ? 1 : 48);
      for (let p = w.scoreFrom; p < w.scoreFrom + w.scoredCount; p++) {
        expect(scored.has(w.start + p)).toBe(false);
        scored.add(w.start + p);
      }
    }
  });

  it('tokenizes ten WikiText-2 test articles once and draws 400 balanced windows of 128 tokens', () => {
    const plan = buildWindowPlan(articles, tok, options({ seqLen: 128, previewN: 200, finalN: 200 }));
    // 86,741 tokens: 677 candidate windows, so the draw and the balancing swaps have room.
    expect(plan.counts.documents).toBe(10);
    expect(plan.counts.streamTokens).toBeGreaterThan(80_000);
    expect(plan.counts.preview + plan.counts.final).toBe(400);
    expect(plan.balance.gap).toBeLessThan(1e-4);
    // speed is measured in bench/, never asserted here
  });
});

describe('buildWindowPlan with a one-token-per-character codec', () => {
  const doc = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

  it('removes windows whose ids repeat an earlier window before the draw', () => {
    // 62 characters + separator, repeated: windows of 63 aligned to the period repeat exactly.
    const plan = buildWindowPlan([doc, doc, doc, doc], charCodec, {
      seqLen: 21, previewN: 1, finalN: 2, objective: 'masked', separatorId: 1, rand: seededRand(1), tokenizerHash: 'x',
    });
    // Stream: 4 × 62 + 3 = 251 tokens → 11 windows of 21; period 63 = 3 windows, so windows 3… repeat 0…
    expect(plan.counts.candidates).toBe(3);
    expect(plan.counts.duplicatesRemoved).toBe(8);
    const all = [...plan.preview, ...plan.final].map((w) => w.hash);
    expect(new Set(all).size).toBe(3);
  });

  it('frames windows with prefix and suffix ids and scores only content', () => {
    const plan = buildWindowPlan([doc.repeat(4)], charCodec, {
      seqLen: 12, previewN: 3, finalN: 3, objective: 'masked', separatorId: null, prefixIds: [2], suffixIds: [3], rand: seededRand(5), tokenizerHash: 'x',
    });
    expect(plan.contentLen).toBe(10);
    for (const w of [...plan.preview, ...plan.final]) {
      expect(w.ids[0]).toBe(2);
      expect(w.ids[11]).toBe(3);
      expect(w.scoreFrom).toBe(1);
      expect(w.scoredCount).toBe(10);
    }
  });

  it('says how many windows were possible when there is too little text', () => {
    try {
      buildWindowPlan([doc], charCodec, { seqLen: 10, previewN: 4, finalN: 4, objective: 'causal', separatorId: null, rand: seededRand(1), tokenizerHash: 'x' });
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_INSUFFICIENT_DATA')).toBe(true);
      expect(isInvarlockError(error) && error.details).toMatchObject({ possible: 6, requested: 8, streamTokens: 62 });
    }
  });

  it('rejects non-positive counts and a bad separator with E_WINDOW_CONFIG', () => {
    const base = { seqLen: 10, previewN: 1, finalN: 1, objective: 'causal' as const, separatorId: null, rand: seededRand(1), tokenizerHash: 'x' };
    for (const bad of [{ previewN: 0 }, { finalN: 1.5 }, { separatorId: -1 }]) {
      expect(() => buildWindowPlan([doc], charCodec, { ...base, ...bad })).toThrow(expect.objectContaining({ code: 'E_WINDOW_CONFIG' }));
    }
  });
});
