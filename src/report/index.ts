/**
 * The door to the report layer: the Evaluation Certificate (types, schema validation, build,
 * digests, verify) and its readers (headline, budgeted markdown per GitHub surface, HTML with
 * inline SVG plots, gate explanations, report files).
 */
export type * from './certificate-types.js';
export type * from './types.js';
export { buildCertificate } from './build-certificate.js';
export { certificateDigest, policyDigest } from './certificate-digest.js';
export { serializeCertificate } from './certificate-json.js';
export { validateCertificate, parseCertificate, PARSE_DEFAULTS, type ParseCertificateOptions } from './validate-certificate.js';
export { verifyCertificate, VERIFY_DEFAULTS } from './verify-certificate.js';
export { bytesPerToken, ownTokenizers } from './span-metric.js';
export {
  certificateStatement,
  CERTIFICATE_PREDICATE_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  publicGoodTrustedRoot,
  signatureBundlePath,
  verifyCertificateSignature,
  type SignatureCheck,
  type SignaturePolicy,
} from './certificate-signature.js';
export { renderHeadline, renderTitle } from './render-headline.js';
export { renderMarkdown, certificateMarker, parseCertificateMarker, CERTIFICATE_MARKER_PREFIX, SURFACE_LIMITS } from './render-markdown.js';
export { renderHtml, type RenderHtmlOptions } from './render-html.js';
export { explainGates, renderGateExplanation } from './explain-gates.js';
export { writeReportFiles, REPORT_FILE_NAMES, WRITE_DEFAULTS } from './write-report-files.js';
export { buildGateRows, STATUS_BADGES, type GateRow } from './gate-rows.js';
export { junitSuiteOf, renderJunitXml, type JunitGate, type JunitSuite } from './render-junit.js';
export { designOf, type SequentialPlanFacts } from './derive-sequential.js';
