/**
 * Sharded certify runs merge to the unsharded certificate (digest equal) for subjects whose guards
 * read the preview arm: a built-in edit (the variance guard proposes scales and runs its A/B on the
 * preview arm) and a LoRA merged as an edit. Every shard scores the whole preview arm and only its share of the
 * final arm, so the guards decide the same in every shard.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregateShards, certify, type BaselineEvaluation, type ShardPartial } from '../../../src/core/index.js';
import { buildCertificate, type Certificate } from '../../../src/report/index.js';
import { eventLog, GPT2, LORAS, runConfig, tempDir } from './runner-fixtures.js';

const RUN_TIMEOUT = 300_000;

type Record = Parameters<typeof runConfig>[0];

let saved: BaselineEvaluation | null = null;

async function unsharded(record: Record): Promise<Certificate> {
  const run = await certify(runConfig(record), { cwd: process.cwd() });
  expect(run.partials).toEqual([]);
  saved = run.baselineEvaluation;
  return run.subjects[0]!.certificate;
}

async function sharded(record: Record, count: number): Promise<{ partials: ShardPartial[]; certificate: Certificate }> {
  const partials: ShardPartial[] = [];
  for (let index = 0; index < count; index++) {
    const run = await certify(runConfig({ ...record, shard: { index, count } }), { cwd: process.cwd() });
    expect(run.subjects).toEqual([]);
    partials.push(...run.partials);
  }
  // the order the partials arrive in does not matter
  return { partials, certificate: buildCertificate(aggregateShards([...partials].reverse())) };
}

// 32 final windows: 3 shards split them unevenly (11, 11, 10)
describe.each([
  { name: 'quant_rtn edit', shards: 3, record: { baseline: GPT2, edit: { name: 'quant_rtn', config: { bits: 4, scope: 'ffn' } } } satisfies Record },
  { name: 'lora edit', shards: 2, record: { baseline: GPT2, edit: { name: 'lora', config: { adapters: [{ path: join(LORAS, 'gpt2-tiny-lora') }] } } } satisfies Record },
])('sharded $name', ({ record, shards }) => {
  let whole: Certificate;
  let parts: { partials: ShardPartial[]; certificate: Certificate };
  beforeAll(async () => {
    whole = await unsharded(record);
    parts = await sharded(record, shards);
  }, RUN_TIMEOUT);

  it('every shard scores the whole preview arm and its share of the final arm', () => {
    const preview = whole.windows.preview.ids;
    for (const p of parts.partials) {
      expect(p.input.windows.preview.ids).toEqual(preview);
      expect(p.input.windows.final.ids).toEqual(whole.windows.final.ids.filter((_, i) => i % shards === p.shard.index));
    }
  });

  it('aggregates to the unsharded certificate: same guards, windows, pairing and digest', () => {
    const cert = parts.certificate;
    // the variance guard ran on the preview arm (proposal and A/B), so the shards had something to disagree on
    expect(whole.guards.variance.measurements).toMatchObject({ mode: 'edit', predictive_gate: expect.stringMatching(/^(pass|fail)$/) });
    expect(cert.guards).toEqual(whole.guards);
    expect(cert.windows).toEqual(whole.windows);
    expect(cert.pairing).toEqual(whole.pairing);
    expect(cert.verdict).toEqual(whole.verdict);
    expect(cert.digest).toBe(whole.digest);
  });

  it('a shard reusing the unsharded run\'s saved baseline evaluation takes its share of the final arm', async () => {
    const path = join(tempDir('shard-reuse'), 'baseline-eval.json');
    writeFileSync(path, JSON.stringify(saved));
    const log = eventLog();
    const run = await certify(runConfig({ ...record, shard: { index: 1, count: shards }, baseline_eval: path }), { cwd: process.cwd(), onEvent: log.onEvent });
    expect(log.events).toContainEqual(expect.objectContaining({ type: 'info', message: expect.stringContaining('reusing the baseline evaluation') }));
    const fresh = parts.partials.find((p) => p.shard.index === 1)!;
    expect(run.partials[0]!.input.windows).toEqual(fresh.input.windows);
    expect(run.partials[0]!.input.pairing).toEqual(fresh.input.pairing);
  }, RUN_TIMEOUT);

  it('refuses a shard whose preview arm differs (it measured other guards)', () => {
    const [head, ...rest] = parts.partials;
    const preview = head!.input.windows.preview;
    const forged: ShardPartial = { ...head!, input: { ...head!.input, windows: { ...head!.input.windows, preview: { ...preview, subject: preview.subject.map((v) => v + 1e-9) } } } };
    expect(() => aggregateShards([forged, ...rest])).toThrow(expect.objectContaining({ code: 'E_CONFIG_INVALID' }));
  });
});
