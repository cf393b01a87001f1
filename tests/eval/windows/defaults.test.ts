import { describe, expect, it } from 'vitest';
import { MASK_DEFAULTS } from '../../../src/eval/windows/index.js';
import { documentedDefaults } from '../../hub/documented-defaults.js';

describe('MASK_DEFAULTS', () => {
  it('matches the literal @default documented on MaskOptions', () => {
    const documented = documentedDefaults(new URL('../../../src/eval/windows/types.ts', import.meta.url).pathname);
    expect(documented).toEqual({ rate: 0.15 });
    expect({ ...MASK_DEFAULTS }).toEqual(documented);
  });
});
