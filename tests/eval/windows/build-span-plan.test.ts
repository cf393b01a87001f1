import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildSpanPlan, CODE_POINT_CODEC } from '../../../src/eval/windows/index.js';
import { seededRand } from './helpers.js';

// ASCII, two-byte (é), three-byte (€) and four-byte (an emoji: a surrogate pair in UTF-16) characters
const DOCUMENTS = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}: café costs 3 € — 🙂 ${'word '.repeat(i % 7)}end.`);

describe('buildSpanPlan', () => {
  const plan = buildSpanPlan(DOCUMENTS, { spanChars: 24, previewN: 8, finalN: 8, rand: seededRand(7) });
  const spans = [...plan.preview, ...plan.final];

  it('cuts spans of whole code points from the newline-joined documents, every code point scored', () => {
    const stream = [...DOCUMENTS.join('\n')];
    for (const span of spans) {
      expect([...span.text]).toHaveLength(24);
      expect(span.text).toBe(stream.slice(span.window.start, span.window.start + 24).join(''));
      expect(span.window.scoreFrom).toBe(0);
      expect(span.window.scoredCount).toBe(24);
      // no lone surrogate: the text round-trips through UTF-8
      expect(new TextDecoder().decode(new TextEncoder().encode(span.text))).toBe(span.text);
    }
  });

  it("weighs each span by its UTF-8 bytes and hashes its code points (pairing by text)", () => {
    for (const span of spans) {
      expect(span.bytes).toBe(Buffer.byteLength(span.text, 'utf8'));
      const ids = CODE_POINT_CODEC.encode(span.text);
      expect(span.window.hash).toBe(createHash('sha256').update(Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength)).digest('hex'));
    }
    expect(spans.some((s) => s.bytes > [...s.text].length)).toBe(true);
  });

  it('draws disjoint arms, the same for the same seed', () => {
    const ids = new Set(spans.map((s) => s.window.id));
    expect(ids.size).toBe(16);
    const again = buildSpanPlan(DOCUMENTS, { spanChars: 24, previewN: 8, finalN: 8, rand: seededRand(7) });
    expect(again.plan.hashes).toEqual(plan.plan.hashes);
  });
});
