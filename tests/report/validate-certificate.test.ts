import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isInvarlockError } from '../../src/errors/index.js';
import { buildCertificate, parseCertificate, serializeCertificate, validateCertificate } from '../../src/report/index.js';
import { sampleInputs } from './sample-inputs.js';

const cert = buildCertificate(sampleInputs().dev);
const text = serializeCertificate(cert);
const bytes = new TextEncoder().encode(text);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (isInvarlockError(error)) return error.code;
    throw error;
  }
}

describe('validateCertificate', () => {
  it('returns a valid certificate unchanged', () => {
    expect(validateCertificate(cert, 'c.json')).toBe(cert);
  });

  it('lists every schema problem with its path under E_CERT_SCHEMA', () => {
    const broken = { ...cert, schema_version: 2, verdict: { ...cert.verdict, status: 'maybe' }, extra: 1 };
    try {
      validateCertificate(broken, 'broken.json');
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_CERT_SCHEMA')).toBe(true);
      const details = (error as { details: { file: string; problems: string[] } }).details;
      expect(details.file).toBe('broken.json');
      expect(details.problems).toContain("/: must NOT have additional properties 'extra'");
      expect(details.problems.some((p) => p.startsWith('/schema_version:'))).toBe(true);
      expect(details.problems.some((p) => p.startsWith('/verdict/status:'))).toBe(true);
    }
  });
});

describe('parseCertificate', () => {
  it('parses bytes and text, with or without a byte-order mark', () => {
    expect(parseCertificate(bytes, { source: 'c.json' })).toEqual(cert);
    expect(parseCertificate(`\uFEFF${text}`, { source: 'c.json' })).toEqual(cert);
  });

  it('refuses input over the size limit before parsing it', () => {
    try {
      parseCertificate('{"x": 1}', { source: 'big.json', maxBytes: 4 });
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_CERT_TOO_LARGE')).toBe(true);
      expect((error as { details: { actual: string } }).details.actual).toBe('8 bytes');
    }
  });

  it('reports where the JSON breaks', () => {
    try {
      parseCertificate('{"schema_version": 1,, }', { source: 'bad.json' });
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_CERT_PARSE')).toBe(true);
      expect((error as { details: { file: string; offset?: number } }).details).toMatchObject({ file: 'bad.json', offset: 21 });
    }
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(codeOf(() => parseCertificate(new Uint8Array([0x7b, 0xff, 0x7d]), { source: 'x' }))).toBe('E_CERT_PARSE');
  });

  it('turns every truncation and bit flip into a certificate or one of its three error codes', () => {
    const allowed = new Set(['E_CERT_PARSE', 'E_CERT_SCHEMA', 'E_CERT_TOO_LARGE']);
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.nat({ max: 7 }), fc.boolean(), (position, bit, truncate) => {
        const mutated = truncate ? bytes.slice(0, position) : Uint8Array.from(bytes, (b, i) => (i === position ? b ^ (1 << bit) : b));
        const code = codeOf(() => parseCertificate(mutated, { source: 'fuzz.json', maxBytes: bytes.length }));
        return code === undefined || allowed.has(code);
      }),
      { seed: 20250601, numRuns: 300 },
    );
  });
});
