import { describe, expect, it } from 'vitest';
import { applyEditResult, applyQuantRtn, quantizeRtn, type WeightMatrix } from '../../../src/edits/index.js';
import { evaluateInvariants, structureHashOf } from '../../../src/guards/index.js';
import { tinyModel } from '../weights-fixture.js';

const HASH = 'tok-1';
const side = (weights: readonly WeightMatrix[], tokenizerHash = HASH) => ({ weights, tokenizerHash });
const codes = (result: ReturnType<typeof evaluateInvariants>) => result.violations.map((v) => [v.code, v.severity]);

describe('evaluateInvariants', () => {
  const base = tinyModel();

  it('passes an identical model and reports both param counts and structure hashes', () => {
    const result = evaluateInvariants({ baseline: side(base), subject: side(base) }, { mode: 'standard' });
    expect(result).toMatchObject({ guard: 'invariants', status: 'pass', evaluated: true, violations: [] });
    expect(result.measurements.paramCount.baseline).toBe(result.measurements.paramCount.subject);
    expect(result.measurements.ties).toEqual([{ key: 'lm_head.weight', tiedWith: 'wte.weight', isKept: true }]);
  });

  it('fails on a NaN weight and names the tensor', () => {
    const subject = base.map((m) => (m.key === 'h.1.mlp.c_fc.weight' ? { ...m, data: m.data.map((v, i) => (i === 3 ? NaN : v)) } : m));
    const result = evaluateInvariants({ baseline: side(base), subject: side(subject) }, { mode: 'standard' });
    expect(result.status).toBe('fail');
    expect(result.violations[0]).toMatchObject({ code: 'nonfinite_weights', severity: 'fatal', key: 'h.1.mlp.c_fc.weight', value: 1 });
    expect(result.measurements.nonFiniteTensors).toEqual([{ model: 'subject', key: 'h.1.mlp.c_fc.weight', count: 1 }]);
  });

  it('fails when the tokenizer hash differs or the vocabulary size changes', () => {
    expect(codes(evaluateInvariants({ baseline: side(base), subject: side(base, 'tok-2') }, { mode: 'standard' }))).toEqual([['tokenizer_changed', 'fatal']]);
    const resized = tinyModel({ vocab: 41 });
    expect(codes(evaluateInvariants({ baseline: side(base), subject: side(resized) }, { mode: 'standard' }))).toEqual([
      ['vocab_size_changed', 'fatal'],
      ['vocab_size_changed', 'fatal'],
      ['param_count_changed', 'warning'],
      ['structure_changed', 'warning'],
    ]);
  });

  it("with vocabulary 'own' (nll_per_byte) accepts another tokenizer and vocabulary size, still warning that the size changed", () => {
    const resized = tinyModel({ vocab: 41 });
    const result = evaluateInvariants({ baseline: side(base), subject: side(resized, 'tok-2'), vocabulary: 'own' }, { mode: 'standard' });
    expect(codes(result)).toEqual([
      ['param_count_changed', 'warning'],
      ['structure_changed', 'warning'],
    ]);
    expect(result.measurements.tokenizerHash).toEqual({ baseline: HASH, subject: 'tok-2' });
  });

  it('fails when a mapped module is missing and only warns for a missing norm', () => {
    const noFc = base.filter((m) => m.module !== 'h.0.mlp.c_fc');
    expect(evaluateInvariants({ baseline: side(base), subject: side(noFc) }, { mode: 'standard' }).violations[0]).toMatchObject({ code: 'module_missing', severity: 'fatal', module: 'h.0.mlp.c_fc' });
    const noNorm = base.filter((m) => m.module !== 'ln_f');
    const result = evaluateInvariants({ baseline: side(base), subject: side(noNorm) }, { mode: 'standard' });
    expect(result.status).toBe('warn');
    expect(codes(result)).toEqual([['norm_missing', 'warning'], ['param_count_changed', 'warning'], ['structure_changed', 'warning']]);
  });

  it('turns warnings into fatal violations in strict mode', () => {
    const noNorm = base.filter((m) => m.module !== 'ln_f');
    const result = evaluateInvariants({ baseline: side(base), subject: side(noNorm) }, { mode: 'strict' });
    expect(result.status).toBe('fail');
    expect(result.violations.every((v) => v.severity === 'fatal')).toBe(true);
  });

  it('warns when a tie is broken, and keeps a tie recognised by equal data without the tiedWith marker', () => {
    const untied = base.map((m) => (m.role === 'lm_head' ? { key: m.key, module: m.module, role: m.role, family: m.family, layer: m.layer, rows: m.rows, cols: m.cols, data: m.data.map((v) => v * 2) } : m));
    expect(codes(evaluateInvariants({ baseline: side(base), subject: side(untied) }, { mode: 'standard' }))).toEqual([['tying_broken', 'warning']]);
    const broken = evaluateInvariants({ baseline: side(base), subject: side(untied) }, { mode: 'standard' });
    const head = base.find((m) => m.role === 'lm_head')!;
    const embed = base.find((m) => m.key === head.tiedWith)!;
    expect(broken.violations[0]?.message).toBe(`${head.module} is no longer tied to ${embed.module}`);
    const equalData = base.map((m) => (m.role === 'lm_head' || m.role === 'embed_tokens' ? { key: m.key, module: m.module, role: m.role, family: m.family, layer: m.layer, rows: m.rows, cols: m.cols, data: m.data.slice() } : m));
    expect(evaluateInvariants({ baseline: side(base), subject: side(equalData) }, { mode: 'standard' }).status).toBe('pass');
  });

  it('keeps a tie whose uses a quantizer stored apart within its rounding, and still warns when one use moved further', () => {
    // onnxruntime's QDQ quantizer rounds the lm_head's MatMul to int8 and leaves the embedding's Gather float.
    const head = base.find((m) => m.role === 'lm_head')!;
    const int8Head = { key: head.key, module: head.module, role: head.role, family: head.family, layer: head.layer, rows: head.rows, cols: head.cols, data: quantizeRtn(head.data, head.rows, head.cols, { bits: 8, groupSize: 0, clampRatio: 0 }).data };
    const apart = base.map((m) => (m.key === head.key ? int8Head : m.role === 'embed_tokens' ? { key: m.key, module: m.module, role: m.role, family: m.family, layer: m.layer, rows: m.rows, cols: m.cols, data: m.data.slice() } : m));
    expect(apart.find((m) => m.key === head.key)!.data).not.toEqual(head.data);
    const quantizedBits = new Map([[head.key, 8]]);
    const kept = evaluateInvariants({ baseline: side(base), subject: { ...side(apart), quantizedBits } }, { mode: 'strict' });
    expect(kept.status).toBe('pass');
    expect(kept.measurements.ties).toEqual([{ key: 'lm_head.weight', tiedWith: 'wte.weight', isKept: true, quantizedApart: true }]);
    // Not said to be quantized: equal data is the only evidence, and it is not there.
    expect(codes(evaluateInvariants({ baseline: side(base), subject: side(apart) }, { mode: 'standard' }))).toEqual([['tying_broken', 'warning']]);
    // Quantized, but one use also moved by more than int8 rounding (max|W|/254): a broken tie.
    const tuned = apart.map((m) => (m.key === head.key ? { ...m, data: m.data.map((v, i) => (i === 5 ? v + 0.05 * Math.max(...head.data.map(Math.abs)) : v)) } : m));
    expect(codes(evaluateInvariants({ baseline: side(base), subject: { ...side(tuned), quantizedBits } }, { mode: 'standard' }))).toEqual([['tying_broken', 'warning']]);
  });

  it('passes a quantized subject that keeps logical shapes, ties and the structure hash', () => {
    const subject = applyEditResult(base, applyQuantRtn(base, { scope: 'all', bits: 4 }));
    expect(evaluateInvariants({ baseline: side(base), subject: side(subject) }, { mode: 'strict' }).status).toBe('pass');
    expect(structureHashOf(subject)).toBe(structureHashOf(base));
  });

  it('hashes given structure lines instead of the weights’ own when the caller passes them', () => {
    const result = evaluateInvariants({ baseline: { ...side(base), structureLines: ['a', 'b'] }, subject: { ...side(base), structureLines: ['b', 'a'] } }, { mode: 'strict' });
    expect(result.status).toBe('pass');
    const changed = evaluateInvariants({ baseline: { ...side(base), structureLines: ['a', 'b'] }, subject: { ...side(base), structureLines: ['a', 'c'] } }, { mode: 'standard' });
    expect(codes(changed)).toEqual([['structure_changed', 'warning']]);
  });

  it('uses a given parameter count instead of summing the records', () => {
    const result = evaluateInvariants({ baseline: { ...side(base), paramCount: 1000 }, subject: { ...side(base), paramCount: 1001 } }, { mode: 'standard' });
    expect(result.violations[0]).toMatchObject({ code: 'param_count_changed', value: 1001, threshold: 1000 });
  });
});
