import { DOCTOR_FINDING_FIXES, DOCTOR_FINDINGS, ERROR_CODE_FIXES, ERROR_CODES, isErrorCode, type DoctorFindingCode, type ErrorCode } from '../../errors/index.js';

/** The error-code table as markdown (README and `invarlock explain --markdown`). */
export function renderErrorCodeTable(): string {
  const rows = (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => `| \`${code}\` | ${ERROR_CODES[code].exit} | ${ERROR_CODES[code].summary.replaceAll('|', '\\|')} |`);
  return ['| code | exit | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** One code's explanation, or undefined when `code` is not in the table. */
export function explainErrorCode(code: string): string | undefined {
  const upper = code.toUpperCase();
  if (upper in DOCTOR_FINDINGS) {
    const finding = DOCTOR_FINDINGS[upper as DoctorFindingCode];
    const effect = finding.severity === 'error' ? 'an error: `invarlock doctor` exits 1, and certify would stop on the same problem' : finding.severity === 'warning' ? 'a warning: the run can go ahead, but check it' : 'a note: for information';
    const fix = DOCTOR_FINDING_FIXES[upper as DoctorFindingCode];
    return `${upper} (doctor finding, ${finding.severity}): ${finding.summary}\n${fix === undefined ? '' : `Fix: ${fix}\n`}This is ${effect}. Run \`invarlock doctor\` with the flags you give certify to see it with its message and hint.`;
  }
  if (!isErrorCode(upper)) return undefined;
  const entry = ERROR_CODES[upper];
  const exit = entry.exit === 2 ? 'exit 2: the input or usage is wrong; fix what the message names and run again' : 'exit 3: the run could not finish (runtime, environment); the verdict is error, never a judgement of the model';
  const fix = ERROR_CODE_FIXES[upper];
  return `${upper} (exit ${entry.exit}): ${entry.summary}\n${fix === undefined ? '' : `Cause and fix: ${fix}\n`}This means ${exit}. The error's message names the file, field or tensor; its hint says what to do; --verbose adds the stack.`;
}

/** The doctor finding table as markdown (README). */
export function renderDoctorFindingTable(): string {
  const rows = (Object.keys(DOCTOR_FINDINGS) as (keyof typeof DOCTOR_FINDINGS)[]).map(
    (code) => `| \`${code}\` | ${DOCTOR_FINDINGS[code].severity} | ${DOCTOR_FINDINGS[code].summary.replaceAll('|', '\\|')} |`,
  );
  return ['| code | severity | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
