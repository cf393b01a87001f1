import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CERTIFICATE_MARKER_PREFIX,
  SURFACE_LIMITS,
  buildCertificate,
  parseCertificateMarker,
  renderMarkdown,
  type Certificate,
  type MarkdownSurface,
  type SpectralModule,
} from '../../src/report/index.js';
import { hostileText, rawHtmlLines, structureProblems, tables } from './markdown-structure.js';
import { sampleInputs } from './sample-inputs.js';

const samples = sampleInputs();
const pass = buildCertificate(samples.pass);
const warn = buildCertificate(samples.warn);
const fail = buildCertificate(samples.fail);
const surfaces: readonly MarkdownSurface[] = ['check-summary', 'check-text', 'comment', 'job-summary', 'report'];

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** `pass` with `count` spectral modules and violations whose names are long and multi-byte. */
function bloated(count: number, name: (i: number) => string): Certificate {
  const spectral = pass.guards.spectral;
  const base = spectral.measurements?.modules[0];
  if (base === undefined) throw new Error('sample has no spectral modules');
  const modules: SpectralModule[] = Array.from({ length: count }, (_, i) => ({ ...base, module: name(i), ratio: 1 + (i % 50) / 100, layer: i % 12 }));
  return {
    ...pass,
    guards: {
      ...pass.guards,
      spectral: {
        ...spectral,
        measurements: spectral.measurements === null ? null : { ...spectral.measurements, modules },
        violations: modules.slice(0, count / 2).map((m) => ({ code: 'spectral_cap', severity: 'warning', module: m.module, family: m.family, message: `ρ ${m.ratio} — ${m.module}`, value: m.ratio, threshold: 0.1 })),
      },
    },
  };
}

describe('renderMarkdown', () => {
  it('leads with the headline, then the dashboard, and ends with the hidden marker', () => {
    const { text, omitted } = renderMarkdown(pass, { surface: 'comment' });
    expect(omitted).toEqual([]);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('## InvarLock · ✅ PASS · ppl ×1.009, upper bound 1.012 ≤ 1.10 · balanced/ci · gpt2 → gpt2-int8');
    expect(lines.at(-1)).toBe(`<!-- invarlock:cert v1 sha256=${pass.digest} -->`);
    const order = ['| Gate | Status |', '| Metric | Baseline |', '### Guards', '### What changed', '### Baseline identity', '<summary>Guards by family</summary>', '<summary>Policy</summary>', '<summary>Digests</summary>'];
    const positions = order.map((marker) => text.indexOf(marker));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(structureProblems(text)).toEqual([]);
  });

  it('renders one dashboard row per gate with status, measured, threshold and basis', () => {
    const dashboard = tables(renderMarkdown(fail, { surface: 'check-summary' }).text)[0] ?? [];
    expect(dashboard[0]?.map((c) => c.trim())).toEqual(['Gate', 'Status', 'Measured', 'Threshold', 'Basis']);
    const rows = Object.fromEntries(dashboard.slice(2).map((r) => [r[0]?.trim(), r.map((c) => c.trim())]));
    expect(Object.keys(rows)).toEqual(['**Overall**', 'Primary metric', 'Drift', 'Invariants', 'Spectral', 'RMT', 'Guard overhead', 'Pairing', 'Tail']);
    expect(rows['Primary metric']).toEqual(['Primary metric', '❌ fail', '×1.128 [1.119, 1.137]', '≤ 1.10 (+0.002 hysteresis)', 'upper CI bound']);
    expect(rows['Guard overhead']?.[1]).toBe('➖ not evaluated');
    expect(rows['Tail']?.[1]).toBe('⚠️ warn');
  });

  it('shows the environment on the check-run text surface', () => {
    const { text } = renderMarkdown(pass, { surface: 'check-text' });
    expect(text.startsWith('### Environment')).toBe(true);
    for (const fact of ['NVIDIA H100', '`570.133.20`', 'cuda', `\`${pass.provenance.container?.digest ?? ''}\``, 'window draw 42']) expect(text).toContain(fact);
  });

  it('keeps every surface within its limit, with per-module tables shortened per surface', () => {
    const huge = bloated(5000, (i) => `层.${i}.🙂mlp|c_fc`);
    for (const surface of surfaces) {
      const { text } = renderMarkdown(huge, { surface });
      const limit = SURFACE_LIMITS[surface];
      const size = limit.unit === 'utf8-bytes' ? bytes(text) : text.length;
      expect(size, surface).toBeLessThanOrEqual(limit.limit);
      expect(structureProblems(text), surface).toEqual([]);
      expect(parseCertificateMarker(text), surface).toBe(pass.digest);
    }
    expect(renderMarkdown(huge, { surface: 'check-summary' }).text).toContain('Largest 50 of 5,000 changes');
    expect(renderMarkdown(huge, { surface: 'job-summary' }).text).toContain('Largest 500 of 5,000 changes');
    expect(renderMarkdown(huge, { surface: 'report' }).text).toContain('All 5,000 weights');
  });

  it('cuts at multi-byte text exactly at the byte limit and says what was cut', () => {
    const huge = bloated(2000, (i) => `层.${i}.🙂mlp|c_fc`);
    for (const limit of [65_535, 20_000, 9_001, 4_099]) {
      const { text, omitted } = renderMarkdown(huge, { surface: 'job-summary', limit });
      expect(bytes(text)).toBeLessThanOrEqual(limit);
      expect(omitted.length).toBeGreaterThan(0);
      expect(text).toContain(`✂️ Shortened to fit the ${limit.toLocaleString('en-US')} byte limit`);
      expect(structureProblems(text)).toEqual([]);
      expect(parseCertificateMarker(text)).toBe(pass.digest);
    }
  });

  it('drops detail tables before the dashboard, reducing rows first', () => {
    const huge = bloated(2000, (i) => `transformer.h.${i % 12}.mlp.c_fc.${i}.weight`);
    const full = renderMarkdown(huge, { surface: 'job-summary' }).text;
    const { text, omitted } = renderMarkdown(huge, { surface: 'job-summary', limit: 12_000 });
    expect(bytes(text)).toBeLessThanOrEqual(12_000);
    expect(omitted).toContain('Timing');
    expect(omitted.some((o) => o.startsWith('Guard violations (showing') || o === 'Guard violations')).toBe(true);
    expect(omitted).not.toContain('Gate dashboard');
    expect(text).toContain('| Gate | Status | Measured | Threshold | Basis |');
    expect(full.length).toBeGreaterThan(text.length);
    expect(structureProblems(text)).toEqual([]);
  });

  it('fits any limit without cutting a table, for any multi-byte model name (property)', () => {
    fc.assert(
      fc.property(hostileText(60), fc.integer({ min: 600, max: 40_000 }), fc.constantFrom<MarkdownSurface>('check-summary', 'comment', 'job-summary'), (name, limit, surface) => {
        const cert = bloated(300, (i) => `${name}${i}`);
        const labelled = { ...cert, models: { ...cert.models, subject: { ...cert.models.subject, label: name.length === 0 ? 'x' : name } } };
        const { text } = renderMarkdown(labelled, { surface, limit });
        const size = SURFACE_LIMITS[surface].unit === 'utf8-bytes' ? bytes(text) : text.length;
        return size <= limit && structureProblems(text).length === 0;
      }),
      { seed: 1234, numRuns: 40 },
    );
  });

  it('counts the comment limit in UTF-16 code units, not bytes', () => {
    const astral = bloated(200, (i) => `🙂🙂🙂🙂🙂🙂🙂🙂${i}`);
    const full = renderMarkdown(astral, { surface: 'comment' }).text;
    expect(bytes(full)).toBeGreaterThan(full.length);
    // At a limit equal to its UTF-16 length the comment fits whole, though its UTF-8 is longer.
    expect(renderMarkdown(astral, { surface: 'comment', limit: full.length })).toEqual({ text: full, omitted: [] });
    const cut = renderMarkdown(astral, { surface: 'comment', limit: full.length - 1 });
    expect(cut.text.length).toBeLessThan(full.length);
    expect(cut.text).toContain(`${(full.length - 1).toLocaleString('en-US')} character limit`);
  });

  it('keeps arbitrary text in model names and references inside its table cell (property)', () => {
    fc.assert(
      fc.property(hostileText(80), hostileText(80), (label, reference) => {
        const cert: Certificate = {
          ...pass,
          models: { ...pass.models, subject: { ...pass.models.subject, label: label === '' ? 'x' : label, reference: reference === '' ? 'y' : reference } },
          verdict: { ...pass.verdict, reasons: [{ code: 'note', gate: 'run', message: `${label}\n| x | y |\n<details>` }] },
        };
        const { text } = renderMarkdown(cert, { surface: 'comment' });
        const identity = tables(text).find((t) => t.some((row) => row[0]?.trim() === 'Reference'));
        const problems = structureProblems(text);
        const headline = text.split('\n')[0] ?? '';
        return problems.length === 0 && identity !== undefined && identity.every((row) => row.length === 3) && rawHtmlLines(text).length === 0 && headline.startsWith('## InvarLock');
      }),
      { seed: 99, numRuns: 100 },
    );
  });

  it('tells a pull request what moved since the previous push', () => {
    const { text } = renderMarkdown(warn, { surface: 'comment', previous: pass });
    expect(text).toContain(`**Since the previous push** (\`${pass.digest.slice(0, 12)}\` → \`${warn.digest.slice(0, 12)}\`)`);
    expect(text).toContain('verdict pass → **warn**');
    expect(text).toContain('Tail pass → warn');
    expect(renderMarkdown(pass, { surface: 'comment', previous: pass }).text).toContain('_No change since the previous push');
  });

  it('links only http and https URLs', () => {
    const { text } = renderMarkdown(pass, { surface: 'check-summary', links: { runUrl: 'https://github.com/o/r/actions/runs/1', artifactUrl: 'javascript:alert(1)' } });
    expect(text).toContain('[Workflow run](https://github.com/o/r/actions/runs/1)');
    expect(text).not.toContain('javascript');
  });

  it('neither mutates nor depends on mutating the certificate', () => {
    const frozen = deepFreeze(structuredClone(fail));
    const before = JSON.stringify(frozen);
    for (const surface of surfaces) renderMarkdown(frozen, { surface, previous: frozen, limit: 5000 });
    expect(JSON.stringify(frozen)).toBe(before);
  });
});

describe('certificate marker', () => {
  it('reads back the digest it carries', () => {
    const { text } = renderMarkdown(pass, { surface: 'job-summary' });
    expect(text).toContain(CERTIFICATE_MARKER_PREFIX);
    expect(parseCertificateMarker(text)).toBe(pass.digest);
    expect(parseCertificateMarker('no marker here')).toBeUndefined();
  });
});
