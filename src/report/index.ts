/**
 * The door to the report layer: the Evaluation Certificate (types, schema validation, build,
 * digests, verify) and its readers (headline, budgeted markdown per GitHub surface, HTML with
 * inline SVG plots, gate explanations, report files).
 */
export type * from './certificate/certificate-types.js';
export type * from './types.js';
export { buildCertificate } from './certificate/build-certificate.js';
export { certificateDigest, policyDigest } from './certificate/certificate-digest.js';
export { serializeCertificate } from './certificate/certificate-json.js';
export { validateCertificate, parseCertificate, PARSE_DEFAULTS, type ParseCertificateOptions } from './certificate/validate-certificate.js';
export { verifyCertificate, VERIFY_DEFAULTS } from './derive/verify-certificate.js';
export { bytesPerToken, ownTokenizers } from './derive/span-metric.js';
export {
  certificateStatement,
  CERTIFICATE_PREDICATE_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  publicGoodTrustedRoot,
  signatureBundlePath,
  verifyCertificateSignature,
  type SignatureCheck,
  type SignaturePolicy,
} from './certificate/certificate-signature.js';
export { renderHeadline, renderTitle } from './text/render-headline.js';
export { renderMarkdown, certificateMarker, parseCertificateMarker, CERTIFICATE_MARKER_PREFIX, SURFACE_LIMITS } from './markdown/render-markdown.js';
export { renderHtml, type RenderHtmlOptions } from './html/render-html.js';
export { explainGates, renderGateExplanation } from './text/explain-gates.js';
export { writeReportFiles, REPORT_FILE_NAMES, WRITE_DEFAULTS } from './write-report-files.js';
export { buildGateRows, STATUS_BADGES, type GateRow } from './text/gate-rows.js';
export { junitSuiteOf, renderJunitXml, type JunitGate, type JunitSuite } from './text/render-junit.js';
export { designOf, type SequentialPlanFacts } from './derive/derive-sequential.js';
