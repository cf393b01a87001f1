import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isInvarlockError } from '../../src/errors/index.js';
import { buildCertificate, parseCertificate, writeReportFiles } from '../../src/report/index.js';
import { resolveInside } from '../../src/report/write-report-files.js';
import { sampleInputs } from './sample-inputs.js';

const cert = buildCertificate(sampleInputs().dev);
const root = mkdtempSync(join(tmpdir(), 'invarlock-write-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeReportFiles', () => {
  it('writes the certificate, markdown and HTML into a new nested directory and nothing else', async () => {
    const out = join(root, 'a', 'b');
    const written = await writeReportFiles(cert, out);
    expect(written).toEqual({ json: join(out, 'evaluation.cert.json'), markdown: join(out, 'report.md'), html: join(out, 'report.html') });
    expect(readdirSync(out).sort()).toEqual(['evaluation.cert.json', 'report.html', 'report.md']);
    expect(parseCertificate(readFileSync(join(out, 'evaluation.cert.json')), { source: 'x' })).toEqual(cert);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(`sha256=${cert.digest}`);
  });

  it('writes keys in schema order with the verdict first and the digest last', async () => {
    const out = join(root, 'order');
    await writeReportFiles(cert, out, { formats: ['json'] });
    const text = readFileSync(join(out, 'evaluation.cert.json'), 'utf8');
    expect(Object.keys(JSON.parse(text) as object).slice(0, 3)).toEqual(['schema_version', 'run_id', 'verdict']);
    expect(text.trimEnd().split('\n').at(-2)).toBe(`  "digest": "${cert.digest}"`);
    expect(text).toMatch(/"ids": \["w\d+"(, "w\d+")*\]/);
  });

  it('replaces an existing file whole and leaves no temporary file behind', async () => {
    const out = join(root, 'replace');
    await writeReportFiles(cert, out, { formats: ['markdown'] });
    writeFileSync(join(out, 'report.md'), 'stale');
    await writeReportFiles(cert, out, { formats: ['markdown'] });
    expect(readFileSync(join(out, 'report.md'), 'utf8')).not.toBe('stale');
    expect(readdirSync(out)).toEqual(['report.md']);
  });

  it('refuses an output directory that is a file', async () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    await expect(writeReportFiles(cert, file)).rejects.toSatisfy((error: unknown) => isInvarlockError(error, 'E_OUTPUT_PATH') && error.details.file === file);
  });

  it('refuses a file name that would leave the output directory', () => {
    for (const name of ['../escape.json', '/etc/passwd', 'a/b.json', '..', '']) {
      expect(() => resolveInside(root, name), name).toThrow(expect.objectContaining({ code: 'E_OUTPUT_PATH' }));
    }
    expect(resolveInside(root, 'report.md')).toBe(join(root, 'report.md'));
  });
});
