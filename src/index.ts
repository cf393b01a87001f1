/**
 * The invarlock library: certify a weight edit of an ONNX language model and verify certificates.
 *
 * ```ts
 * import { certify, resolveRunConfig, parseRunConfigFile, verifyCertificate } from 'invarlock';
 * const config = resolveRunConfig(parseRunConfigFile({ baseline: './gpt2', subjects: [{ model: './gpt2-int8' }] }, 'script'));
 * const run = await certify(config, { cwd: process.cwd() });
 * ```
 */
export {
  certify,
  loadConfigFile,
  mergeConfig,
  parseRunConfigFile,
  resolvePolicy,
  resolveRunConfig,
  type CertifyOptions,
  type CertifyRun,
  type Policy,
  type RunConfig,
  type RunConfigFile,
  type RunEvent,
  type SubjectCertificate,
} from './core/index.js';
export {
  buildCertificate,
  parseCertificate,
  renderHeadline,
  renderHtml,
  renderMarkdown,
  serializeCertificate,
  verifyCertificate,
  writeReportFiles,
  type Certificate,
  type VerifyReport,
} from './report/index.js';
export { ERROR_CODES, InvarlockError, isInvarlockError, type ErrorCode } from './errors/index.js';
