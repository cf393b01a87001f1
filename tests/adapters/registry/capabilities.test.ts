import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTER_NAMES, adapterCapabilities, allAdapters, listAdapters, listBundledInterfaces, selectAdapter, supportMatrix } from '../../../src/adapters/index.js';
import { fixturePath } from '../helpers/fixtures.js';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('listAdapters', () => {
  it('lists the four adapters as ready when their packages resolve (they are installed here)', () => {
    const listing = listAdapters();
    expect(listing.map((a) => a.name)).toEqual([...ADAPTER_NAMES]);
    for (const adapter of listing) expect(adapter.readiness).toEqual({ status: 'ready' });
  });

  it('names the missing packages of an adapter that is not ready', () => {
    const listing = listAdapters({ isPackageAvailable: (name) => name !== 'onnxruntime-node' });
    expect(listing[0]!.readiness).toEqual({ status: 'missing', missing: ['onnxruntime-node'] });
  });

  it('reads each adapter\'s capabilities from contracts/adapter_capabilities.json', () => {
    expect(adapterCapabilities('onnx_causal')).toMatchObject({ task: 'causal-lm', metric: 'ppl', status: 'stable', requiredInputs: ['input_ids'], requiredOutputs: ['logits'] });
    expect(adapterCapabilities('onnx_cls')).toMatchObject({ task: 'sequence-classification', metric: 'accuracy', status: 'experimental' });
    expect(adapterCapabilities('onnx_seq2seq').weightFormats).toContain('matmulnbits');
    expect(allAdapters().map((a) => [a.name, a.capabilities.task])).toEqual([
      ['onnx_causal', 'causal-lm'],
      ['onnx_mlm', 'masked-lm'],
      ['onnx_seq2seq', 'seq2seq-lm'],
      ['onnx_cls', 'sequence-classification'],
    ]);
  });
});

describe('support matrix', () => {
  const families = supportMatrix();

  it('lists every architecture with a bundled interface, once', () => {
    expect(families.map((f) => f.modelType).sort()).toEqual(listBundledInterfaces());
  });

  it('claims fixture evidence only where a fixture of that family exists and holds that weight format', async () => {
    for (const family of families) {
      const fixtures = family.evidence.filter((e) => e.startsWith('fixture:')).map((e) => e.slice('fixture:'.length));
      for (const name of fixtures) expect(existsSync(fixturePath(name)), `${family.modelType}: ${name}`).toBe(true);
      const fixtureFormats = new Set<string>();
      for (const name of fixtures) for (const format of Object.keys((await selectAdapter(fixturePath(name))).formats)) fixtureFormats.add(format);
      for (const [format, tier] of Object.entries(family.formats)) {
        if (tier === 'fixture') expect(fixtureFormats.has(format), `${family.modelType} ${format}`).toBe(true);
      }
      if (family.scoring === 'fixture' || family.interfaceMapping === 'fixture') expect(fixtures.length, family.modelType).toBeGreaterThan(0);
    }
  });

  it('points every evidence entry at a file or fixture that exists', () => {
    for (const family of families) {
      for (const entry of family.evidence.filter((e) => !e.startsWith('fixture:'))) expect(existsSync(resolve(ROOT, entry)), entry).toBe(true);
    }
  });

  it('claims no real-model evidence (no published checkpoint is certified in CI yet)', () => {
    const tiers = families.flatMap((f) => [f.scoring, f.interfaceMapping, ...Object.values(f.formats)]);
    expect(tiers).not.toContain('real-model');
  });
});

describe('support matrix: exporters and fused ops (issue #11)', () => {
  const matrix = JSON.parse(readFileSync(resolve(ROOT, 'contracts/support_matrix.json'), 'utf8')) as {
    exporters: { pattern: string; tier: string; evidence: string[] }[];
    fused_ops: { op: string; tier: string; evidence: string[] }[];
  };
  const entries = [...matrix.exporters.map((e) => ({ name: e.pattern, tier: e.tier, evidence: e.evidence })), ...matrix.fused_ops.map((o) => ({ name: o.op, tier: o.tier, evidence: o.evidence }))];

  it('points every evidence entry at a fixture directory or a file that exists', () => {
    for (const { name, evidence } of entries) {
      for (const entry of evidence) {
        const path = entry.startsWith('fixture:') ? resolve(ROOT, 'tests/fixtures/models', entry.slice('fixture:'.length)) : resolve(ROOT, entry);
        expect(existsSync(path), `${name}: ${entry}`).toBe(true);
      }
    }
  });

  it('claims fixture evidence only with a fixture and a test that runs it', () => {
    for (const { name, tier, evidence } of entries.filter((e) => e.tier === 'fixture')) {
      expect(evidence.some((e) => e.startsWith('fixture:')), name).toBe(true);
      expect(evidence.some((e) => e.startsWith('tests/')), `${name} (${tier})`).toBe(true);
    }
  });
});
