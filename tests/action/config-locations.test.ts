import { describe, expect, it } from 'vitest';
import { locateConfigKeys, locateWorkflowInputs } from '../../src/action/inputs/config-locations.js';

describe('locateConfigKeys', () => {
  it('maps dotted keys and list items to 1-based lines', () => {
    const at = locateConfigKeys('baseline: models/gpt2\nsubjects:\n  - model: models/int8\ntier: balanced\nguards:\n  spectral: on\n');
    expect(at.get('baseline')?.line).toBe(1);
    expect(at.get('subjects.0.model')?.line).toBe(3);
    expect(at.get('tier')?.line).toBe(4);
    expect(at.get('guards.spectral')?.line).toBe(6);
  });

  it('reads JSON configs too and gives an empty map for text that does not parse', () => {
    expect(locateConfigKeys('{\n  "baseline": "b",\n  "tier": "balanced"\n}').get('tier')?.line).toBe(3);
    expect(locateConfigKeys('baseline: [').size).toBe(0);
  });
});

describe('locateWorkflowInputs', () => {
  it('finds the with: keys of invarlock steps only', () => {
    const workflow = [
      'on: pull_request',
      'jobs:',
      '  certify:',
      '    runs-on: [self-hosted, gpu]',
      '    steps:',
      '      - uses: actions/checkout@v5',
      '        with:',
      '          tier: not-ours',
      '      - uses: invarlock/invarlock@v1',
      '        with:',
      '          baseline: models/gpt2',
      '          tier: conservative',
    ].join('\n');
    const at = locateWorkflowInputs(workflow);
    expect(at.get('baseline')?.line).toBe(11);
    expect(at.get('tier')?.line).toBe(12);
  });
});
