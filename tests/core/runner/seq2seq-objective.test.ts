/**
 * The seq2seq objective of the certify runner on the trained encoder–decoder fixtures (Optimum
 * layouts): t5-tiny (encoder_model + decoder_model_merged, relative attention, untied head) and
 * bart-tiny (encoder_model + decoder_model + decoder_with_past_model, learned positions, tied head),
 * on the 400 "summarize: " pairs of seq2seq-lead.jsonl, 200/200 examples. Each baseline is
 * certified against itself (ratio exactly 1, CI [1, 1]), its int8-dynamic twin (pass) and a 3-bit
 * RTN edit (fail), with the weight guards over both stacks and RMT over encoder activations.
 *
 * The dev profile: 400 targets of eight words give ~10k scored tokens, below the release token
 * floor (50k); the dev profile reports that floor informationally and gates everything else.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/adapters/index.js';
import { parseRunConfigFile, resolveRunConfig, type RunConfig, type RunConfigFile } from '../../../src/core/config/index.js';
import { certify, type CertifyRun } from '../../../src/core/index.js';
import { BUNDLED_POLICIES, resolvePolicy } from '../../../src/core/policy/index.js';
import { seedsOf } from '../../../src/core/runner/provenance.js';
import { SEQ2SEQ_OBJECTIVE } from '../../../src/core/runner/seq2seq-objective.js';
import { verifyCertificate, type Certificate } from '../../../src/report/index.js';
import { writeSafetensors } from '../../edits/lora/safetensors-writer.js';
import { randomData } from '../../guards/weights-fixture.js';
import { eventLog, MODELS, REPO_ROOT, removeDir, tempDir } from './runner-fixtures.js';

const DATA = join(REPO_ROOT, 'tests/fixtures/data/seq2seq-lead.jsonl');
const PROVIDER = `jsonl:${DATA}#src=text,tgt=lead,prefix=summarize:%20`;
const RUN_TIMEOUT = 120_000;

function config(baseline: string, record: Partial<RunConfigFile> = {}): RunConfig {
  const file = parseRunConfigFile(
    {
      baseline,
      ...(record.edit === undefined && record.subjects === undefined && record.subject_lora === undefined ? { subjects: [{ model: baseline }] } : {}),
      profile: 'dev',
      device: 'cpu',
      threads: 1,
      ...record,
      dataset: { provider: PROVIDER, preview_n: 200, final_n: 200, ...record.dataset },
    },
    'test',
  );
  return resolveRunConfig(file, 'test');
}

function subject(run: CertifyRun, label: string): Certificate {
  const found = run.subjects.find((s) => s.label === label);
  if (found === undefined) throw new Error(`no certificate for ${label} (have ${run.subjects.map((s) => s.label).join(', ')})`);
  return found.certificate;
}

/** Spectral modules of a certificate, by key prefix. */
function spectralModules(cert: Certificate): string[] {
  const m = cert.guards.spectral.measurements as { modules?: { module: string }[] } | null;
  return (m?.modules ?? []).map((x) => x.module);
}

/** `verify` re-derives the statistics and the verdict from the certificate alone. */
function expectVerified(cert: Certificate): void {
  const verified = verifyCertificate(JSON.parse(JSON.stringify(cert)), { policy: BUNDLED_POLICIES });
  expect(verified.checks.filter((c) => c.status === 'fail')).toEqual([]);
  expect(verified).toMatchObject({ exitCode: 0, verdict: cert.verdict.status });
}

let scratch: string;
beforeAll(() => {
  scratch = tempDir('seq2seq-objective-');
});
afterAll(() => removeDir(scratch));

describe.each([
  { name: 't5-tiny', decoder: 'decoder_model_merged.onnx', encoderPrefix: 'encoder.block.', decoderPrefix: 'decoder.block.', cross: 'EncDecAttention' },
  { name: 'bart-tiny', decoder: 'decoder_model.onnx', encoderPrefix: 'model.encoder.layers.', decoderPrefix: 'model.decoder.layers.', cross: 'encoder_attn' },
])('$name', ({ name, decoder, encoderPrefix, decoderPrefix, cross }) => {
  const base = join(MODELS, name);
  const twin = join(MODELS, `${name}-int8-dynamic`);
  let compare: CertifyRun;
  let rtn3: CertifyRun;
  const log = eventLog();

  beforeAll(async () => {
    compare = await certify(config(base, { subjects: [{ label: 'self', model: base }, { label: 'int8', model: twin }] }), { cwd: REPO_ROOT, onEvent: log.onEvent });
    rtn3 = await certify(config(base, { edit: { name: 'quant_rtn', config: { bits: 3 } } }), { cwd: REPO_ROOT });
  }, 2 * RUN_TIMEOUT);

  it('loads the Optimum layout: the decoder as main graph, the encoder beside it, never decoder_with_past', async () => {
    const model = await loadModel(base);
    expect(model.adapter).toBe('onnx_seq2seq');
    expect(model.graph.path.endsWith(decoder)).toBe(true);
    expect(model.encoder?.path.endsWith('encoder_model.onnx')).toBe(true);
    // the encoder graph was exported alone (no `encoder.` scope); its weights resolve into the encoder stack
    const encoderKeys = model.weights.filter((w) => w.graph === 'encoder').map((w) => w.key);
    expect(encoderKeys.filter((k) => k.startsWith(encoderPrefix)).length).toBeGreaterThan(10);
    expect(model.weights.filter((w) => w.graph === 'encoder' && w.role === 'embed_tokens')).toHaveLength(1);
    expect(model.weights.filter((w) => w.key.includes(`.${cross}.`) && w.role === 'q')).toHaveLength(2);
  });

  it('certifies the baseline against itself: ratio exactly 1, CI [1, 1], a verifiable pass', () => {
    const cert = subject(compare, 'self');
    expect(cert.primary_metric.kind).toBe('ppl_seq2seq');
    expect(cert.primary_metric.ratio).toBe(1);
    expect(cert.primary_metric.ratio_ci).toEqual([1, 1]);
    expect(cert.verdict.status).toBe('pass');
    expect(cert.primary_metric.windows).toEqual({ preview: 200, final: 200 });
    expect(cert.dataset.provider).toBe(PROVIDER);
    // the truncation rule is recorded: both fields cut at the source/target limits, keeping their heads
    expect(cert.dataset.truncation?.rule).toBe('keep_head');
    expect(cert.dataset.truncation?.fields.map((f) => [f.field, f.max_tokens])).toEqual([
      ['source', cert.dataset.seq_len],
      ['target', cert.dataset.stride],
    ]);
    expect(cert.pairing.match).toBe(1);
    expectVerified(cert);
  });

  it('passes its int8-dynamic twin, with the guards over both stacks', () => {
    const cert = subject(compare, 'int8');
    expect(cert.verdict.status).toBe('pass');
    expect(cert.primary_metric.ratio).toBeGreaterThan(1);
    expect(cert.primary_metric.ratio_ci![1]).toBeLessThan(1.02);
    for (const guard of ['invariants', 'spectral', 'rmt'] as const) expect(cert.guards[guard].evaluated).toBe(true);
    const modules = spectralModules(cert);
    expect(modules.some((m) => m.startsWith(encoderPrefix))).toBe(true);
    expect(modules.some((m) => m.startsWith(decoderPrefix) && m.includes(`.${cross}.`))).toBe(true);
    // cross-attention is its own family: its modules, and only they, are judged as cross_attn
    const spectral = cert.guards.spectral.measurements!;
    const crossModules = spectral.modules.filter((m) => m.module.includes(`.${cross}.`));
    expect(crossModules.length).toBeGreaterThan(0);
    expect(spectral.modules.filter((m) => m.family === 'cross_attn')).toEqual(crossModules);
    expect(spectral.families.map((f) => f.family)).toEqual(expect.arrayContaining(['attn', 'cross_attn', 'ffn']));
    // RMT taps activations at graph outputs; a merged decoder is scored as the branch it takes
    // (inlined), so its decoder's self- and cross-attention activations are tapped too
    const rmt = cert.guards.rmt.measurements!;
    expect(rmt.families.map((f) => f.family)).toContain('cross_attn');
    expect(rmt.modules.some((m) => m.module.startsWith(decoderPrefix) || m.module.includes('decoder'))).toBe(true);
    expect(cert.guards.variance.evaluated).toBe(false);
    expectVerified(cert);
  });

  // RMT fails on it but is advisory in balanced (contracts/tiers.json): the primary metric decides
  it('flags a 3-bit RTN edit of both stacks', () => {
    const cert = subject(rtn3, rtn3.subjects[0]!.label);
    expect(cert.verdict.status).toBe(cert.validation.primary_metric_acceptable === false ? 'fail' : 'warn');
    expect(cert.verdict.reasons.map((r) => `${r.gate}:${r.code}`)).toContain('rmt:guard_advisory');
    expect(cert.primary_metric.ratio).toBeGreaterThan(1.02);
    expect(cert.change.modules_touched?.some((m) => m.startsWith(encoderPrefix))).toBe(true);
    expect(cert.change.modules_touched?.some((m) => m.startsWith(decoderPrefix))).toBe(true);
    expect(cert.guards.rmt.status).toBe('fail');
    expectVerified(cert);
  });
});

describe('LoRA on both stacks (t5-tiny)', () => {
  it('merges a PEFT adapter on q/v of encoder self-attention and decoder self- and cross-attention', async () => {
    const base = join(MODELS, 't5-tiny');
    const dir = join(scratch, 't5-lora');
    mkdirSync(dir, { recursive: true });
    const modules = [0, 1].flatMap((b) => [
      ...['q', 'v'].map((p) => `encoder.block.${b}.layer.0.SelfAttention.${p}`),
      ...['q', 'v'].map((p) => `decoder.block.${b}.layer.0.SelfAttention.${p}`),
      ...['q', 'v'].map((p) => `decoder.block.${b}.layer.1.EncDecAttention.${p}`),
    ]);
    const r = 2;
    const tensors = modules.flatMap((module, i) => [
      { name: `base_model.model.${module}.lora_A.weight`, dtype: 'F32' as const, shape: [r, 64], values: [...randomData(r, 64, 100 + 2 * i, 0.05)] },
      { name: `base_model.model.${module}.lora_B.weight`, dtype: 'F32' as const, shape: [64, r], values: [...randomData(64, r, 101 + 2 * i, 0.05)] },
    ]);
    writeFileSync(join(dir, 'adapter_model.safetensors'), writeSafetensors(tensors));
    writeFileSync(
      join(dir, 'adapter_config.json'),
      JSON.stringify({ peft_type: 'LORA', task_type: 'SEQ_2_SEQ_LM', r, lora_alpha: 4, target_modules: ['q', 'v'], fan_in_fan_out: false, base_model_name_or_path: 'tests/fixtures/models/t5-tiny' }),
    );
    const run = await certify(config(base, { subject_lora: [{ label: 'lora', path: dir }] }), { cwd: REPO_ROOT });
    const cert = subject(run, 'lora');
    expect([...(cert.change.modules_touched ?? [])].sort()).toEqual([...modules].sort());
    expect(cert.primary_metric.ratio).not.toBe(1);
    expect(cert.models.subject.lora_adapters).toEqual([expect.objectContaining({ rank: 2, alpha: 4 })]);
    expectVerified(cert);
  }, RUN_TIMEOUT);
});

describe('preparation', () => {
  it('frames sources and targets like the tokenizer, starts the decoder at decoder_start_token_id, and records the limits', async () => {
    const run = config(join(MODELS, 'bart-tiny'), { dataset: { provider: PROVIDER, preview_n: 20, final_n: 20, seq_len: 16 } });
    const policy = resolvePolicy({ tier: run.tier, profile: run.profile, overrides: { windows: { preview_n: 20, final_n: 20 } } });
    const baseline = await loadModel(join(MODELS, 'bart-tiny'));
    const events = eventLog();
    const evaluation = await SEQ2SEQ_OBJECTIVE.prepare({ config: run, policy, seeds: seedsOf(run.seed, policy), baseline, cwd: REPO_ROOT, onEvent: events.onEvent });
    expect(evaluation.dataset.seq_len).toBe(16);
    expect(evaluation.dataset.stride).toBe(16);
    expect(evaluation.windowPlan).toBeNull();
    expect(evaluation.variance.kind).toBe('not_applicable');
    const first = evaluation.planned.preview[0]!;
    // <s> … </s> around the target, every label scored
    expect(first.ids[0]).toBe(0);
    expect(first.ids[first.ids.length - 1]).toBe(2);
    expect(first.scoredCount).toBe(first.ids.length);
    expect(first.ids.length).toBeLessThanOrEqual(16);
    expect(events.events.some((e) => e.type === 'warning' && e.id === 'pairs_truncated')).toBe(true);
  });

  it('refuses a documents dataset for an encoder–decoder', async () => {
    const run = config(join(MODELS, 't5-tiny'), { dataset: { provider: `jsonl:${DATA}#text`, preview_n: 20, final_n: 20 } });
    const policy = resolvePolicy({ tier: run.tier, profile: run.profile });
    const baseline = await loadModel(join(MODELS, 't5-tiny'));
    await expect(SEQ2SEQ_OBJECTIVE.prepare({ config: run, policy, seeds: seedsOf(run.seed, policy), baseline, cwd: REPO_ROOT })).rejects.toMatchObject({ code: 'E_DATASET_INVALID' });
  });
});
