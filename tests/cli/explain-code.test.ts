/** `invarlock explain CODE`: every error code and doctor finding has its cause and fix beside the table's summary. */
import { describe, expect, it } from 'vitest';
import { explainErrorCode } from '../../src/cli/commands/explain-code.js';
import { DOCTOR_FINDING_FIXES, DOCTOR_FINDINGS, ERROR_CODE_FIXES, ERROR_CODES } from '../../src/errors/index.js';

describe('explain CODE', () => {
  it('has a cause and fix for every error code and every doctor finding', () => {
    expect(Object.keys(ERROR_CODES).filter((code) => !(code in ERROR_CODE_FIXES))).toEqual([]);
    expect(Object.keys(DOCTOR_FINDINGS).filter((code) => !(code in DOCTOR_FINDING_FIXES))).toEqual([]);
    // and nothing for codes that do not exist
    expect(Object.keys(ERROR_CODE_FIXES).filter((code) => !(code in ERROR_CODES))).toEqual([]);
    expect(Object.keys(DOCTOR_FINDING_FIXES).filter((code) => !(code in DOCTOR_FINDINGS))).toEqual([]);
  });

  it('prints the summary, the cause and fix, and what the exit code means', () => {
    const text = explainErrorCode('e_network_disallowed')!;
    expect(text.split('\n')).toEqual([
      `E_NETWORK_DISALLOWED (exit 2): ${ERROR_CODES.E_NETWORK_DISALLOWED.summary}`,
      `Cause and fix: ${ERROR_CODE_FIXES.E_NETWORK_DISALLOWED}`,
      expect.stringContaining('exit 2: the input or usage is wrong'),
    ]);
    expect(text).toContain('--allow-network');
    const finding = explainErrorCode('D_DATASET_SMALL')!;
    expect(finding).toContain(`Fix: ${DOCTOR_FINDING_FIXES.D_DATASET_SMALL}`);
    expect(explainErrorCode('E_NOPE')).toBeUndefined();
  });
});
