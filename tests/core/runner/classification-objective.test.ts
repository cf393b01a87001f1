/**
 * The accuracy path of the certify runner on the trained cls-tiny classifier ("does this sentence
 * contain a digit?") and its 600-example WikiText-2 set: the baseline against itself, against a
 * copy whose classifier head is zeroed, and with a built-in 8-bit RTN edit; string labels mapped
 * through label2id and the same labels given as class ids. ci profile, balanced tier, 200/200
 * examples (the tier's minimum of 200 examples is met, so the gate is real evidence).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, writeWeights } from '../../../src/adapters/index.js';
import { parseRunConfigFile, resolveRunConfig, type RunConfig, type RunConfigFile } from '../../../src/core/config/index.js';
import type { RunEvent } from '../../../src/core/events/index.js';
import { certify } from '../../../src/core/index.js';
import { resolvePolicy } from '../../../src/core/policy/index.js';
import { CLASSIFICATION_OBJECTIVE } from '../../../src/core/runner/classification-objective.js';
import type { Evaluation } from '../../../src/core/runner/objective.js';
import { seedsOf } from '../../../src/core/runner/provenance.js';
import { verifyCertificate, type Certificate } from '../../../src/report/index.js';
import { MODELS, REPO_ROOT, removeDir, tempDir } from './runner-fixtures.js';

const CLS = join(MODELS, 'cls-tiny');
const DATA = join(REPO_ROOT, 'tests/fixtures/data/cls-digits.jsonl');
const RUN_TIMEOUT = 60_000;
const LABEL2ID: Readonly<Record<string, number>> = { no_digit: 0, digit: 1 };

let scratch: string;

function config(record: Partial<RunConfigFile> = {}, data = DATA): RunConfig {
  const file = parseRunConfigFile(
    {
      baseline: CLS,
      ...(record.edit === undefined ? { subjects: [{ model: CLS }] } : {}),
      profile: 'ci',
      device: 'cpu',
      threads: 1,
      ...record,
      dataset: { provider: `jsonl:${data}#text=text,label=label`, preview_n: 200, final_n: 200, ...record.dataset },
    },
    'test',
  );
  return resolveRunConfig(file, 'test');
}

/** The objective's data preparation alone (plan, labels), as `certify` runs it for this config. */
async function prepare(run: RunConfig): Promise<Evaluation> {
  const windows = { preview_n: run.dataset.previewN ?? 200, final_n: run.dataset.finalN ?? 200 };
  const policy = resolvePolicy({ tier: run.tier, profile: run.profile, overrides: { windows } });
  const baseline = await loadModel(CLS, { tokenizer: 'required' });
  return CLASSIFICATION_OBJECTIVE.prepare({ config: run, policy, seeds: seedsOf(run.seed, policy), baseline, cwd: REPO_ROOT });
}

/** cls-tiny with its classifier weight (2 × 64) set to zero: logits are the bias alone, one class for every input. */
async function writeZeroedHead(to: string): Promise<string> {
  const model = await loadModel(CLS, { tokenizer: 'required' });
  const head = model.weights.find((w) => w.module === 'classifier');
  if (head === undefined) throw new Error('cls-tiny has no classifier weight');
  const edited = writeWeights(model, new Map([[head.key, new Float32Array(head.rows * head.cols)]]), { mode: 'copy' });
  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) cpSync(join(CLS, file), join(to, file));
  writeFileSync(join(to, 'model.onnx'), edited.bytes);
  return to;
}

/** The evaluation set with every label replaced: `map` gets the label name and returns the new value. */
function writeRelabelled(to: string, map: (label: string) => unknown): string {
  const lines = readFileSync(DATA, 'utf8').trim().split('\n');
  const out = lines.map((line) => {
    const record = JSON.parse(line) as { text: string; label: string };
    return JSON.stringify({ text: record.text, label: map(record.label) });
  });
  writeFileSync(to, `${out.join('\n')}\n`);
  return to;
}

function reasonsOf(cert: Certificate): string[] {
  return cert.verdict.reasons.map((r) => `${r.gate}:${r.code}`);
}

function report(label: string, cert: Certificate): void {
  const pm = cert.primary_metric;
  console.log(
    `[classification-run] ${label}: verdict=${cert.verdict.status} reasons=${reasonsOf(cert).join(',') || '-'} ` +
      `accuracy base/subj preview=${pm.baseline.preview}/${pm.subject.preview} final=${pm.baseline.final}/${pm.subject.final} ` +
      `delta=${pm.delta_mean} pp ci=${JSON.stringify(pm.delta_ci)} guards=${(['invariants', 'spectral', 'rmt', 'variance'] as const).map((g) => `${g}:${cert.guards[g].status}`).join(',')}`,
  );
}

beforeAll(() => {
  scratch = tempDir('classification-objective');
});

afterAll(() => {
  removeDir(scratch);
});

describe('accuracy certificates of cls-tiny (ci profile, balanced tier, 200/200 examples)', () => {
  let same: Certificate;
  let zeroed: Certificate;
  let quantized: Certificate;
  const events: RunEvent[] = [];
  const onEvent = (event: RunEvent) => events.push(event);

  beforeAll(async () => {
    const damaged = await writeZeroedHead(tempDir('cls-zeroed-head'));
    const compared = await certify(config({ subjects: [{ model: CLS, label: 'same' }, { model: damaged, label: 'zeroed-head' }] }), { cwd: REPO_ROOT, onEvent });
    [same, zeroed] = compared.subjects.map((s) => s.certificate) as [Certificate, Certificate];
    expect(compared.baselineEvaluation).toBeNull();
    quantized = (await certify(config({ edit: { name: 'quant_rtn', config: { bits: 8 } } }), { cwd: REPO_ROOT })).subjects[0]!.certificate;
    report('baseline vs itself', same);
    report('zeroed classifier head', zeroed);
    report('quant_rtn 8 bit', quantized);
    removeDir(damaged);
  }, 3 * RUN_TIMEOUT);

  it('maps the string labels through label2id and the trained baseline classifies well above chance', async () => {
    const evaluation = await prepare(config());
    const examples = [...evaluation.planned.preview, ...evaluation.planned.final];
    expect(examples).toHaveLength(400);
    expect(same.primary_metric.baseline.preview!).toBeGreaterThan(95);
    expect(same.primary_metric.baseline.final!).toBeGreaterThan(95);
  });

  it('frames each example as the tokenizer post-processor does: [CLS] text [SEP]', async () => {
    const evaluation = await prepare(config());
    const example = evaluation.planned.final[0]!;
    const tokenizer = (await loadModel(CLS, { tokenizer: 'required' })).tokenizer!;
    const text = evaluation.tokenizationProbes.find((p) => p.where === `example ${example.id}`)!.text;
    expect(Array.from(example.ids)).toEqual(Array.from(tokenizer.encode(text, { specialTokens: 'add' })));
  });

  it('certifies the baseline against itself: Δ 0 pp with a degenerate CI, pass', () => {
    expect(same.primary_metric.kind).toBe('accuracy');
    expect(same.verdict.status).toBe('pass');
    expect(same.verdict.reasons).toEqual([]);
    expect(same.primary_metric.delta_mean).toBe(0);
    expect(same.primary_metric.delta_ci).toEqual([0, 0]);
    expect(same.primary_metric.gate_basis).toBe('delta_ci_low');
    expect(same.primary_metric.subject.final).toBe(same.primary_metric.baseline.final);
    expect(same.windows.final.weights.every((w) => w === 1)).toBe(true);
    expect(same.windows.final.ids).toHaveLength(200);
    expect(same.validation.primary_metric_acceptable).toBe(true);
    expect(same.validation.pairing_ok).toBe(true);
    expect(same.pairing).toMatchObject({ match: 1, overlap: 0, reason: null, counts: { baseline: { preview: 200, final: 200 }, subject: { preview: 200, final: 200 } } });
  });

  it('runs the weight and activation guards on the classifier: identical weights pass, RMT on 8 calibration examples', () => {
    for (const g of ['invariants', 'spectral', 'rmt'] as const) expect(same.guards[g], g).toMatchObject({ status: 'pass', evaluated: true, violations: [] });
    expect(same.guards.rmt.measurements!.windows).toBe(8);
    expect(same.guards.spectral.measurements!.modules.map((m) => m.module)).toContain('classifier');
  });

  it('fails a subject whose classifier head is zeroed on the lower CI bound of Δ accuracy', () => {
    expect(zeroed.verdict.status).toBe('fail');
    expect(reasonsOf(zeroed)).toContain('primary_metric:accuracy_ci_below_limit');
    expect(zeroed.validation.primary_metric_acceptable).toBe(false);
    const [low, high] = zeroed.primary_metric.delta_ci!;
    expect(high).toBeLessThan(zeroed.primary_metric.limit);
    expect(zeroed.primary_metric.gate_value).toBe(low);
    // a constant prediction is right on one class only: about half of a balanced set
    expect(zeroed.primary_metric.subject.final!).toBeGreaterThan(30);
    expect(zeroed.primary_metric.subject.final!).toBeLessThan(70);
    expect(zeroed.primary_metric.delta_mean!).toBeLessThan(-25);
    expect(zeroed.pairing.match).toBe(1);
  });

  it('certifies a built-in edit on the baseline weights, with the variance guard not applicable to accuracy', () => {
    expect(quantized.change).toMatchObject({ kind: 'edit', name: 'quant_rtn' });
    expect(quantized.change.params_changed!).toBeGreaterThan(0);
    expect(quantized.guards.variance).toMatchObject({ status: 'not_evaluated', reason: 'not_applicable_accuracy' });
    expect(quantized.guards.invariants.status).toBe('pass');
    expect(quantized.pairing.match).toBe(1);
    expect(Math.abs(quantized.primary_metric.delta_mean!)).toBeLessThanOrEqual(1);
  });

  it('writes certificates that verify re-derives to the same statistics and verdict', () => {
    for (const cert of [same, zeroed, quantized]) {
      const verified = verifyCertificate(JSON.parse(JSON.stringify(cert)));
      expect(verified.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(verified).toMatchObject({ exitCode: 0, verdict: cert.verdict.status });
    }
    expect(verifyCertificate(JSON.parse(JSON.stringify(zeroed)), { requirePass: true }).exitCode).toBe(1);
  });

  it('reports classification progress per model and arm', () => {
    const last = (model: string, arm: string) => events.filter((e) => e.type === 'batch' && e.model === model && e.arm === arm).at(-1);
    expect(last('baseline', 'final')).toMatchObject({ done: 200, total: 200 });
    expect(last('subject', 'preview')).toMatchObject({ done: 200, total: 200 });
    expect(last('baseline', 'calibration')).toMatchObject({ done: 8, total: 8 });
  });
});

describe('labels of a classification dataset', () => {
  it(
    'gives the same examples and baseline correctness for integer class ids as for the label names',
    async () => {
      const numeric = writeRelabelled(join(scratch, 'ids.jsonl'), (label) => LABEL2ID[label]);
      const guards = { rmt: 'off', spectral: 'off', invariants: 'off' } as const;
      const byIds = (await certify(config({ guards }, numeric), { cwd: REPO_ROOT })).subjects[0]!.certificate;
      const byNames = (await certify(config({ guards }), { cwd: REPO_ROOT })).subjects[0]!.certificate;
      expect(byIds.windows.final.ids).toEqual(byNames.windows.final.ids);
      expect(byIds.windows.final.baseline).toEqual(byNames.windows.final.baseline);
      expect(byIds.windows.preview.baseline).toEqual(byNames.windows.preview.baseline);
    },
    2 * RUN_TIMEOUT,
  );

  it('rejects a label that names no class of the model with E_DATASET_INVALID', async () => {
    const unknown = writeRelabelled(join(scratch, 'unknown.jsonl'), (label) => (label === 'digit' ? 'number' : label));
    const run = config({ profile: 'dev', dataset: { preview_n: 16, final_n: 16 } }, unknown);
    await expect(prepare(run)).rejects.toMatchObject({ code: 'E_DATASET_INVALID', details: { field: 'label', actual: 'number', expected: 'no_digit, digit' } });
  });

  it('rejects a class id outside the model’s labels with E_DATASET_INVALID', async () => {
    const outOfRange = writeRelabelled(join(scratch, 'range.jsonl'), (label) => (label === 'digit' ? 2 : 0));
    const run = config({ profile: 'dev', dataset: { preview_n: 16, final_n: 16 } }, outOfRange);
    await expect(prepare(run)).rejects.toMatchObject({ code: 'E_DATASET_INVALID', details: { field: 'label', actual: '2' } });
  });

  it('rejects a text dataset (perplexity documents) for a classifier with E_DATASET_INVALID', async () => {
    const run = config({ profile: 'dev', dataset: { provider: `text:${join(REPO_ROOT, 'tests/fixtures/data/docs.txt')}`, preview_n: 2, final_n: 2 } });
    await expect(prepare(run)).rejects.toMatchObject({ code: 'E_DATASET_INVALID', details: { field: 'dataset.provider' } });
  });

  it('refuses a sharded accuracy run with E_CONFIG_INVALID', async () => {
    const run = config({ profile: 'dev', shard: { index: 0, count: 2 }, dataset: { preview_n: 16, final_n: 16 } });
    await expect(prepare(run)).rejects.toMatchObject({ code: 'E_CONFIG_INVALID', details: { field: 'shard' } });
  });

  it('resolves the policy once, for accuracy: one warning when the profile counts are raised to the floors', async () => {
    const file = parseRunConfigFile(
      { baseline: CLS, subjects: [{ model: CLS }], tier: 'conservative', profile: 'ci', device: 'cpu', threads: 1, dataset: { provider: `jsonl:${DATA}#text=text,label=label` } },
      'test',
    );
    const controller = new AbortController();
    const events: RunEvent[] = [];
    const run = certify(resolveRunConfig(file, 'test'), {
      cwd: REPO_ROOT,
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'stage-start' && event.stage === 'preview') controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(events.filter((e) => e.type === 'warning' && e.id === 'windows_raised_to_floor')).toHaveLength(1);
  });
});
