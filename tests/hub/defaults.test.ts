import { describe, expect, it } from 'vitest';
import { HUB_DEFAULTS } from '../../src/hub/index.js';
import { documentedDefaults } from './documented-defaults.js';

describe('HUB_DEFAULTS', () => {
  it('matches every literal @default documented on ResolveModelOptions', () => {
    const documented = documentedDefaults(new URL('../../src/hub/types.ts', import.meta.url).pathname);
    expect(documented).toEqual({ network: 'deny', hubUrl: 'https://huggingface.co', files: 'selected' });
    expect({ ...HUB_DEFAULTS }).toEqual(documented);
  });
});
