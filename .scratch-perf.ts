import { loadTokenizer } from './src/adapters/tokenizer/index.js';
import { loadDataset } from './src/eval/data/index.js';
import { buildWindowPlan } from './src/eval/windows/index.js';
let s = 1;
const rand = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
for (const model of ['tests/fixtures/tokenizers/byte-bpe', 'tests/fixtures/models/gpt2-tiny', 'tests/fixtures/models/llama-tiny']) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const tok = await loadTokenizer(model);
  const t1 = performance.now();
  const data = await loadDataset('wikitext2', { dataPath: '/work/shared/data/wikitext-2-raw/test.txt' });
  const t2 = performance.now();
  if (data.kind !== 'documents') throw new Error();
  const plan = buildWindowPlan(data.documents, tok, { seqLen: 128, previewN: 200, finalN: 200, objective: 'causal', separatorId: tok.specialTokens.eos ?? null, rand, tokenizerHash: tok.hash });
  const t3 = performance.now();
  const cpu = process.cpuUsage(c0);
  console.log(model, JSON.stringify({ loadTokMs: Math.round(t1 - t0), loadDataMs: Math.round(t2 - t1), planMs: Math.round(t3 - t2), cpuMs: Math.round((cpu.user + cpu.system) / 1000), timings: Object.fromEntries(Object.entries(plan.timingsMs).map(([k, v]) => [k, Math.round(v)])), tokens: plan.counts.streamTokens, candidates: plan.counts.candidates, gap: plan.balance.gap, rssMB: Math.round(process.memoryUsage().rss / 1e6) }));
}
