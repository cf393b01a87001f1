/** `invarlock certify --help` describes every evaluation flag and names its default. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { cliIo } from '../core/runner/runner-fixtures.js';

/** Flags that choose what runs and how it is sampled, scored and gated: each must say its default. */
const EVALUATION_FLAGS = [
  '--adapter',
  '--profile',
  '--tier',
  '--dataset',
  '--seq-len',
  '--stride',
  '--preview-n',
  '--final-n',
  '--seed',
  '--batch-size',
  '--device',
  '--threads',
  '--allow-network',
  '--cache-dir',
  '--baseline-eval',
  '--out',
  '--shard',
];

describe('certify --help', () => {
  it('gives a description and a default for every evaluation flag', async () => {
    const io = cliIo();
    await runCli(['certify', '--help'], io).catch(() => undefined);
    const text = `${io.out()}${io.err()}`;
    // one entry per option: the flag line and its wrapped continuation lines
    const entries = text.split(/\n(?= {2}-)/);
    for (const flag of EVALUATION_FLAGS) {
      const entry = entries.find((e) => e.trimStart().replace(/^-\w, /, '').startsWith(`${flag} `));
      expect(entry, flag).toBeDefined();
      expect(entry!.replace(/\s+/g, ' '), flag).toMatch(/\(default|\bdefault\b/);
    }
  });
});
