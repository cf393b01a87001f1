import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { junitSuiteOf, parseCertificate, renderJunitXml } from '../../src/report/index.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/certificates');
const cert = (name: string) => parseCertificate(readFileSync(join(FIXTURES, `${name}.cert.json`)), { source: name, maxBytes: 1e8 });

describe('renderJunitXml', () => {
  it('writes one test case per gate: failures for failed gates with the verdict reasons, skipped for unevaluated ones', () => {
    const suite = junitSuiteOf(cert('fail'));
    const xml = renderJunitXml([suite]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="InvarLock"')).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(suite.gates.length);
    expect(suite.gates.map((g) => g.label)).toEqual(['Primary metric', 'Drift', 'Invariants', 'Spectral', 'RMT', 'Guard overhead', 'Pairing', 'Tail']);
    const failed = suite.gates.filter((g) => g.status === 'fail').length;
    expect(failed).toBeGreaterThanOrEqual(1);
    // spectral and RMT are advisory in balanced: their failures are warnings, never JUnit failures
    expect(suite.gates.filter((g) => g.gate === 'spectral' || g.gate === 'rmt').map((g) => g.status)).toEqual(['warn', 'warn']);
    expect(xml.match(/<failure /g)).toHaveLength(failed);
    expect(xml).toContain(`failures="${failed}"`);
    expect(xml).toContain('message="upper CI bound 1.13711 &gt; limit 1.1 + hysteresis 0.002"');
    expect(xml).toContain('<property name="verdict" value="fail"/>');
    const pass = renderJunitXml([junitSuiteOf(cert('pass'))]);
    expect(pass).toContain('failures="0"');
    expect(pass).not.toContain('<failure');
  });

  it('escapes what XML cannot hold as text', () => {
    const xml = renderJunitXml([{ name: '<a & "b">', verdict: 'pass', gates: [{ gate: 'x', label: "it's\u0001", status: 'pass', measured: '<1', threshold: '>2' }], reasons: [] }]);
    expect(xml).toContain('name="InvarLock: &lt;a &amp; &quot;b&quot;&gt;"');
    expect(xml).toContain('name="it&apos;s"');
    expect(xml).toContain('<system-out>measured &lt;1; threshold &gt;2</system-out>');
  });
});
