import { describe, expect, it } from 'vitest';
import { parseRunConfigFile, resolveRunConfig } from '../../../src/core/index.js';

const base = { baseline: './m', edit: { name: 'noop' } };

describe('config sequential', () => {
  it('is off unless set, and carries the looks', () => {
    expect(resolveRunConfig(parseRunConfigFile(base, 't')).sequential).toBeNull();
    expect(resolveRunConfig(parseRunConfigFile({ ...base, sequential: { looks: 4 } }, 't')).sequential).toEqual({ looks: 4 });
  });
  it('refuses looks out of range and the combination with shard', () => {
    expect(() => parseRunConfigFile({ ...base, sequential: { looks: 1 } }, 't')).toThrow(expect.objectContaining({ code: 'E_CONFIG_INVALID' }));
    expect(() => parseRunConfigFile({ ...base, sequential: { looks: 11 } }, 't')).toThrow(expect.objectContaining({ code: 'E_CONFIG_INVALID' }));
    expect(() => resolveRunConfig(parseRunConfigFile({ ...base, sequential: { looks: 4 }, shard: { index: 0, count: 2 } }, 't'), 't')).toThrow(/sequential looks and shard cannot be combined/);
  });
});
