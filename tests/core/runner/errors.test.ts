/**
 * How the certify runner fails: every failure before a subject can be certified is a coded
 * `InvarlockError` with details (missing model, tokenizer mismatch, coverage below enforced floors,
 * cancellation), and a cancelled CLI run leaves nothing behind in its output directory.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.js';
import { certify, parseRunConfigFile, resolveRunConfig } from '../../../src/core/index.js';
import { isInvarlockError, type InvarlockError } from '../../../src/errors/index.js';
import { GPT2, cliIo, evalTextPath, eventLog, listFiles, removeDir, runConfig, smallCertifyFlags, tempDir, writeSwappedTokenizerModel } from './runner-fixtures.js';

const RUN_TIMEOUT = 120_000;

async function rejection(promise: Promise<unknown>): Promise<InvarlockError> {
  const error = await promise.then(
    () => new Error('expected the run to fail'),
    (e: unknown) => e,
  );
  if (!isInvarlockError(error)) throw error;
  return error;
}

describe('certify errors', () => {
  const tmp = tempDir('runner-errors');
  afterAll(() => removeDir(tmp));

  it('a missing baseline directory is E_FILE_NOT_FOUND naming the path', async () => {
    const missing = join(tmp, 'no-such-model');
    const { events, onEvent } = eventLog();
    const error = await rejection(certify(runConfig({ baseline: missing, edit: { name: 'noop' } }), { cwd: tmp, onEvent }));
    expect(error.code).toBe('E_FILE_NOT_FOUND');
    expect(error.details).toEqual({ file: missing });
    expect(events.some((e) => e.type === 'batch')).toBe(false);
  });

  it('a relative baseline reference resolves against options.cwd', async () => {
    const error = await rejection(certify(runConfig({ baseline: 'models/absent', edit: { name: 'noop' } }), { cwd: tmp }));
    expect(error.code).toBe('E_FILE_NOT_FOUND');
    expect(error.details.file).toBe(join(tmp, 'models/absent'));
  });

  it(
    'a subject whose tokenizer maps the text to other ids stops the run with E_TOKENIZER_MISMATCH',
    async () => {
      // byte-level BPE: swapping the ids of two byte symbols keeps the tokenizer valid but changes ids
      const swapped = writeSwappedTokenizerModel(GPT2, join(tmp, 'gpt2-swapped-tokenizer'), 'e', 't');
      const error = await rejection(certify(runConfig({ baseline: GPT2, subjects: [{ label: 'swapped', model: swapped }], guards: { spectral: 'off', rmt: 'off', variance: 'off' } }), { cwd: tmp }));
      expect(error.code).toBe('E_TOKENIZER_MISMATCH');
      expect(error.details.file).toBe(swapped);
      expect(error.details.field).toMatch(/^dataset\.documents\[\d+\]$/);
      expect(error.details.expected).toMatch(/^[0-9a-f]{64}$/);
      expect(error.details.actual).toMatch(/^[0-9a-f]{64}$/);
      expect(error.details.actual).not.toBe(error.details.expected);
    },
    RUN_TIMEOUT,
  );

  it('the conservative tier with the ci profile and explicit counts below its floors is E_COVERAGE before any scoring', async () => {
    const { events, onEvent } = eventLog();
    const config = runConfig({ baseline: GPT2, edit: { name: 'noop' }, tier: 'conservative', profile: 'ci', dataset: { preview_n: 100, final_n: 100 } });
    const error = await rejection(certify(config, { cwd: tmp, onEvent }));
    expect(error.code).toBe('E_COVERAGE');
    expect(error.details.field).toBe('dataset');
    expect(error.details.problems).toEqual(expect.arrayContaining(['window_floor_preview: 100 < 220', 'window_floor_final: 100 < 220']));
    // the policy is resolved once the baseline's objective is known: only the baseline was opened
    expect(events.filter((e) => e.type !== 'warning' && !(e.type.startsWith('stage-') && 'stage' in e && e.stage === 'prepare'))).toEqual([]);
  });

  it(
    'the conservative tier with the ci profile and no explicit counts raises the plan to its floors and runs (no E_COVERAGE)',
    async () => {
      // profile counts, so no preview_n/final_n: the runner raises 200/200 to 220/220 (and must
      // raise whatever else the tier floors need, or the combination can never run: replicates
      // are not a config key). The run is cancelled as soon as scoring starts.
      const config = resolveRunConfig(
        parseRunConfigFile({ baseline: GPT2, edit: { name: 'noop' }, tier: 'conservative', profile: 'ci', device: 'cpu', dataset: { provider: `text:${evalTextPath()}`, seq_len: 32 } }, 'conservative'),
      );
      const controller = new AbortController();
      const { events, onEvent } = eventLog();
      const error = await rejection(
        certify(config, {
          cwd: tmp,
          signal: controller.signal,
          onEvent: (event) => {
            onEvent(event);
            if (event.type === 'stage-start' && event.stage === 'preview') controller.abort();
          },
        }),
      );
      expect(events).toContainEqual(expect.objectContaining({ type: 'warning', id: 'windows_raised_to_floor' }));
      expect(error.code).toBe('E_CANCELLED');
    },
    RUN_TIMEOUT,
  );

  it(
    'an AbortSignal aborted mid-run rejects with E_CANCELLED',
    async () => {
      const controller = new AbortController();
      let batches = 0;
      const error = await rejection(
        certify(runConfig({ baseline: GPT2, edit: { name: 'noop' } }), {
          cwd: tmp,
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type === 'batch' && ++batches === 2) controller.abort();
          },
        }),
      );
      expect(error.code).toBe('E_CANCELLED');
      expect(batches).toBeGreaterThanOrEqual(2);
    },
    RUN_TIMEOUT,
  );

  it(
    'a CLI certify cancelled mid-run exits 3 with E_CANCELLED and leaves no files (temporary or final) in --out',
    async () => {
      const out = join(tmp, 'cancelled-out');
      const controller = new AbortController();
      const io = cliIo({ signal: controller.signal, onStderr: (text) => text.includes('preview:') && controller.abort() });
      const code = await runCli(['certify', '--baseline', GPT2, '--edit', 'quant_rtn', '--edit-config', '{"bits":8}', ...smallCertifyFlags(), '--out', out], io);
      expect(code).toBe(3);
      expect(io.err()).toContain('E_CANCELLED');
      expect(io.out()).toBe('');
      expect(existsSync(out) ? listFiles(out) : []).toEqual([]);
    },
    RUN_TIMEOUT,
  );
});
