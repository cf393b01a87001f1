import { describe, expect, it } from 'vitest';
import { assertPlanFits, autoBatch, estimateTerms, formatBytes, modelFootprint, parseByteSize, planMemory, type ModelFootprint, type RunShape } from '../../../src/core/resources/index.js';
import { isInvarlockError, ERROR_CODES } from '../../../src/errors/index.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

// GPT-2 small as the generator writes it: 124 M fp32 parameters, inline (bench/generate-model.ts)
const gpt2Small: ModelFootprint = {
  graphBytes: 497_828_362,
  tensorBytes: 497_828_362,
  weightParams: 124_318_464,
  weightStoredBytes: 497_273_856,
  largestMatrix: 50257 * 768,
  vocab: 50257,
  halfPrecision: false,
};
const editRun: RunShape = { seqLen: 128, batchSize: 'auto', readsWeights: true, edits: true, maxWorkers: 4 };

describe('planMemory', () => {
  it('keeps every default (auto batch, all workers, pre-packing) when the budget is ample', () => {
    const plan = planMemory(gpt2Small, editRun, { bytes: 64 * GiB, source: 'free_memory' });
    expect(plan).toMatchObject({ fits: true, batchSize: 'auto', workers: 4, prepack: true, chunkBytes: 64 * MiB });
    expect(plan.estimateBytes).toBe(Object.values(plan.terms).reduce((a, b) => a + b, 0));
    expect(plan.estimateBytes).toBeGreaterThan(plan.minimumBytes);
  });

  it('gives up workers first, then pre-packing, then halves the batch, as the budget shrinks', () => {
    const sum = (terms: Record<string, number>) => Object.values(terms).reduce((a, b) => a + b, 0);
    const at = (batch: number, workers: number, prepack: boolean) => sum(estimateTerms(gpt2Small, editRun, { batch, workers, prepack }));
    const plan = (bytes: number) => planMemory(gpt2Small, editRun, { bytes, source: 'max_memory' });
    const auto = autoBatch(128, 50257);
    expect(plan(at(auto, 4, true))).toMatchObject({ fits: true, batchSize: 'auto', workers: 4, prepack: true });
    expect(plan(at(auto, 4, true) - 1)).toMatchObject({ fits: true, batchSize: 'auto', workers: 3, prepack: true });
    // pre-packed at batch 1 with one worker still fits here: pre-packing is kept, the batch halved
    expect(plan(at(1, 1, true))).toMatchObject({ fits: true, batchSize: 1, workers: 1, prepack: true });
    // below every pre-packed choice: pre-packing goes, and the largest batch that fits comes back
    const noPrepack = plan(at(1, 1, true) - 1);
    expect(noPrepack).toMatchObject({ fits: true, prepack: false });
    expect(noPrepack.estimateBytes).toBeLessThan(at(1, 1, true));
    // at the minimum: batch 1, one worker, no pre-packing, and it still fits
    const minimum = plan(at(1, 1, false));
    expect(minimum).toMatchObject({ fits: true, batchSize: 1, workers: 1, prepack: false });
    expect(minimum.estimateBytes).toBe(minimum.minimumBytes);
  });

  it('never changes a batch size the user fixed', () => {
    const plan = planMemory(gpt2Small, { ...editRun, batchSize: 3 }, { bytes: 3 * GiB, source: 'max_memory' });
    expect(plan.batchSize).toBe(3);
    const roomy = planMemory(gpt2Small, { ...editRun, batchSize: 3 }, { bytes: 64 * GiB, source: 'max_memory' });
    expect(roomy.batchSize).toBe(3);
  });

  it('says it does not fit, with the smallest settings and what they need, below the minimum', () => {
    const plan = planMemory(gpt2Small, editRun, { bytes: 1 * GiB, source: 'max_memory' });
    expect(plan).toMatchObject({ fits: false, batchSize: 1, workers: 1, prepack: false });
    expect(plan.minimumBytes).toBeGreaterThan(1 * GiB);
  });

  it('counts what a run holds: no weight terms for a compare run without weight guards; float32 session copies for half precision', () => {
    const compare = planMemory(gpt2Small, { ...editRun, readsWeights: false, edits: false }, { bytes: 64 * GiB, source: 'free_memory' });
    expect(compare.terms.weights).toBe(0);
    expect(compare.terms.edit).toBe(0);
    const half = { ...gpt2Small, tensorBytes: gpt2Small.tensorBytes / 2, weightStoredBytes: gpt2Small.weightStoredBytes / 2, halfPrecision: true };
    const halfPlan = planMemory(half, editRun, { bytes: 64 * GiB, source: 'free_memory' });
    // float32 copies for the CPU kernels: more than the fp32 model's session
    expect(halfPlan.terms.session).toBeGreaterThan(planMemory(gpt2Small, editRun, { bytes: 64 * GiB, source: 'free_memory' }).terms.session);
  });

  it('is a pure function: the same input gives the same plan', () => {
    const budget = { bytes: 5 * GiB, source: 'max_memory' as const };
    expect(planMemory(gpt2Small, editRun, budget)).toEqual(planMemory(gpt2Small, editRun, budget));
  });

  it('chooses the same batch as the scorer for auto', () => {
    expect(autoBatch(128, 50257)).toBe(5);
    expect(autoBatch(8, 1024)).toBe(32);
    expect(autoBatch(100_000, 50257)).toBe(1);
  });
});

describe('assertPlanFits', () => {
  it('passes a plan that fits', () => {
    expect(() => assertPlanFits(planMemory(gpt2Small, editRun, { bytes: 64 * GiB, source: 'max_memory' }), 'models/gpt2')).not.toThrow();
  });

  it('stops with E_MEMORY_BUDGET (exit 2) and the bytes needed when --max-memory is too small', () => {
    const plan = planMemory(gpt2Small, editRun, { bytes: 1 * GiB, source: 'max_memory' });
    let caught: unknown;
    try {
      assertPlanFits(plan, 'models/gpt2');
    } catch (error) {
      caught = error;
    }
    expect(isInvarlockError(caught)).toBe(true);
    const error = caught as import('../../../src/errors/index.js').InvarlockError;
    expect(error.code).toBe('E_MEMORY_BUDGET');
    expect(ERROR_CODES.E_MEMORY_BUDGET.exit).toBe(2);
    expect(error.message).toContain(formatBytes(plan.minimumBytes));
    expect(error.message).toContain('--max-memory allows 1.0 GiB');
    expect(error.details).toMatchObject({ file: 'models/gpt2', field: 'max_memory', expected: `at least ${plan.minimumBytes} bytes (${formatBytes(plan.minimumBytes)})` });
    expect(error.hint).toContain(formatBytes(plan.minimumBytes));
  });

  it('stops with E_MEMORY_SHORT (exit 3) when the machine has too little free', () => {
    const plan = planMemory(gpt2Small, editRun, { bytes: 512 * MiB, source: 'free_memory' });
    expect(() => assertPlanFits(plan, 'models/gpt2')).toThrow(expect.objectContaining({ code: 'E_MEMORY_SHORT' }) as Error);
    expect(ERROR_CODES.E_MEMORY_SHORT.exit).toBe(3);
  });
});

describe('parseByteSize', () => {
  it.each([
    ['16GiB', 16 * GiB],
    ['12G', 12 * GiB],
    ['800 MiB', 800 * MiB],
    ['1.5g', 1.5 * GiB],
    ['2GB', 2e9],
    ['4294967296', 4294967296],
    [1024, 1024],
  ] as const)('%s is %d bytes', (text, bytes) => {
    expect(parseByteSize(text, 'max_memory')).toBe(bytes);
  });

  it.each(['', '0', '12 parsecs', '-1G', 'G', '1e9'])('refuses %j with E_CONFIG_INVALID naming the field', (text) => {
    expect(() => parseByteSize(text, 'max_memory')).toThrow(expect.objectContaining({ code: 'E_CONFIG_INVALID', details: expect.objectContaining({ field: 'max_memory' }) as object }) as Error);
  });
});

describe('modelFootprint', () => {
  it('sizes a fixture: graph bytes as loaded, tensor bytes inside them, each weight storage once', async () => {
    const { loadModel } = await import('../../../src/adapters/index.js');
    const { statSync } = await import('node:fs');
    const { GPT2 } = await import('../runner/runner-fixtures.js');
    const model = await loadModel(GPT2, { tokenizer: 'required' });
    const footprint = modelFootprint(model);
    expect(footprint.graphBytes).toBe(statSync(model.graph.path).size);
    expect(footprint.tensorBytes).toBeGreaterThan(0.9 * footprint.graphBytes);
    expect(footprint.tensorBytes).toBeLessThan(footprint.graphBytes);
    // fp32 storage: 4 bytes a parameter, the tied lm_head not counted again
    expect(footprint.weightStoredBytes).toBe(footprint.weightParams * 4);
    expect(footprint.weightStoredBytes).toBeLessThanOrEqual(footprint.tensorBytes);
    expect(footprint).toMatchObject({ vocab: 1024, halfPrecision: false });
  });

  it('sees a half-precision model as such', async () => {
    const { loadModel } = await import('../../../src/adapters/index.js');
    const model = await loadModel('tests/fixtures/models/gpt2-tiny-fp16', { tokenizer: 'required' });
    const footprint = modelFootprint(model);
    expect(footprint.halfPrecision).toBe(true);
    expect(footprint.weightStoredBytes).toBe(footprint.weightParams * 2);
  });
});
