import { describe, expect, it } from 'vitest';
import { buildDockerRunArgs, containerLabels, containerName, type ContainerSpec } from '../../src/action/launch/docker-run-args.js';
import { isInvarlockError } from '../../src/errors/index.js';

const IMAGE = `ghcr.io/invarlock/invarlock-cuda@sha256:${'a'.repeat(64)}`;

function spec(over: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name: containerName('0123456789ab', 'certify'),
    labels: containerLabels({ jobKey: '0123456789ab', runId: '9', runAttempt: '1', phase: 'certify' }),
    image: IMAGE,
    user: { uid: 1001, gid: 118 },
    gpus: 'device=0,1',
    network: 'none',
    shmSize: '2g',
    mounts: [
      { source: '/ws', target: '/ws', mode: 'ro' },
      { source: '/ws/out', target: '/io/out', mode: 'rw' },
    ],
    env: { HOME: '/tmp', CI: 'true' },
    passEnv: ['HF_TOKEN'],
    workdir: '/ws',
    entrypoint: null,
    extraArgs: ['--ipc', 'host'],
    command: ['certify', '--config', '/io/plan.json'],
    ...over,
  };
}

describe('buildDockerRunArgs', () => {
  it('builds the argument array: init, no TTY, host user, no network, GPUs, hardening, mounts, env, image last but the command', () => {
    const args = buildDockerRunArgs(spec());
    expect(args.slice(0, 5)).toEqual(['run', '--rm', '--init', '--name', 'invarlock-0123456789ab-certify']);
    expect(args).not.toContain('-t');
    expect(args).not.toContain('--tty');
    expect(args).not.toContain('-i');
    const pairs = (flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
    expect(pairs('--user')).toEqual(['1001:118']);
    expect(pairs('--network')).toEqual(['none']);
    expect(pairs('--gpus')).toEqual(['"device=0,1"']);
    expect(pairs('--shm-size')).toEqual(['2g']);
    expect(pairs('--mount')).toEqual(['type=bind,source=/ws,target=/ws,readonly', 'type=bind,source=/ws/out,target=/io/out']);
    expect(pairs('--env')).toEqual(['HOME=/tmp', 'CI=true', 'HF_TOKEN']);
    expect(pairs('--label')).toEqual(['dev.invarlock.managed=true', 'dev.invarlock.job=0123456789ab', 'dev.invarlock.run=9-1', 'dev.invarlock.phase=certify']);
    expect(args).toContain('--read-only');
    expect(pairs('--cap-drop')).toEqual(['ALL']);
    expect(args.slice(-4)).toEqual([IMAGE, 'certify', '--config', '/io/plan.json']);
    expect(args.indexOf('--ipc')).toBeLessThan(args.indexOf(IMAGE));
  });

  it('omits --gpus and --user when not wanted', () => {
    const args = buildDockerRunArgs(spec({ gpus: null, user: null }));
    expect(args).not.toContain('--gpus');
    expect(args).not.toContain('--user');
  });

  it('refuses mount paths Docker would misread', () => {
    for (const source of ['relative/path', '/a,b', '/a"b', '/a\nb']) {
      let caught: unknown;
      try {
        buildDockerRunArgs(spec({ mounts: [{ source, target: '/x', mode: 'ro' }] }));
      } catch (error) {
        caught = error;
      }
      expect(isInvarlockError(caught, 'E_ACTION_INPUT'), source).toBe(true);
    }
  });
});
