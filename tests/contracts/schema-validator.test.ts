import { describe, expect, it } from 'vitest';
import { compileSchema } from '../../src/contracts/index.js';
import { isInvarlockError } from '../../src/errors/index.js';

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['n'],
  properties: { n: { type: 'integer', minimum: 1 }, mode: { enum: ['a', 'b'] } },
};

describe('compileSchema', () => {
  const validate = compileSchema<{ n: number; mode?: 'a' | 'b' }>(schema);

  it('returns the value typed when it matches', () => {
    expect(validate({ n: 2, mode: 'a' }, { source: 'x.json', code: 'E_CONFIG_INVALID' })).toEqual({ n: 2, mode: 'a' });
    expect(validate.check({ n: 1 })).toBe(true);
  });

  it('throws the given code listing every problem with its path', () => {
    try {
      validate({ n: 0, mode: 'c', extra: true }, { source: 'x.json', code: 'E_CONFIG_INVALID' });
      expect.unreachable();
    } catch (error) {
      expect(isInvarlockError(error, 'E_CONFIG_INVALID')).toBe(true);
      const problems = (error as { details: { problems: string[] } }).details.problems;
      expect(problems).toContain("/: must NOT have additional properties 'extra'");
      expect(problems.some((p) => p.startsWith('/n:'))).toBe(true);
      expect(problems.some((p) => p.startsWith('/mode:') && p.includes('"a"'))).toBe(true);
    }
  });
});
