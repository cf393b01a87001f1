import { describe, expect, it } from 'vitest';
import { ERROR_CODES, InvarlockError, isErrorCode, isInvarlockError, wrapError } from '../../src/errors/index.js';

describe('InvarlockError', () => {
  it('derives the exit code from the code table', () => {
    expect(new InvarlockError('E_MODEL_PARSE', 'x').exitCode).toBe(2);
    expect(new InvarlockError('E_RUNTIME_RUN', 'x').exitCode).toBe(3);
  });

  it('keeps details and hint and serialises them', () => {
    const err = new InvarlockError('E_TENSOR_RANGE', 'bad', { hint: 'h', details: { tensor: 'w', file: 'm.onnx' } });
    expect(err.toJSON()).toEqual({ code: 'E_TENSOR_RANGE', message: 'bad', hint: 'h', details: { tensor: 'w', file: 'm.onnx' } });
    expect(isInvarlockError(err, 'E_TENSOR_RANGE')).toBe(true);
    expect(isInvarlockError(err, 'E_MODEL_PARSE')).toBe(false);
  });

  it('wraps foreign errors with the original as cause and passes ours through', () => {
    const foreign = new Error('ENOENT');
    const wrapped = wrapError(foreign, 'E_FILE_READ', 'cannot read m.onnx');
    expect(wrapped.code).toBe('E_FILE_READ');
    expect(wrapped.cause).toBe(foreign);
    expect(wrapped.message).toContain('ENOENT');
    const ours = new InvarlockError('E_MODEL_PARSE', 'x');
    expect(wrapError(ours, 'E_FILE_READ', 'y')).toBe(ours);
  });

  it('has only E_-prefixed upper-case codes with an exit code of 2 or 3', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^E_[A-Z0-9_]+$/);
      expect([2, 3]).toContain(entry.exit);
      expect(isErrorCode(code)).toBe(true);
    }
    expect(isErrorCode('E_NOPE')).toBe(false);
  });
});
