import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { annotationsForCertificate, annotationsForError, type AnnotationSources } from '../../src/action/publish/annotations.js';
import { utf8Bytes } from '../../src/action/publish/byte-budget.js';
import { locateConfigKeys } from '../../src/action/inputs/config-locations.js';
import { checkSummaryFor, commentFor, jobSummaryFor, publicationOf, statusMarkdown } from '../../src/action/publish/markdown-compose.js';
import { parseDataMarker, stickyMarker } from '../../src/action/publish/publication-marker.js';
import { readVerifiedCertificate } from '../../src/action/publish/report-door.js';
import type { VerifiedCertificate } from '../../src/action/types.js';
import { fixtureCert } from './helpers.js';

const LINKS = { run: 'https://github.com/o/r/actions/runs/1', artifact: null, checkRun: null };
const HEAD = 'a'.repeat(40);
const FACTS = { mode: 'container' as const, image: 'ghcr.io/x/y@sha256:1', imageDigest: 'sha256:1', cache: 'hit' as const, durationMs: 1234, notices: ['a notice'] };

/** A certificate whose renderer ignores the limit it is given: the Action must still fit. */
function oversized(base: VerifiedCertificate): VerifiedCertificate {
  return { view: base.view, render: () => ({ text: `${'| a | b |\n'.repeat(5)}\n${'Ünïcødé 😀 text\n\n'.repeat(100_000)}`, omitted: [] }) };
}

describe('markdown for the GitHub surfaces', () => {
  const cert = readVerifiedCertificate(readFileSync(fixtureCert('fail')), { source: 'fail', maxBytes: 1e8, policy: { kind: 'own-run' } });

  it('puts the data marker in the check summary, within 65,535 bytes even for an oversized rendering', () => {
    for (const c of [cert, oversized(cert)]) {
      const summary = checkSummaryFor(c, LINKS, HEAD);
      expect(utf8Bytes(summary)).toBeLessThanOrEqual(65_535);
      expect(parseDataMarker(summary)).toEqual(publicationOf(cert, HEAD));
    }
  });

  it('writes a comment a reviewer reads in ten seconds: headline, change since the last push, gate table, links; under 2 KB', () => {
    const links = { ...LINKS, checkRun: 'https://github.com/o/r/runs/7', artifact: 'https://github.com/o/r/actions/runs/1/artifacts/9', report: 'https://github.com/o/r/actions/runs/1/artifacts/10' };
    const comment = commentFor({ certificate: oversized(cert), checkName: 'n', links, headSha: HEAD, previous: { ...publicationOf(cert, 'b'.repeat(40)), digest: 'e'.repeat(64), verdict: 'pass', ratio: 1.01 } });
    expect(comment.startsWith(stickyMarker('n'))).toBe(true);
    expect(comment.split('\n')[1]).toMatch(/^### ❌ FAIL · /);
    expect(comment).toContain('PASS → FAIL');
    expect(utf8Bytes(comment)).toBeLessThan(2000);
    expect(comment).toContain('[Check run](https://github.com/o/r/runs/7)');
    expect(comment).toContain('[report.html](https://github.com/o/r/actions/runs/1/artifacts/10)');
    expect(comment).toContain('[Artifact](https://github.com/o/r/actions/runs/1/artifacts/9)');
    // Every failing gate has its row, before the passing ones; the renderer's long report is not in it.
    const rows = comment.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| |') && !l.startsWith('| ---'));
    expect(rows.slice(0, 3).map((r) => r.split(' | ')[1])).toEqual(['Primary metric', 'Spectral', 'RMT']);
    expect(comment).not.toContain('Ünïcødé');
    expect(parseDataMarker(comment)?.verdict).toBe('fail');
  });

  it('keeps the job summary within 1 MiB with the run facts at the end', () => {
    const summary = jobSummaryFor({ kind: 'certified', certificate: oversized(cert), files: { certificatePath: '/c', certificateSha256: 'x', reportPath: null, htmlPath: null } }, FACTS, LINKS);
    expect(utf8Bytes(summary)).toBeLessThanOrEqual(1024 * 1024);
    expect(summary).toContain('| Baseline cache | hit |');
    expect(summary).toContain('a notice');
  });

  it('explains errors and skips without blaming the model, escaping what the CLI said', () => {
    const text = statusMarkdown({ kind: 'error', error: { code: 'E_GPU_UNAVAILABLE', message: 'no GPU | <script>', hint: 'install the toolkit', field: null, kind: 'other' }, files: null }, LINKS);
    expect(text).toContain('not a verdict on the model');
    expect(text).toContain('no GPU \\| \\<script\\>');
    expect(statusMarkdown({ kind: 'error', error: { code: 'E_TIMEOUT', message: 'late', hint: null, field: null, kind: 'timeout' }, files: null }, LINKS)).toContain('timeout-minutes');
  });
});

describe('annotations', () => {
  const config = 'baseline: models/gpt2\nsubjects:\n  - model: models/int8\ntier: balanced\nguards:\n  spectral: on\n';
  const sources = (fromInputs: string[] = []): AnnotationSources => ({
    configPath: 'invarlock.yaml',
    configLocations: locateConfigKeys(config),
    workflowPath: '.github/workflows/c.yml',
    workflowLocations: new Map([['tier', { line: 12, column: 11 }]]),
    fromInputs: new Set(fromInputs),
  });
  const fail = readVerifiedCertificate(readFileSync(fixtureCert('fail')), { source: 'fail', maxBytes: 1e8, policy: { kind: 'own-run' } });
  const pass = readVerifiedCertificate(readFileSync(fixtureCert('pass')), { source: 'pass', maxBytes: 1e8, policy: { kind: 'own-run' } });

  it('points each failing reason at the setting behind its threshold and marks the subject reference', () => {
    const notes = annotationsForCertificate(fail.view, sources());
    expect(notes.every((n) => n.annotation_level === 'failure')).toBe(true);
    const byTitle = Object.fromEntries(notes.map((n) => [n.title ?? '', `${n.path}:${n.start_line}`]));
    expect(byTitle['primary_metric: ratio_ci_above_limit']).toBe('invarlock.yaml:4');
    // spectral and RMT are advisory in balanced: their findings are warnings, not failure annotations
    expect(byTitle['spectral: guard_failed']).toBeUndefined();
    expect(byTitle['rmt: guard_failed']).toBeUndefined();
    expect(notes.at(-1)).toMatchObject({ path: 'invarlock.yaml', start_line: 3, title: expect.stringContaining('FAIL') });
  });

  it('annotates every failing gate, never on the profile line, even when the tier is a default', () => {
    const bare = 'baseline: models/gpt2\nsubjects:\n  - model: models/int8\nprofile: dev\n';
    const notes = annotationsForCertificate(fail.view, { ...sources(), configLocations: locateConfigKeys(bare) });
    const failing = fail.view.gates.filter((g) => g.status === 'fail').map((g) => g.gate);
    for (const gate of failing) expect(notes.some((n) => n.title?.startsWith(`${gate}:`)), gate).toBe(true);
    expect(notes.every((n) => n.start_line !== 4)).toBe(true);
    // No tier written: at the subject under review, saying the threshold is the default tier's.
    expect(notes.find((n) => n.title === 'primary_metric: ratio_ci_above_limit')).toMatchObject({ path: 'invarlock.yaml', start_line: 3, message: expect.stringContaining('default tier') });
  });

  it('points at the workflow when the setting came from an input, and says nothing for a pass', () => {
    const notes = annotationsForCertificate(fail.view, sources(['tier']));
    expect(notes.find((n) => n.title === 'primary_metric: ratio_ci_above_limit')).toMatchObject({ path: '.github/workflows/c.yml', start_line: 12 });
    expect(annotationsForCertificate(pass.view, sources())).toEqual([]);
  });

  it('places an error at the field it names', () => {
    expect(annotationsForError({ code: 'E_MODEL_REF', message: 'bad', field: 'subjects.0.model' }, sources())).toEqual([
      { path: 'invarlock.yaml', start_line: 3, end_line: 3, annotation_level: 'failure', title: 'ERROR E_MODEL_REF', message: 'bad' },
    ]);
    expect(annotationsForError({ code: 'E_DOCKER', message: 'x', field: null }, sources())).toEqual([]);
  });
});
