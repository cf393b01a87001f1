import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../src/adapters/tokenizer/index.js';
import { loadDataset } from '../../../src/eval/data/index.js';
import { buildWindowPlan, maskWindow } from '../../../src/eval/windows/index.js';
import { seededRand } from './helpers.js';

const models = fileURLToPath(new URL('../../fixtures/models/', import.meta.url));
const WIKITEXT_TEST = fileURLToPath(new URL('../../fixtures/data/wikitext-2/test-raw-10-articles.txt', import.meta.url));
let documents: readonly string[] = [];

beforeAll(async () => {
  const data = await loadDataset('wikitext2', { dataPath: WIKITEXT_TEST });
  documents = data.kind === 'documents' ? data.documents.slice(0, 3) : [];
});

describe('window plans with the fixture models’ tokenizers', () => {
  it('llama-tiny: windows open with <s>, articles are joined by </s>, every content token is scored', async () => {
    const tok = await loadTokenizer(`${models}llama-tiny`);
    const bos = tok.specialTokens.bos ?? -1;
    const plan = buildWindowPlan(documents, tok, {
      seqLen: 128, previewN: 20, finalN: 20, objective: 'causal', separatorId: tok.specialTokens.eos ?? null,
      prefixIds: [bos], rand: seededRand(1), tokenizerHash: tok.hash,
    });
    for (const w of [...plan.preview, ...plan.final]) {
      expect(w.ids[0]).toBe(1);
      expect(w.scoreFrom).toBe(1);
      expect(w.scoredCount).toBe(127);
    }
    expect(plan.hashes.tokenizer).toBe(tok.hash);
    expect(plan.balance.gap).toBeLessThan(1e-4);
  });

  it('bert-tiny: [CLS] … [SEP] windows whose masks never touch special tokens', async () => {
    const tok = await loadTokenizer(`${models}bert-tiny`);
    const { cls, sep, mask } = tok.specialTokens;
    const plan = buildWindowPlan(documents, tok, {
      seqLen: 64, previewN: 10, finalN: 10, objective: 'masked', separatorId: sep ?? null,
      prefixIds: [cls ?? 0], suffixIds: [sep ?? 0], rand: seededRand(2), tokenizerHash: tok.hash,
    });
    for (const w of [...plan.preview, ...plan.final]) {
      expect([w.ids[0], w.ids[63]]).toEqual([2, 3]);
      const masked = maskWindow(w, { seed: 99, maskId: mask ?? 0, vocabSize: tok.vocabSize, specialIds: tok.specialIds });
      expect(masked.positions.length).toBeGreaterThanOrEqual(1);
      for (const p of masked.positions) expect(tok.specialIds).not.toContain(w.ids[p]);
    }
  });
});
