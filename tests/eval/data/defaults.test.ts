import { describe, expect, it } from 'vitest';
import { DATASET_DEFAULTS } from '../../../src/eval/data/index.js';
import { documentedDefaults } from '../../hub/documented-defaults.js';

describe('DATASET_DEFAULTS', () => {
  it('matches every literal @default documented on LoadDatasetOptions', () => {
    const documented = documentedDefaults(new URL('../../../src/eval/data/types.ts', import.meta.url).pathname);
    expect(documented).toEqual({ split: 'test', dedupe: 'exact', network: 'deny', hubRevision: 'main' });
    expect({ ...DATASET_DEFAULTS }).toEqual(documented);
  });
});
