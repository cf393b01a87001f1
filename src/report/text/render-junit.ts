import type { Certificate } from '../certificate/certificate-types.js';
import { buildGateRows } from './gate-rows.js';

/** One gate as JUnit sees it: plain text cells, escaped here. */
export interface JunitGate {
  readonly gate: string;
  readonly label: string;
  readonly status: 'pass' | 'warn' | 'fail' | 'error' | 'skipped' | 'not_evaluated';
  readonly measured: string;
  readonly threshold: string;
}

/** One certificate: a test suite whose test cases are its gates. */
export interface JunitSuite {
  /** e.g. `gpt2 → gpt2-int8`. */
  readonly name: string;
  readonly verdict: string;
  readonly gates: readonly JunitGate[];
  /** The verdict's reasons for a gate, joined into the failure text. */
  readonly reasons: readonly { readonly gate: string; readonly message: string }[];
}

function xml(text: string): string {
  // Characters XML 1.0 cannot hold are dropped; the rest escaped (attributes and text alike).
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function testcase(suite: JunitSuite, g: JunitGate): string {
  const open = `    <testcase classname="invarlock.${xml(g.gate)}" name="${xml(g.label)}" time="0">`;
  const detail = `measured ${g.measured}; threshold ${g.threshold}`;
  const why = suite.reasons.filter((r) => r.gate === g.gate).map((r) => r.message);
  switch (g.status) {
    case 'fail':
      return `${open}\n      <failure type="gate_failed" message="${xml(why[0] ?? detail)}">${xml([detail, ...why].join('\n'))}</failure>\n    </testcase>`;
    case 'error':
      return `${open}\n      <error type="not_finished" message="${xml(why[0] ?? detail)}">${xml([detail, ...why].join('\n'))}</error>\n    </testcase>`;
    case 'skipped':
    case 'not_evaluated':
      return `${open}\n      <skipped message="${xml(g.status === 'skipped' ? 'skipped' : 'not evaluated')}"/>\n    </testcase>`;
    case 'warn':
      return `${open}\n      <system-out>${xml([`warn: ${detail}`, ...why].join('\n'))}</system-out>\n    </testcase>`;
    case 'pass':
      return `${open}\n      <system-out>${xml(detail)}</system-out>\n    </testcase>`;
    default: {
      const never: never = g.status;
      return never;
    }
  }
}

/**
 * JUnit XML of certificates: one `<testsuite>` per certificate, one `<testcase>` per gate (failed
 * gates `<failure>`, gates that could not finish `<error>`, unevaluated ones `<skipped>`, warnings
 * pass with the warning in `<system-out>`), so test-report tools and GitHub's test summaries show
 * the gates.
 */
export function renderJunitXml(suites: readonly JunitSuite[]): string {
  const count = (s: JunitSuite, statuses: readonly JunitGate['status'][]) => s.gates.filter((g) => statuses.includes(g.status)).length;
  const total = (statuses: readonly JunitGate['status'][]) => suites.reduce((n, s) => n + count(s, statuses), 0);
  const all = suites.reduce((n, s) => n + s.gates.length, 0);
  const body = suites.map((s) =>
    [
      `  <testsuite name="${xml(`InvarLock: ${s.name}`)}" tests="${s.gates.length}" failures="${count(s, ['fail'])}" errors="${count(s, ['error'])}" skipped="${count(s, ['skipped', 'not_evaluated'])}" time="0">`,
      `    <properties><property name="verdict" value="${xml(s.verdict)}"/></properties>`,
      ...s.gates.map((g) => testcase(s, g)),
      '  </testsuite>',
    ].join('\n'),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="InvarLock" tests="${all}" failures="${total(['fail'])}" errors="${total(['error'])}" skipped="${total(['skipped', 'not_evaluated'])}">\n${body.join('\n')}\n</testsuites>\n`;
}

/** A certificate as a JUnit suite: its gate table and verdict reasons. */
export function junitSuiteOf(cert: Certificate): JunitSuite {
  return {
    name: `${cert.models.baseline.label} → ${cert.models.subject.label}`,
    verdict: cert.verdict.status,
    gates: buildGateRows(cert).map((r) => ({ gate: r.gate, label: r.label, status: r.status, measured: r.measured, threshold: r.threshold })),
    reasons: cert.verdict.reasons.map((r) => ({ gate: r.gate, message: r.message })),
  };
}
