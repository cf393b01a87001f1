import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../../src/core/index.js';
import { DEFAULTS } from '../../src/action/inputs/defaults.js';
import { INPUT_NAMES } from '../../src/action/inputs/inputs.js';
import { REPO_ROOT } from './helpers.js';

interface ActionYml {
  runs: Record<string, string>;
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
  branding: Record<string, string>;
}

const yml = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionYml;

describe('action.yml', () => {
  it('runs on node24 with a post step that always runs', () => {
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/action/index.js', post: 'dist/post/index.js', 'post-if': 'always()' });
    expect(yml.branding['icon']).toBeTruthy();
  });

  it('declares exactly the inputs the parser reads, each described', () => {
    expect(Object.keys(yml.inputs).sort()).toEqual([...INPUT_NAMES].sort());
    for (const [name, input] of Object.entries(yml.inputs)) {
      expect(input.description.length, name).toBeGreaterThan(10);
      expect(input.required ?? false, name).toBe(false);
    }
  });

  it('repeats every default of DEFAULTS exactly', () => {
    for (const [name, value] of Object.entries(DEFAULTS)) {
      expect(yml.inputs[name]?.default, name).toBe(String(value));
    }
    const withDefault = Object.entries(yml.inputs).filter(([, i]) => i.default !== undefined).map(([n]) => n);
    expect(withDefault.sort()).toEqual(Object.keys(DEFAULTS).sort());
  });

  it('documents the config defaults of plan inputs as the core layer sets them', () => {
    const documented: Record<string, string> = {
      adapter: CONFIG_DEFAULTS.adapter,
      profile: CONFIG_DEFAULTS.profile,
      tier: CONFIG_DEFAULTS.tier,
      dataset: CONFIG_DEFAULTS.provider,
      'seq-len': String(CONFIG_DEFAULTS.seq_len),
      seed: String(CONFIG_DEFAULTS.seed),
      'batch-size': CONFIG_DEFAULTS.batch_size,
      device: CONFIG_DEFAULTS.device,
    };
    for (const [name, value] of Object.entries(documented)) {
      expect(yml.inputs[name]?.description, name).toContain(`Default: ${value}.`);
    }
  });

  it('declares every output of ACTION.md', () => {
    expect(Object.keys(yml.outputs).sort()).toEqual(
      ['verdict', 'ratio', 'ratio-ci-low', 'ratio-ci-high', 'certificate-path', 'certificate-sha256', 'report-path', 'check-run-id', 'check-run-url', 'comment-url', 'image-digest', 'output-dir', 'artifact-url', 'report-url', 'junit-path', 'signature-path'].sort(),
    );
  });
});

describe('docs/action.md', () => {
  const docs = readFileSync(join(REPO_ROOT, 'docs', 'action.md'), 'utf8');

  it('documents every input and output', () => {
    for (const name of [...Object.keys(yml.inputs), ...Object.keys(yml.outputs)]) expect(docs, name).toContain(`\`${name}\``);
  });

  it('states the minimum runner version for node24', () => {
    expect(docs).toContain('2.327.1');
  });
});
