export { ERROR_CODES, isErrorCode, type ErrorCode } from './codes.js';
export { InvarlockError, isInvarlockError, wrapError, type ErrorDetails, type InvarlockErrorOptions } from './invarlock-error.js';
export type { Diagnostic, Severity } from './diagnostic.js';
export { DOCTOR_FINDINGS, type DoctorFindingCode } from './doctor-findings.js';
export { DOCTOR_FINDING_FIXES, ERROR_CODE_FIXES } from './code-fixes.js';
export {
  isPathInside,
  modelFilesRoot,
  openUntrustedFileSync,
  readOptionalUntrustedText,
  readUntrustedFile,
  readUntrustedFileSync,
  readUntrustedText,
  UNTRUSTED_FILE_LIMITS,
  type OpenedFile,
  type UntrustedFileOptions,
} from './untrusted-file.js';
