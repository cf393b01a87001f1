import { describe, expect, it } from 'vitest';
import { applyEdit, applyEditResult, applyNoop } from '../../src/edits/index.js';
import { tinyModel } from '../guards/weights-fixture.js';

describe('applyEdit', () => {
  it('runs noop as an edit that changes nothing', () => {
    const model = tinyModel();
    const result = applyEdit({ name: 'noop', config: {} }, model);
    expect(result).toMatchObject({ name: 'noop', modulesTouched: [], paramsChanged: 0 });
    expect(result.changed.size).toBe(0);
    expect(applyEditResult(model, result)).toEqual(model);
    expect(JSON.parse(applyNoop(model).digestInput)).toEqual({ name: 'noop', config: {}, touched: [] });
  });

  it('dispatches quant_rtn with its configuration', () => {
    const result = applyEdit({ name: 'quant_rtn', config: { bits: 4, groupSize: 0, clampRatio: 0, scope: 'attn', maxModules: 1 } }, tinyModel());
    expect(result.modulesTouched).toEqual(['h.0.attn.c_attn']);
  });

  it('refuses a lora edit without adapters with E_EDIT_CONFIG', () => {
    expect(() => applyEdit({ name: 'lora', config: { adapters: [] } }, tinyModel())).toThrowError(expect.objectContaining({ code: 'E_EDIT_CONFIG' }));
  });
});
