/**
 * The committed fixture files, as they should be: path (relative to
 * tests/fixtures/certificates/) → content. Shared by the generator script and the test that
 * checks the committed copies are current.
 */
import { buildCertificate, renderHtml, renderMarkdown, serializeCertificate, type Certificate, type MarkdownSurface } from '../../src/report/index.js';
import { sampleInputs, type SampleName } from './sample-inputs.js';

const LINKS = { runUrl: 'https://github.com/acme/models/actions/runs/123456789', artifactUrl: 'https://github.com/acme/models/actions/runs/123456789/artifacts/987654' };

/** Built certificates of every sample. */
export function sampleCertificates(): Record<SampleName, Certificate> {
  const inputs = sampleInputs();
  const out = {} as Record<SampleName, Certificate>;
  for (const name of Object.keys(inputs) as SampleName[]) out[name] = buildCertificate(inputs[name]);
  return out;
}

/** Every fixture file and its expected content. */
export function fixtureFiles(): Record<string, string> {
  const certs = sampleCertificates();
  const files: Record<string, string> = {};
  for (const [name, cert] of Object.entries(certs)) {
    files[`${name}.cert.json`] = serializeCertificate(cert);
    files[`__outputs__/${name}.report.md`] = renderMarkdown(cert, { surface: 'report', links: LINKS }).text;
    files[`__outputs__/${name}.html`] = renderHtml(cert, { links: LINKS });
  }
  const surfaces: readonly MarkdownSurface[] = ['check-summary', 'check-text', 'comment', 'job-summary'];
  for (const name of ['pass', 'fail'] as const) {
    for (const surface of surfaces) files[`__outputs__/${name}.${surface}.md`] = renderMarkdown(certs[name], { surface, links: LINKS }).text;
  }
  files['__outputs__/warn.comment-after-pass.md'] = renderMarkdown(certs.warn, { surface: 'comment', links: LINKS, previous: certs.pass }).text;
  return files;
}
