export { ERROR_CODES, isErrorCode, type ErrorCode } from './codes.js';
export { InvarlockError, isInvarlockError, wrapError, type ErrorDetails, type InvarlockErrorOptions } from './invarlock-error.js';
export type { Diagnostic, Severity } from './diagnostic.js';
