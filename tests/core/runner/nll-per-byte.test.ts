/**
 * The tokenizer-independent metric `nll_per_byte` (issue 10, item 3) on the trained fixtures:
 *
 * 1. gpt2-tiny against gpt2-tiny-vocab-trimmed (the same weights, its vocabulary trimmed to the
 *    merges the evaluation text uses and renumbered: a different tokenizer) certifies with a ratio
 *    within 1 % of 1, and the certificate verifies; under perplexity the same pair is refused.
 * 2. On one shared tokenizer the verdicts agree with perplexity's on the calibration cases: the
 *    model against itself, an 8-bit RTN edit (pass) and a 3-bit RTN edit (fail).
 * 3. verify catches a tampered per-span byte count or baseline token count (digest recomputed).
 * 4. The same run twice gives the same certificate digest.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { certify, type CertifyRun } from '../../../src/core/index.js';
import { BUNDLED_POLICIES } from '../../../src/core/policy/index.js';
import type { InvarlockError } from '../../../src/errors/index.js';
import { certificateDigest, renderHtml, renderMarkdown, verifyCertificate, type Certificate, type SpanWindowArm } from '../../../src/report/index.js';
import { GPT2, MODELS, REPO_ROOT, runConfig } from './runner-fixtures.js';

const RUN_TIMEOUT = 240_000;
const TRIMMED = join(MODELS, 'gpt2-tiny-vocab-trimmed');

type Metric = 'perplexity' | 'nll_per_byte';

const compare = (metric: Metric, subjects: readonly { label: string; model: string }[]) =>
  certify(runConfig({ baseline: GPT2, metric, subjects: [...subjects] }, `${metric} compare`), { cwd: REPO_ROOT });
const edit = (metric: Metric, bits: number) =>
  certify(runConfig({ baseline: GPT2, metric, edit: { name: 'quant_rtn', config: { bits, scope: 'all' } } }, `${metric} rtn ${bits}`), { cwd: REPO_ROOT });

function subject(run: CertifyRun, label: string): Certificate {
  const found = run.subjects.find((s) => s.label === label);
  if (found === undefined) throw new Error(`no subject ${label}`);
  return found.certificate;
}

function verified(cert: Certificate) {
  return verifyCertificate(JSON.parse(JSON.stringify(cert)), { policy: BUNDLED_POLICIES });
}

/** The windows of a certificate's JSON copy, writable. */
interface WritableWindows {
  windows: Record<'preview' | 'final', { weights: number[]; tokens?: { baseline: number[]; subject: number[] } }>;
}

/** A copy of `cert` with `change` applied and its digest recomputed, so only the re-derivation can catch it. */
function tampered(cert: Certificate, change: (copy: WritableWindows) => void): Certificate {
  const copy = JSON.parse(JSON.stringify(cert)) as WritableWindows;
  change(copy);
  const forged = copy as unknown as Certificate;
  return { ...forged, digest: certificateDigest(forged) };
}

async function rejection(promise: Promise<unknown>): Promise<InvarlockError> {
  try {
    await promise;
  } catch (error) {
    return error as InvarlockError;
  }
  throw new Error('expected a rejection');
}

function line(label: string, cert: Certificate): void {
  const pm = cert.primary_metric;
  console.log(`[nll-per-byte] ${label}: ${pm.kind} verdict=${cert.verdict.status} reasons=${cert.verdict.reasons.map((r) => r.code).join(',') || '-'} ratio=${pm.ratio} ci=${JSON.stringify(pm.ratio_ci)} base/subj final=${pm.baseline.final}/${pm.subject.final} tokens=${JSON.stringify(pm.tokens)}`);
}

describe('nll_per_byte: a subject with a different tokenizer', () => {
  let run: CertifyRun;
  let self: Certificate;
  let trimmed: Certificate;
  beforeAll(async () => {
    run = await compare('nll_per_byte', [
      { label: 'self', model: GPT2 },
      { label: 'trimmed', model: TRIMMED },
    ]);
    self = subject(run, 'self');
    trimmed = subject(run, 'trimmed');
    line('self', self);
    line('trimmed', trimmed);
  }, RUN_TIMEOUT);

  it('certifies the vocabulary-trimmed export with a ratio within 1 % of 1, recording both tokenizers', () => {
    expect(trimmed.primary_metric.kind).toBe('nll_per_byte');
    expect(trimmed.models.baseline.tokenizer_hash).not.toBe(trimmed.models.subject.tokenizer_hash);
    expect(trimmed.dataset.tokenizer_hash).toBe(trimmed.models.baseline.tokenizer_hash);
    expect(trimmed.validation.primary_metric_acceptable).toBe(true);
    expect(trimmed.validation.pairing_ok).toBe(true);
    expect(trimmed.pairing.match).toBe(1);
    expect(Math.abs(trimmed.primary_metric.ratio! - 1)).toBeLessThan(0.01);
    expect(trimmed.primary_metric.ratio_ci![1]).toBeLessThan(1.01);
    // the trimmed rows are a smaller vocabulary, not a fault: no tokenizer or vocabulary violation, the size change warns
    const codes = trimmed.guards.invariants.violations.map((v) => v.code);
    expect(codes).not.toContain('tokenizer_changed');
    expect(codes).not.toContain('vocab_size_changed');
    expect(codes).toContain('param_count_changed');
    expect(['pass', 'warn']).toContain(trimmed.verdict.status);
  });

  it('scores the same spans with each model tokenizing them itself: same bytes, other ids', () => {
    const final = trimmed.windows.final as SpanWindowArm;
    expect(final.ids).toEqual(self.windows.final.ids);
    expect(final.weights).toEqual(self.windows.final.weights);
    expect(final.tokens.baseline).toEqual((self.windows.final as SpanWindowArm).tokens.subject);
    // the trimmed vocabulary keeps every merge the evaluation text uses: the same pieces under other ids
    expect(final.tokens.subject).toEqual(final.tokens.baseline);
    expect(final.weights.every((w) => Number.isInteger(w) && w > 0)).toBe(true);
  });

  it('writes certificates that verify re-derives, the different tokenizer included', () => {
    for (const cert of [self, trimmed]) {
      const report = verified(cert);
      expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(report).toMatchObject({ exitCode: 0, verdict: cert.verdict.status });
    }
  });

  it('the model against itself: ratio exactly 1, CI [1, 1], pass', () => {
    expect(self.verdict.status).toBe('pass');
    expect(self.primary_metric.ratio).toBe(1);
    expect(self.primary_metric.ratio_ci).toEqual([1, 1]);
  });

  it('verify catches a tampered per-span byte count, and a tampered token count (the ratio scale)', () => {
    const bytes = verified(tampered(trimmed, (c) => void (c.windows.final.weights[0]! += 1)));
    expect(bytes.exitCode).toBe(1);
    expect(bytes.checks.find((c) => c.id === 'certificate_digest')?.status).toBe('pass');
    expect(bytes.checks.find((c) => c.id === 'statistics')).toMatchObject({ status: 'fail', code: 'E_CERT_VERIFY' });
    const tokens = verified(tampered(trimmed, (c) => void (c.windows.preview.tokens!.baseline[0]! += 5)));
    expect(tokens.exitCode).toBe(1);
    expect(tokens.checks.find((c) => c.id === 'statistics')).toMatchObject({ status: 'fail', path: expect.stringMatching(/^primary_metric\./) as unknown });
    const dropped = verified(tampered(trimmed, (c) => void delete c.windows.final.tokens));
    expect(dropped.exitCode).toBe(1);
  });

  it('names the metric, its units and the bytes-per-token scale in the markdown report', () => {
    const markdown = renderMarkdown(trimmed, { surface: 'comment' }).text;
    expect(markdown).toContain('NLL per byte (bits/byte)');
    expect(markdown).toMatch(/k = \d\.\d{3} baseline bytes per token/);
    const html = renderHtml(trimmed);
    expect(html).toContain('nll_per_byte');
    expect(html).toContain('nats per byte × baseline bytes per token');
  });

  it('gives the same certificate digest when run again', async () => {
    const again = await compare('nll_per_byte', [
      { label: 'self', model: GPT2 },
      { label: 'trimmed', model: TRIMMED },
    ]);
    expect(subject(again, 'trimmed').digest).toBe(trimmed.digest);
    expect(subject(again, 'self').digest).toBe(self.digest);
  }, RUN_TIMEOUT);

  it('perplexity still refuses the same pair: its windows are token ids', async () => {
    const error = await rejection(compare('perplexity', [{ label: 'trimmed', model: TRIMMED }]));
    expect(error.code).toBe('E_TOKENIZER_MISMATCH');
  }, RUN_TIMEOUT);
});

describe('nll_per_byte agrees with perplexity on one shared tokenizer', () => {
  const cases = [
    { name: 'self', run: (metric: Metric) => compare(metric, [{ label: 'self', model: GPT2 }]), expected: 'pass' },
    { name: 'quant_rtn 8-bit', run: (metric: Metric) => edit(metric, 8), expected: 'pass' },
    { name: 'quant_rtn 3-bit', run: (metric: Metric) => edit(metric, 3), expected: 'fail' },
  ] as const;
  const results = new Map<string, { perplexity: Certificate; nll_per_byte: Certificate }>();
  beforeAll(async () => {
    for (const c of cases) {
      const perplexity = (await c.run('perplexity')).subjects[0]!.certificate;
      const nllPerByte = (await c.run('nll_per_byte')).subjects[0]!.certificate;
      line(`${c.name} perplexity`, perplexity);
      line(`${c.name} nll_per_byte`, nllPerByte);
      results.set(c.name, { perplexity, nll_per_byte: nllPerByte });
    }
  }, 4 * RUN_TIMEOUT);

  it.each(cases.map((c) => [c.name, c.expected] as const))('%s: both metrics decide %s on the primary metric, and both verify', (name, expected) => {
    const { perplexity, nll_per_byte: nllPerByte } = results.get(name)!;
    expect(nllPerByte.verdict.status).toBe(expected);
    expect(perplexity.verdict.status).toBe(expected);
    expect(nllPerByte.validation.primary_metric_acceptable).toBe(perplexity.validation.primary_metric_acceptable);
    expect(nllPerByte.guards.variance.reason).toBe(nllPerByte.change.kind === 'edit' ? 'not_applicable_nll_per_byte' : nllPerByte.guards.variance.reason);
    for (const cert of [perplexity, nllPerByte]) expect(verified(cert).exitCode).toBe(0);
  });

  it('on one tokenizer the ppl-equivalent ratio tracks the perplexity ratio', () => {
    for (const { perplexity, nll_per_byte: nllPerByte } of results.values()) {
      expect(Math.abs(Math.log(nllPerByte.primary_metric.ratio!) - Math.log(perplexity.primary_metric.ratio!))).toBeLessThan(0.05);
    }
  });
});

describe('nll_per_byte refuses what it cannot score', () => {
  it('a masked LM is E_CONFIG_INVALID on the metric', async () => {
    const error = await rejection(
      certify(runConfig({ baseline: join(MODELS, 'bert-tiny'), metric: 'nll_per_byte', edit: { name: 'noop', config: {} } }, 'masked'), { cwd: REPO_ROOT }),
    );
    expect(error.code).toBe('E_CONFIG_INVALID');
    expect(error.details.field).toBe('metric');
    expect(error.message).toContain('onnx_mlm');
  });

  it('a stride other than seq_len is E_CONFIG_INVALID on dataset.stride', async () => {
    const error = await rejection(
      certify(runConfig({ baseline: GPT2, metric: 'nll_per_byte', edit: { name: 'noop', config: {} }, dataset: { stride: 32 } }, 'stride'), { cwd: REPO_ROOT }),
    );
    expect(error.code).toBe('E_CONFIG_INVALID');
    expect(error.details.field).toBe('dataset.stride');
  });
});
