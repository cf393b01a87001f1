import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import configSchema from '../../../contracts/config.schema.json' with { type: 'json' };
import interfaces from '../../../contracts/model_interfaces.json' with { type: 'json' };
import { CONFIG_DEFAULTS, loadConfigFile, mergeConfig, parseRunConfigFile, resolveRunConfig } from '../../../src/core/config/index.js';
import { flagsToConfig } from '../../../src/cli/commands/certify-command.js';
import { configRecord } from '../../../src/core/runner/run-records.js';
import { isInvarlockError, type InvarlockError } from '../../../src/errors/index.js';

function codeOf(fn: () => unknown): InvarlockError {
  try {
    fn();
  } catch (error) {
    if (isInvarlockError(error)) return error;
    throw error;
  }
  throw new Error('expected an InvarlockError');
}

describe('run config', () => {
  it('fills every default and reads edit mode', () => {
    const config = resolveRunConfig(parseRunConfigFile({ baseline: 'm', edit: { name: 'quant_rtn', config: { bits: 8 } } }, 't'));
    expect(config.mode).toEqual({ kind: 'edit', edit: { name: 'quant_rtn', config: { bits: 8 } } });
    expect(config.dataset).toEqual({ provider: 'wikitext2', path: null, split: 'test', seqLen: 128, stride: 128, previewN: null, finalN: null, dedupe: true });
    expect(config.seed).toBe(42);
    expect(config.guards).toEqual({ invariants: 'on', spectral: 'on', rmt: 'on', variance: 'on' });
  });

  it('labels compare-mode subjects and rejects duplicate labels', () => {
    const config = resolveRunConfig(
      parseRunConfigFile({ baseline: 'm', subjects: [{ model: 'models/a-int8/' }], subject_lora: [{ path: 'lora/x' }] }, 't'),
    );
    expect(config.mode).toEqual({
      kind: 'compare',
      subjects: [
        { kind: 'model', label: 'a-int8', model: 'models/a-int8/' },
        { kind: 'lora', label: 'lora:x', path: 'lora/x', weight: 1 },
      ],
    });
    const dup = codeOf(() => resolveRunConfig(parseRunConfigFile({ baseline: 'm', subjects: [{ model: 'a/x' }, { model: 'b/x' }] }, 't')));
    expect(dup.code).toBe('E_CONFIG_INVALID');
  });

  it('needs exactly one of subjects and edit', () => {
    expect(codeOf(() => resolveRunConfig(parseRunConfigFile({ baseline: 'm' }, 't'))).details.field).toBe('subjects');
    expect(codeOf(() => resolveRunConfig(parseRunConfigFile({ baseline: 'm', subjects: [{ model: 's' }], edit: { name: 'noop' } }, 't'))).details.field).toBe('edit');
  });

  it('rejects unknown keys and bad values, listing each problem', () => {
    const err = codeOf(() => parseRunConfigFile({ baseline: 'm', tier: 'lenient', dataset: { seq_len: 2 }, typo: 1 }, 'x.yaml'));
    expect(err.code).toBe('E_CONFIG_INVALID');
    expect(err.details.file).toBe('x.yaml');
    const problems = err.details.problems ?? [];
    expect(problems.some((p) => p.startsWith('/tier:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('/dataset/seq_len:'))).toBe(true);
    expect(problems.some((p) => p.includes("'typo'"))).toBe(true);
  });

  it('rejects a shard index outside its count', () => {
    expect(codeOf(() => resolveRunConfig(parseRunConfigFile({ baseline: 'm', edit: { name: 'noop' }, shard: { index: 2, count: 2 } }, 't'))).details.field).toBe(
      'shard.index',
    );
  });

  it('accepts a bundled model interface as a custom interface', () => {
    const gpt2 = interfaces.interfaces.gpt2;
    const file = parseRunConfigFile({ baseline: 'm', edit: { name: 'noop' }, model_interface: gpt2 }, 't');
    expect(resolveRunConfig(file).modelInterface).toEqual(gpt2);
    expect(codeOf(() => parseRunConfigFile({ baseline: 'm', edit: { name: 'noop' }, model_interface: { model_layers: 'x' } }, 't')).code).toBe('E_CONFIG_INVALID');
  });

  it('reads the metric: perplexity by default, nll_per_byte when asked, from the config or --metric', async () => {
    const edit = { baseline: 'm', edit: { name: 'noop' as const } };
    expect(resolveRunConfig(parseRunConfigFile(edit, 't')).metric).toBe('perplexity');
    expect(resolveRunConfig(parseRunConfigFile({ ...edit, metric: 'nll_per_byte' }, 't')).metric).toBe('nll_per_byte');
    expect(codeOf(() => parseRunConfigFile({ ...edit, metric: 'bits_per_byte' }, 't')).code).toBe('E_CONFIG_INVALID');
    expect(await flagsToConfig({ metric: 'nll_per_byte' }, tmpdir())).toEqual({ metric: 'nll_per_byte' });
    // the certificate's config record leaves the default out, so perplexity certificates read as before the key existed
    expect(configRecord(resolveRunConfig(parseRunConfigFile(edit, 't')))).not.toHaveProperty('metric');
    expect(configRecord(resolveRunConfig(parseRunConfigFile({ ...edit, metric: 'nll_per_byte' }, 't')))).toHaveProperty('metric', 'nll_per_byte');
  });

  it('documents the same defaults in the schema as in CONFIG_DEFAULTS', () => {
    const p = configSchema.properties;
    expect(p.adapter.default).toBe(CONFIG_DEFAULTS.adapter);
    expect(p.profile.default).toBe(CONFIG_DEFAULTS.profile);
    expect(p.tier.default).toBe(CONFIG_DEFAULTS.tier);
    expect(p.metric.default).toBe(CONFIG_DEFAULTS.metric);
    expect(p.dataset.properties.provider.default).toBe(CONFIG_DEFAULTS.provider);
    expect(p.dataset.properties.split.default).toBe(CONFIG_DEFAULTS.split);
    expect(p.dataset.properties.seq_len.default).toBe(CONFIG_DEFAULTS.seq_len);
    expect(p.dataset.properties.dedupe.default).toBe(CONFIG_DEFAULTS.dedupe);
    expect(p.seed.default).toBe(CONFIG_DEFAULTS.seed);
    expect(p.batch_size.default).toBe(CONFIG_DEFAULTS.batch_size);
    expect(p.device.default).toBe(CONFIG_DEFAULTS.device);
    expect(p.threads.default).toBe(CONFIG_DEFAULTS.threads);
    expect(p.allow_network.default).toBe(CONFIG_DEFAULTS.allow_network);
    expect(p.subject_lora.items.properties.weight.default).toBe(CONFIG_DEFAULTS.lora_weight);
    for (const g of ['invariants', 'spectral', 'rmt', 'variance'] as const) expect(p.guards.properties[g].default).toBe(CONFIG_DEFAULTS.guard);
  });
});

describe('config files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'invarlock-config-'));

  it('reads YAML and JSON alike and merges overrides key by key', async () => {
    const yamlPath = join(dir, 'c.yaml');
    writeFileSync(yamlPath, 'baseline: ./m\nedit:\n  name: quant_rtn\ndataset:\n  provider: text:doc.txt\n  seq_len: 64\n');
    const file = await loadConfigFile(yamlPath);
    const merged = mergeConfig(file, { dataset: { preview_n: 8 }, tier: 'conservative' });
    expect(merged.dataset).toEqual({ provider: 'text:doc.txt', seq_len: 64, preview_n: 8 });
    expect(merged.tier).toBe('conservative');
    const jsonPath = join(dir, 'c.json');
    writeFileSync(jsonPath, JSON.stringify({ baseline: './m', edit: { name: 'noop' } }));
    expect((await loadConfigFile(jsonPath)).edit).toEqual({ name: 'noop' });
  });

  it('names the line of a syntax error and the missing file', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'baseline: ./m\nedit: [unclosed\n');
    await expect(loadConfigFile(bad)).rejects.toMatchObject({ code: 'E_CONFIG_PARSE', details: { file: bad } });
    await expect(loadConfigFile(join(dir, 'none.yaml'))).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
  });

  it('validates the bundled model interfaces table against its schema', async () => {
    const { compileSchema } = await import('../../../src/contracts/index.js');
    const schema = (await import('../../../contracts/model_interfaces.schema.json', { with: { type: 'json' } })).default;
    expect(compileSchema(schema).problems(interfaces)).toEqual([]);
    expect(Object.keys(interfaces.interfaces).sort()).toEqual(
      [
        ...['bart', 'bert', 'falcon', 'gemma', 'gemma2', 'gpt2', 'gpt_neox', 'llama', 'mistral', 'opt', 'phi3', 'qwen2', 'qwen3', 'roberta', 't5'],
        ...['mixtral', 'qwen2_moe', 'qwen3_moe', 'olmoe', 'phi', 'gemma3', 'granite', 'olmo2', 'starcoder2', 'gpt_bigcode', 'gptj', 'bloom', 'mpt', 'stablelm', 'smollm3', 'lfm2'],
      ].sort(),
    );
  });
});
