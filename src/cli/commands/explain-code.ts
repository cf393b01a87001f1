import { DOCTOR_FINDINGS, ERROR_CODES, isErrorCode, type ErrorCode } from '../../errors/index.js';

/** The error-code table as markdown (README and `invarlock explain --markdown`). */
export function renderErrorCodeTable(): string {
  const rows = (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => `| \`${code}\` | ${ERROR_CODES[code].exit} | ${ERROR_CODES[code].summary.replaceAll('|', '\\|')} |`);
  return ['| code | exit | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** One code's explanation, or undefined when `code` is not in the table. */
export function explainErrorCode(code: string): string | undefined {
  const upper = code.toUpperCase();
  if (!isErrorCode(upper)) return undefined;
  const entry = ERROR_CODES[upper];
  return `${upper} (exit ${entry.exit}): ${entry.summary}`;
}

/** The doctor finding table as markdown (README). */
export function renderDoctorFindingTable(): string {
  const rows = (Object.keys(DOCTOR_FINDINGS) as (keyof typeof DOCTOR_FINDINGS)[]).map(
    (code) => `| \`${code}\` | ${DOCTOR_FINDINGS[code].severity} | ${DOCTOR_FINDINGS[code].summary.replaceAll('|', '\\|')} |`,
  );
  return ['| code | severity | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
