import { configuredPolicy } from '../../core/index.js';
import { InvarlockError } from '../../errors/index.js';
import { buildGateRows, parseCertificate, renderJunitXml, renderHeadline, renderMarkdown, renderTitle, verifyCertificate, type AcceptedPolicy, type Certificate, type VerifyCheck } from '../../report/index.js';
import type { CertificatePolicy, CertificateReader, CertificateView, RenderOptions, RenderedMarkdown, Surface, VerifiedCertificate } from '../types.js';

/**
 * The one place the Action meets the report layer: certificates are parsed, verified (schema,
 * digests, statistics, gates, verdict) and translated into the narrow {@link CertificateView}
 * here; publishers never see the report layer's types.
 */

/** The Action's view of a report-layer certificate. */
export function toCertificateView(cert: Certificate): CertificateView {
  const pm = cert.primary_metric;
  return {
    verdict: cert.verdict.status,
    reasons: cert.verdict.reasons.map((r) => ({ gate: r.gate, code: r.code, message: r.message })),
    headline: renderHeadline(cert),
    title: renderTitle(cert),
    digest: cert.digest,
    primaryMetric: { kind: pm.kind, ratio: pm.ratio, ciLow: pm.ratio_ci?.[0] ?? null, ciHigh: pm.ratio_ci?.[1] ?? null, limit: pm.limit },
    baseline: cert.models.baseline.label,
    subject: cert.models.subject.label,
    imageDigest: cert.provenance.container?.digest ?? null,
    gates: buildGateRows(cert).map((r) => ({ gate: r.gate, label: r.label, status: r.status, measured: r.measured, threshold: r.threshold })),
  };
}

function describeCheck(check: VerifyCheck): string {
  const where = check.path === undefined ? '' : ` at ${check.path}`;
  const values = check.expected === undefined && check.actual === undefined ? '' : ` (re-derived ${check.expected ?? '?'}, recorded ${check.actual ?? '?'})`;
  return `${check.id}: ${check.message}${where}${values}`;
}

function render(cert: Certificate, surface: Surface, options: RenderOptions): RenderedMarkdown {
  const links = { runUrl: options.links.run, ...(options.links.artifact === null ? {} : { artifactUrl: options.links.artifact }) };
  return renderMarkdown(cert, { surface, links, ...(options.limit === null ? {} : { limit: Math.max(0, options.limit) }) });
}

function acceptedPolicy(policy: CertificatePolicy): AcceptedPolicy {
  return policy.kind === 'own-run' ? { kind: 'recorded' } : configuredPolicy(policy.tier, policy.profile);
}

/**
 * Reads untrusted certificate bytes: size limit and strict JSON and schema (`parseCertificate`:
 * `E_CERT_TOO_LARGE`, `E_CERT_PARSE`, `E_CERT_DUPLICATE_KEY`, `E_CERT_SCHEMA`), then
 * `verifyCertificate` against the policy `options.policy` accepts; a policy other than the
 * configured one throws `E_CERT_POLICY`, any other inconsistency `E_CERT_VERIFY`, with every
 * failed check in `details.problems`.
 */
export const readVerifiedCertificate: CertificateReader = (bytes, options): VerifiedCertificate => {
  const cert = parseCertificate(bytes, { source: options.source, maxBytes: options.maxBytes });
  const report = verifyCertificate(cert, { source: options.source, maxBytes: options.maxBytes, policy: acceptedPolicy(options.policy) });
  if (report.exitCode !== 0) {
    const failed = report.checks.filter((c) => c.status === 'fail');
    const policyFailed = failed.some((c) => c.code === 'E_CERT_POLICY');
    throw new InvarlockError(policyFailed ? 'E_CERT_POLICY' : 'E_CERT_VERIFY', `${options.source} failed verification: ${failed[0] === undefined ? 'inconsistent' : describeCheck(failed[0])}`, {
      details: { file: options.source, problems: failed.map(describeCheck) },
      hint: policyFailed
        ? 'The certificate was decided with a policy other than the tier and profile this workflow configures (inputs tier and profile); nothing was published from it.'
        : 'The certificate was changed after it was made, or made by a different version; nothing was published from it.',
    });
  }
  return { view: toCertificateView(cert), render: (surface, renderOptions) => render(cert, surface, renderOptions) };
};

/** JUnit XML of a verified certificate: one test case per gate (`junit-path`). */
export function junitXmlOf(view: CertificateView): string {
  return renderJunitXml([{ name: `${view.baseline} → ${view.subject}`, verdict: view.verdict, gates: view.gates, reasons: view.reasons }]);
}
