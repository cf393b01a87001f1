import { describe, expect, it } from 'vitest';
import { interpretCliResult, parseCliError } from '../../src/action/launch/cli-result.js';

const base = { stdout: '', stderrTail: '', durationMs: 5 };
const opts = { what: 'invarlock certify', launcher: 'container' as const, timeoutMinutes: 30 };

describe('interpretCliResult', () => {
  it('treats exit 0 and 1 as completed runs with a certificate to verify', () => {
    expect(interpretCliResult({ kind: 'exited', exitCode: 0, ...base }, opts)).toEqual({ kind: 'completed', exitCode: 0 });
    expect(interpretCliResult({ kind: 'exited', exitCode: 1, ...base }, opts)).toEqual({ kind: 'completed', exitCode: 1 });
  });

  it('reads the --json error record on exit 2 and 3', () => {
    const stdout = 'noise\n{"error":{"code":"E_MODEL_REF","message":"bad ref","hint":"fix it","details":{"field":"baseline"}}}';
    expect(interpretCliResult({ kind: 'exited', exitCode: 2, ...base, stdout }, opts)).toEqual({
      kind: 'failed',
      error: { code: 'E_MODEL_REF', message: 'bad ref', hint: 'fix it', field: 'baseline', kind: 'other' },
    });
    const fallback = interpretCliResult({ kind: 'exited', exitCode: 3, ...base, stderrTail: 'boom' }, opts);
    expect(fallback).toMatchObject({ kind: 'failed', error: { code: 'E_INTERNAL' } });
    const human = interpretCliResult({ kind: 'exited', exitCode: 3, ...base, stderrTail: 'progress\nerror E_RUNTIME_RUN: batch 3 failed\n  - detail\n' }, opts);
    expect(human).toMatchObject({ kind: 'failed', error: { code: 'E_RUNTIME_RUN', message: 'batch 3 failed' } });
  });

  it('blames the launcher for Docker exits and OOM kills', () => {
    expect(interpretCliResult({ kind: 'exited', exitCode: 137, ...base }, opts)).toMatchObject({ kind: 'failed', error: { code: 'E_DOCKER' } });
    expect(interpretCliResult({ kind: 'exited', exitCode: 125, ...base }, { ...opts, launcher: 'host' })).toMatchObject({ kind: 'failed', error: { code: 'E_HOST_RUNTIME' } });
  });

  it('maps timeouts and cancellations to their own kinds', () => {
    expect(interpretCliResult({ kind: 'timed-out', ...base }, opts)).toMatchObject({ kind: 'failed', error: { code: 'E_TIMEOUT', kind: 'timeout' } });
    expect(interpretCliResult({ kind: 'aborted', ...base }, opts)).toMatchObject({ kind: 'failed', error: { code: 'E_CANCELLED', kind: 'cancelled' } });
    expect(interpretCliResult({ kind: 'not-found', command: 'docker' }, opts)).toMatchObject({ kind: 'failed', error: { code: 'E_DOCKER' } });
  });

  it('ignores stdout that holds no error record', () => {
    expect(parseCliError('{"verdict":"pass"}')).toBeNull();
    expect(parseCliError('not json')).toBeNull();
  });
});
