import { describe, expect, it } from 'vitest';
import { isInvarlockError } from '../../src/errors/index.js';
import { parseInputs } from '../../src/action/inputs/inputs.js';
import { recordReader } from './helpers.js';

const WS = '/home/runner/work/repo/repo';
const PIN = `ghcr.io/invarlock/invarlock-cuda@sha256:${'a'.repeat(64)}`;

function parse(values: Record<string, string>) {
  return parseInputs({ reader: recordReader(values), workspace: WS });
}

function problemsOf(values: Record<string, string>): { problems: string[]; inputs: string[] } {
  try {
    parse(values);
  } catch (error) {
    if (isInvarlockError(error, 'E_ACTION_INPUT')) return { problems: [...(error.details.problems ?? [])], inputs: error.details['inputs'] as string[] };
    throw error;
  }
  throw new Error('expected E_ACTION_INPUT');
}

describe('parseInputs', () => {
  it('returns one frozen record with defaults for empty inputs', () => {
    const inputs = parse({ baseline: 'models/base', subject: 'models/int8' });
    expect(inputs.mode).toEqual({ kind: 'evaluate' });
    expect(inputs.execution).toMatchObject({ mode: 'container', gpus: 'all', shmSize: '2g', network: 'none', timeoutMinutes: 120, forkPolicy: 'skip', imagePolicy: 'digest-only', runtimeImage: null });
    expect(inputs.publishing).toMatchObject({ checkName: 'InvarLock / certify', comment: 'off', jobSummary: 'write', failOn: 'fail', stepFailure: 'on-blocking', cache: 'use', outputDir: `${WS}/invarlock-out` });
    expect(inputs.plan).toMatchObject({ baseline: 'models/base', subject: 'models/int8', profile: null, tier: null, shard: null });
    expect(Object.isFrozen(inputs)).toBe(true);
    expect(Object.isFrozen(inputs.execution.dockerArgs.args)).toBe(true);
  });

  it('lists every bad input in one E_ACTION_INPUT error', () => {
    const { problems, inputs } = problemsOf({
      baseline: 'b',
      subject: 's',
      tier: 'strictest',
      'seq-len': '4',
      comment: 'sometimes',
      'fail-on': 'error',
      'allow-network': 'yes',
      gpus: 'everything',
      'timeout-minutes': '-1',
      'docker-args': '--privileged',
    });
    expect(inputs.sort()).toEqual(['allow-network', 'comment', 'docker-args', 'fail-on', 'gpus', 'seq-len', 'tier', 'timeout-minutes']);
    expect(problems).toHaveLength(8);
  });

  it('parses shard i/n as a 1-based input into a 0-based plan index', () => {
    expect(parse({ baseline: 'b', edit: 'quant_rtn', shard: '2/4' }).plan.shard).toEqual({ index: 1, count: 4 });
    expect(problemsOf({ baseline: 'b', edit: 'quant_rtn', shard: '0/4' }).inputs).toEqual(['shard']);
    expect(problemsOf({ baseline: 'b', edit: 'quant_rtn', shard: '5/4' }).inputs).toEqual(['shard']);
  });

  it('rejects an image given by tag unless allow-unpinned-image is set', () => {
    expect(problemsOf({ baseline: 'b', edit: 'noop', 'runtime-image': 'ghcr.io/x/y:latest' }).inputs).toEqual(['runtime-image']);
    expect(parse({ baseline: 'b', edit: 'noop', 'runtime-image': 'ghcr.io/x/y:latest', 'allow-unpinned-image': 'true' }).execution.imagePolicy).toBe('allow-tag');
    expect(parse({ baseline: 'b', edit: 'noop', 'runtime-image': PIN }).execution.runtimeImage).toBe(PIN);
  });

  it('asks for exactly one of subject, subject-lora and edit', () => {
    expect(problemsOf({ baseline: 'b', subject: 's', edit: 'quant_rtn' }).inputs).toEqual(['edit']);
  });

  it('requires a baseline or a config file in evaluate mode', () => {
    expect(problemsOf({ subject: 's' }).inputs).toEqual(['baseline']);
    expect(parse({ config: 'invarlock.yaml' }).plan.config).toBe(`${WS}/invarlock.yaml`);
  });

  it('reads publisher-only mode and refuses evaluation inputs alongside it', () => {
    const sha = 'c'.repeat(40);
    expect(parse({ certificate: 'artifact/evaluation.cert.json', 'head-sha': sha, 'pull-request': '7' }).mode).toEqual({
      kind: 'publish',
      certificatePath: `${WS}/artifact/evaluation.cert.json`,
      headSha: sha,
      pullRequest: 7,
    });
    expect(problemsOf({ certificate: 'c.json' }).inputs).toEqual(['head-sha']);
    expect(problemsOf({ certificate: 'c.json', 'head-sha': sha, baseline: 'b' }).inputs).toEqual(['baseline']);
    expect(problemsOf({ certificate: 'c.json', 'head-sha': 'abc' }).inputs).toEqual(['head-sha']);
  });

  it('reads aggregate mode', () => {
    expect(parse({ aggregate: 'shards' }).mode).toEqual({ kind: 'aggregate', inputDir: `${WS}/shards` });
    expect(problemsOf({ aggregate: 'shards', baseline: 'b' }).inputs).toEqual(['baseline']);
  });

  it('parses edit-config as an inline YAML or JSON mapping', () => {
    expect(parse({ baseline: 'b', edit: 'quant_rtn', 'edit-config': '{"bits": 8, "group_size": 128}' }).plan.editConfig).toEqual({ bits: 8, group_size: 128 });
    expect(parse({ baseline: 'b', edit: 'quant_rtn', 'edit-config': 'bits: 4' }).plan.editConfig).toEqual({ bits: 4 });
    expect(problemsOf({ baseline: 'b', edit: 'quant_rtn', 'edit-config': '[1, 2]' }).inputs).toEqual(['edit-config']);
  });

  it('refuses system directories as paths', () => {
    expect(problemsOf({ baseline: 'b', edit: 'noop', 'output-dir': '/etc' }).inputs).toEqual(['output-dir']);
    expect(problemsOf({ baseline: 'b', edit: 'noop', 'cache-dir': '/' }).inputs).toEqual(['cache-dir']);
  });

  it('maps booleans to literal unions', () => {
    const inputs = parse({ baseline: 'b', edit: 'noop', 'allow-network': 'True', 'job-summary': 'FALSE', 'action-fail': 'false', cache: 'false' });
    expect(inputs.execution.network).toBe('allowed');
    expect(inputs.publishing).toMatchObject({ jobSummary: 'skip', stepFailure: 'never', cache: 'off' });
  });
});
