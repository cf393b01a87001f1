import { loadTokenizer } from './src/adapters/tokenizer/index.js';
import { loadDataset } from './src/eval/data/index.js';
import { buildWindowPlan } from './src/eval/windows/index.js';
let s = 1;
const rand = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
const data = await loadDataset('wikitext2', { dataPath: '/work/shared/data/wikitext-2-raw/test.txt' });
if (data.kind !== 'documents') throw new Error();
for (const model of ['tests/fixtures/tokenizers/byte-bpe', 'tests/fixtures/models/gpt2-tiny', 'tests/fixtures/models/llama-tiny']) {
  const tok = await loadTokenizer(model);
  const runs: number[] = []; const cpus: number[] = []; let t: Record<string, number> = {};
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage(); const t0 = performance.now();
    const plan = buildWindowPlan(data.documents, tok, { seqLen: 128, previewN: 200, finalN: 200, objective: 'causal', separatorId: tok.specialTokens.eos ?? null, rand, tokenizerHash: tok.hash });
    runs.push(performance.now() - t0); const c = process.cpuUsage(c0); cpus.push((c.user + c.system) / 1000);
    if (runs.length === 1 || runs[runs.length - 1]! <= Math.min(...runs)) t = { ...plan.timingsMs };
  }
  console.log(model, 'min wall ms', Math.round(Math.min(...runs)), 'min cpu ms', Math.round(Math.min(...cpus)), JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)]))));
}
