import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCertificateFile, traversalPathsIn } from '../../src/action/evaluate/certificate-intake.js';
import { readVerifiedCertificate } from '../../src/action/publish/report-door.js';
import { fixtureCert, removeDirs, tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => removeDirs(dirs));

function dirWith(name: string, content: string | Buffer): string {
  const dir = tempDir();
  dirs.push(dir);
  writeFileSync(join(dir, name), content);
  return dir;
}

const options = { reader: readVerifiedCertificate, trust: 'untrusted' as const, policy: { kind: 'configured' as const, tier: 'balanced', profile: 'ci' }, maxBytes: 1024 * 1024 };

describe('readCertificateFile', () => {
  it('verifies a certificate and reports the files beside it', async () => {
    const dir = dirWith('evaluation.cert.json', readFileSync(fixtureCert('warn')));
    writeFileSync(join(dir, 'report.md'), '# r');
    const intake = await readCertificateFile(join(dir, 'evaluation.cert.json'), options);
    expect(intake.certificate.view).toMatchObject({ verdict: 'warn', baseline: 'gpt2', subject: 'gpt2 + quant_rtn 8-bit' });
    expect(intake.certificate.view.reasons.map((r) => r.gate)).toEqual(['spectral', 'tail']);
    expect(intake.files).toMatchObject({ reportPath: join(dir, 'report.md'), htmlPath: null });
    expect(intake.files.certificateSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a tampered certificate before anything is published (E_CERT_VERIFY)', async () => {
    const cert = JSON.parse(readFileSync(fixtureCert('fail'), 'utf8'));
    cert.verdict.status = 'pass';
    cert.verdict.reasons = [];
    const dir = dirWith('c.json', JSON.stringify(cert));
    await expect(readCertificateFile(join(dir, 'c.json'), options)).rejects.toMatchObject({ code: 'E_CERT_VERIFY' });
    const ratio = JSON.parse(readFileSync(fixtureCert('pass'), 'utf8'));
    ratio.windows.final.delta[0] = ratio.windows.final.delta[0] + 0.5;
    const dir2 = dirWith('c.json', JSON.stringify(ratio));
    await expect(readCertificateFile(join(dir2, 'c.json'), options)).rejects.toMatchObject({ code: 'E_CERT_VERIFY' });
  });

  it('applies the size limit, schema and JSON checks to untrusted input', async () => {
    await expect(readCertificateFile(join(dirWith('c.json', readFileSync(fixtureCert('pass'))), 'c.json'), { ...options, maxBytes: 1000 })).rejects.toMatchObject({ code: 'E_CERT_TOO_LARGE' });
    await expect(readCertificateFile(join(dirWith('c.json', '{"schema_version": 1}'), 'c.json'), options)).rejects.toMatchObject({ code: 'E_CERT_SCHEMA' });
    await expect(readCertificateFile(join(dirWith('c.json', '{nope'), 'c.json'), options)).rejects.toMatchObject({ code: 'E_CERT_PARSE' });
    await expect(readCertificateFile('/nonexistent/c.json', options)).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
  });

  it('refuses an untrusted certificate that is a symlink', async () => {
    const dir = dirWith('real.json', readFileSync(fixtureCert('pass')));
    symlinkSync(join(dir, 'real.json'), join(dir, 'link.json'));
    await expect(readCertificateFile(join(dir, 'link.json'), options)).rejects.toMatchObject({ code: 'E_CERT_PATH' });
    await expect(readCertificateFile(join(dir, 'link.json'), { ...options, trust: 'own-run' })).resolves.toBeDefined();
  });

  it('finds traversal in the paths a certificate names', () => {
    const cert = JSON.parse(readFileSync(fixtureCert('pass'), 'utf8'));
    expect(traversalPathsIn(cert)).toEqual([]);
    cert.models.subject.reference = '../../etc/passwd';
    cert.dataset.provider = 'text:data/../../secret.txt';
    expect(traversalPathsIn(cert)).toEqual(['models.subject.reference: "../../etc/passwd"', 'dataset.provider: "data/../../secret.txt"']);
  });
});
