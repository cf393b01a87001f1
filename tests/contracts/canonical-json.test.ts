import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/contracts/index.js';
import { isInvarlockError } from '../../src/errors/index.js';

function codeOf(fn: () => unknown): { code: string; field: unknown } {
  try {
    fn();
  } catch (error) {
    if (isInvarlockError(error)) return { code: error.code, field: error.details.field };
    throw error;
  }
  throw new Error('expected an InvarlockError');
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('sorts keys by UTF-16 code units, as RFC 8785 does', () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3, '10': 4, '9': 5 })).toBe('{"10":4,"9":5,"Z":3,"z":2,"é":1}');
  });

  it('prints numbers exactly as JavaScript does, -0 as 0', () => {
    expect(canonicalJson([0.1, 1e21, 1e-7, -0, 5, 1.5e300, 0.000001])).toBe('[0.1,1e+21,1e-7,0,5,1.5e+300,0.000001]');
  });

  it('escapes strings as JSON.stringify does', () => {
    expect(canonicalJson({ s: 'a"b\\c\n\u0001✓' })).toBe(`{"s":${JSON.stringify('a"b\\c\n\u0001✓')}}`);
  });

  it('leaves out undefined members so a record hashes like its JSON file read back', () => {
    const record = { a: 1, b: undefined, c: { d: undefined, e: null } };
    expect(canonicalJson(record)).toBe(canonicalJson(JSON.parse(JSON.stringify(record))));
    expect(canonicalJson(record)).toBe('{"a":1,"c":{"e":null}}');
  });

  it('rejects NaN and Infinity with E_INTERNAL naming the path', () => {
    expect(codeOf(() => canonicalJson({ a: [1, Number.NaN] }))).toEqual({ code: 'E_INTERNAL', field: '$.a[1]' });
    expect(codeOf(() => canonicalJson({ x: { y: Infinity } }))).toEqual({ code: 'E_INTERNAL', field: '$.x.y' });
    expect(codeOf(() => canonicalJson(-Infinity))).toEqual({ code: 'E_INTERNAL', field: '$' });
  });

  it('rejects values JSON cannot carry faithfully', () => {
    expect(codeOf(() => canonicalJson([undefined])).code).toBe('E_INTERNAL');
    expect(codeOf(() => canonicalJson({ n: 10n })).code).toBe('E_INTERNAL');
    expect(codeOf(() => canonicalJson({ f: () => 1 })).code).toBe('E_INTERNAL');
    expect(codeOf(() => canonicalJson(new Float64Array(2))).code).toBe('E_INTERNAL');
    expect(codeOf(() => canonicalJson({ d: new Date(0) })).code).toBe('E_INTERNAL');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(codeOf(() => canonicalJson(cyclic))).toEqual({ code: 'E_INTERNAL', field: '$.self' });
  });

  it('accepts a shared (non-cyclic) sub-object twice', () => {
    const shared = { k: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"k":1},"b":{"k":1}}');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare['b'] = 2;
    bare['a'] = 1;
    expect(canonicalJson(bare)).toBe('{"a":1,"b":2}');
  });
});

describe('sha256Hex', () => {
  it('hashes the UTF-8 bytes of a string (FIPS 180-2 test vector "abc")', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes bytes and strings alike', () => {
    expect(sha256Hex(new TextEncoder().encode('✓ö'))).toBe(sha256Hex('✓ö'));
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
