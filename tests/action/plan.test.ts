import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/action/inputs/plan.js';
import type { PlanInputs } from '../../src/action/types.js';
import { isInvarlockError } from '../../src/errors/index.js';

const NONE: PlanInputs = {
  config: null, baseline: null, subject: null, subjectLora: null, edit: null, editConfig: null, adapter: null, profile: null, tier: null,
  dataset: null, seqLen: null, previewN: null, finalN: null, seed: null, batchSize: null, device: null, shard: null, cacheDir: null,
};

const CONFIG = `
baseline: models/gpt2
subjects:
  - model: models/gpt2-int8
tier: conservative
dataset:
  provider: wikitext2
  seq_len: 256
  final_n: 64
`;

describe('buildPlan', () => {
  it('lays inputs over the config file: scalars replace, dataset merges key by key', () => {
    const built = buildPlan({ inputs: { ...NONE, tier: 'balanced', previewN: 16 }, network: 'none', configText: CONFIG, source: 'invarlock.yaml' });
    expect(built.file).toMatchObject({ baseline: 'models/gpt2', tier: 'balanced', dataset: { provider: 'wikitext2', seq_len: 256, final_n: 64, preview_n: 16 }, allow_network: false });
    expect([...built.fromInputs].sort()).toEqual(['dataset.preview_n', 'tier']);
    expect(built.config.dataset.stride).toBe(256);
  });

  it('replaces the file\'s whole choice of subject when an input names one', () => {
    const built = buildPlan({ inputs: { ...NONE, edit: 'quant_rtn', editConfig: { bits: 8 } }, network: 'none', configText: CONFIG, source: 'c' });
    expect(built.file.subjects).toBeUndefined();
    expect(built.file.edit).toEqual({ name: 'quant_rtn', config: { bits: 8 } });
    expect(built.config.mode.kind).toBe('edit');
  });

  it('lets allow-network decide allow_network and passes the shard through', () => {
    const built = buildPlan({ inputs: { ...NONE, baseline: 'b', subject: 's', shard: { index: 1, count: 4 } }, network: 'allowed', configText: null, source: 'Action inputs' });
    expect(built.file).toMatchObject({ allow_network: true, shard: { index: 1, count: 4 } });
  });

  it('refuses a plan with several subjects (one certificate per Action run)', () => {
    let caught: unknown;
    try {
      buildPlan({ inputs: NONE, network: 'none', configText: 'baseline: b\nsubjects:\n  - model: a\n  - model: c\n', source: 'c.yaml' });
    } catch (error) {
      caught = error;
    }
    expect(isInvarlockError(caught, 'E_ACTION_INPUT')).toBe(true);
    if (isInvarlockError(caught)) expect(caught.details.field).toBe('subjects');
  });

  it('reports config problems with the core layer\'s codes', () => {
    const codes: string[] = [];
    for (const text of ['baseline: [unclosed', 'baseline: b\nedit:\n  name: quant_rtn\nbogus: 1\n', '- a\n- b\n']) {
      try {
        buildPlan({ inputs: NONE, network: 'none', configText: text, source: 'c.yaml' });
      } catch (error) {
        if (isInvarlockError(error)) codes.push(error.code);
      }
    }
    expect(codes).toEqual(['E_CONFIG_PARSE', 'E_CONFIG_INVALID', 'E_CONFIG_INVALID']);
  });
});
