import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCertificate, renderHtml, type Certificate } from '../../src/report/index.js';
import { findChromium, screenshotHtml } from './chromium.js';
import { sampleInputs } from './sample-inputs.js';

const samples = sampleInputs();
const warn = buildCertificate(samples.warn);
const catastrophe = buildCertificate(samples.catastrophe);
const accuracy = buildCertificate(samples.accuracy);
const workDir = mkdtempSync(join(tmpdir(), 'invarlock-html-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const hostile = '<script>alert("x")</script> & \'q\' <img src=https://evil.example/p.png>';

function withHostileText(cert: Certificate): Certificate {
  return {
    ...cert,
    models: { ...cert.models, subject: { ...cert.models.subject, label: hostile, reference: hostile } },
    verdict: { ...cert.verdict, reasons: [...cert.verdict.reasons, { code: 'note', gate: 'run', message: hostile }] },
    dataset: { ...cert.dataset, provider: hostile },
  };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(path: string): { width: number; height: number } {
  const png = readFileSync(path);
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('renderHtml', () => {
  it('is one self-contained page: no scripts, no remote resources, a CSP that forbids fetches', () => {
    const html = renderHtml(warn, { links: { runUrl: 'https://github.com/o/r/actions/runs/1', artifactUrl: 'ftp://nope' } });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`);
    expect(html).not.toMatch(/<script|<link|<iframe|src=|@import|url\(/i);
    expect([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).toEqual(['https://github.com/o/r/actions/runs/1']);
    expect((html.match(/<svg /g) ?? []).length).toBe(3);
    expect(html).toContain(`<!-- invarlock:cert v1 sha256=${warn.digest} -->`);
  });

  it('escapes every piece of certificate text', () => {
    const html = renderHtml(withHostileText(warn));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
  });

  it('draws one histogram bar per non-empty bin, counting every final window', () => {
    const html = renderHtml(warn);
    const counts = [...html.matchAll(/<title>(\d+) windows in \[/g)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(warn.windows.final.ids.length);
    expect(html).toMatch(/class="ci-band"/);
    expect(html).toContain(`limit ln(1.102) = `);
  });

  it('draws the CI above the bars, with the part beyond the limit in the failure colour', () => {
    const fail = buildCertificate(samples.fail);
    const over = [...renderHtml(fail).matchAll(/class="ci-over"><title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(over).toHaveLength(1);
    // The whole interval lies above ln(1.102): all of it is drawn as beyond the limit.
    expect(over[0]).toBe('CI of the mean: [0.1128, 0.1285]; beyond the limit: [0.1128, 0.1285]');
    expect(renderHtml(fail)).not.toMatch(/class="ci-band"><title>CI of the mean/);
    const straddling: Certificate = { ...fail, primary_metric: { ...fail.primary_metric, delta_ci: [0.05, 0.12] } };
    const html = renderHtml(straddling);
    expect(html).toMatch(/class="ci-band"><title>CI of the mean: \[0\.05, 0\.12\]<\/title>/);
    expect(html).toMatch(/class="ci-over"><title>CI of the mean: \[0\.05, 0\.12\]; beyond the limit: \[0\.09713, 0\.12\]<\/title>/);
    expect(renderHtml(buildCertificate(samples.pass))).not.toContain('class="ci-over"');
  });

  it('keeps bars on the axis scale when the axis widens to reach a far limit', () => {
    const pass = buildCertificate(samples.pass);
    const n = pass.windows.final.ids.length;
    // Every Δ within [0, 0.005] nats while the limit sits at ln(1.102) ≈ 0.097: bins over the whole
    // axis would put all windows in one or two bars.
    const delta = Array.from({ length: n }, (_, i) => (0.005 * i) / (n - 1));
    const narrow: Certificate = { ...pass, windows: { ...pass.windows, final: { ...pass.windows.final, delta } }, primary_metric: { ...pass.primary_metric, delta_mean: 0.0025, delta_ci: [0.0022, 0.0028] } };
    const bars = [...renderHtml(narrow).matchAll(/<title>(\d+) windows in \[/g)].map((m) => Number(m[1]));
    expect(bars.reduce((a, b) => a + b, 0)).toBe(n);
    expect(bars.length).toBeGreaterThanOrEqual(12);
  });

  it('shows the preview arm when the run stopped after it, and says why a plot is empty', () => {
    const html = renderHtml(catastrophe);
    expect(html).toContain('Per-window Δ (preview windows; no final arm)');
    expect(html).toContain('catastrophe ln(2.00) = 0.6931');
    expect(renderHtml({ ...catastrophe, windows: { ...catastrophe.windows, preview: catastrophe.windows.final } })).toContain('No final windows were scored.');
    expect(html).toContain('RMT guard not evaluated: skipped: the run stopped after the preview arm');
  });

  it('plots accuracy in percentage points against its limit', () => {
    expect(renderHtml(accuracy)).toContain('limit −1.00 pp');
  });

  it('renders in headless Chromium without console errors', (ctx) => {
    const chromium = findChromium();
    ctx.skip(chromium === undefined, 'chromium is not installed (Debian: apt-get install -y chromium); the HTML was not rendered');
    if (chromium === undefined) return;
    for (const [name, cert] of [['warn', withHostileText(warn)], ['catastrophe', catastrophe]] as const) {
      const htmlPath = join(workDir, `${name}.html`);
      const pngPath = join(workDir, `${name}.png`);
      writeFileSync(htmlPath, renderHtml(cert));
      expect(screenshotHtml(chromium, htmlPath, pngPath), name).toEqual([]);
      expect(pngSize(pngPath), name).toEqual({ width: 1200, height: 1600 });
      expect(readFileSync(pngPath).length, name).toBeGreaterThan(50_000);
    }
  });

  it('reports a page that tries to fetch, so the Chromium check has teeth', (ctx) => {
    const chromium = findChromium();
    ctx.skip(chromium === undefined, 'chromium is not installed (Debian: apt-get install -y chromium)');
    if (chromium === undefined) return;
    const htmlPath = join(workDir, 'fetching.html');
    writeFileSync(htmlPath, renderHtml(warn).replace('<main>', '<main><img src="https://example.com/pixel.png">'));
    const consoleLines = screenshotHtml(chromium, htmlPath, join(workDir, 'fetching.png'));
    expect(consoleLines.some((line) => line.includes('Content Security Policy'))).toBe(true);
  });
});
