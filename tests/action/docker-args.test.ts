import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDockerArgs, tokenizeArgs } from '../../src/action/inputs/docker-args.js';

describe('tokenizeArgs', () => {
  it('splits on whitespace and keeps quoted words whole without expanding anything', () => {
    expect(tokenizeArgs(`--ipc host  -e "A=b c" -e 'X=$HOME' --label a\\ b`)).toEqual(['--ipc', 'host', '-e', 'A=b c', '-e', 'X=$HOME', '--label', 'a b']);
  });

  it('honours escaped quotes inside double quotes', () => {
    expect(tokenizeArgs('-e "A=say \\"hi\\""')).toEqual(['-e', 'A=say "hi"']);
  });

  it('returns null for an unterminated quote or a trailing backslash', () => {
    expect(tokenizeArgs('-e "A=b')).toBeNull();
    expect(tokenizeArgs("-e 'A=b")).toBeNull();
    expect(tokenizeArgs('-e A\\')).toBeNull();
  });

  it('never throws and round-trips single-quoted words (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const tokens = tokenizeArgs(text);
        expect(tokens === null || Array.isArray(tokens)).toBe(true);
      }),
      { seed: 42, numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.string().filter((s) => !s.includes("'")), { maxLength: 6 }), (words) => {
        expect(tokenizeArgs(words.map((w) => `'${w}'`).join(' '))).toEqual(words);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('parseDockerArgs', () => {
  it('accepts allow-listed flags in both --flag value and --flag=value forms', () => {
    const parsed = parseDockerArgs('--ipc=host --ulimit memlock=-1 -e HF_ENDPOINT=https://mirror -e HF_TOKEN -v /data:/data:ro', { network: 'none' });
    expect(parsed).toEqual({
      ok: true,
      value: { args: ['--ipc', 'host', '--ulimit', 'memlock=-1', '-e', 'HF_ENDPOINT=https://mirror', '-e', 'HF_TOKEN', '-v', '/data:/data:ro'], passEnv: ['HF_TOKEN'], network: null },
    });
  });

  it('refuses privilege-widening and Action-owned flags, listing every one', () => {
    const parsed = parseDockerArgs('--privileged --cap-add SYS_ADMIN --user root --entrypoint sh --env-file .env --gpus all', { network: 'none' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problems).toHaveLength(6);
      expect(parsed.problems.join('\n')).toContain("'--privileged' is not allowed");
      expect(parsed.problems.join('\n')).toContain("'--env-file' is not allowed");
    }
  });

  it('allows only read-only extra mounts', () => {
    expect(parseDockerArgs('-v /data:/data', { network: 'none' }).ok).toBe(false);
    expect(parseDockerArgs('-v /data:/data:rw', { network: 'none' }).ok).toBe(false);
    expect(parseDockerArgs('--mount type=bind,source=/d,target=/d', { network: 'none' }).ok).toBe(false);
    expect(parseDockerArgs('--mount type=bind,source=/d,target=/d,readonly', { network: 'none' }).ok).toBe(true);
  });

  it('accepts --network only when the network is allowed, for the prefetch container alone', () => {
    expect(parseDockerArgs('--network host', { network: 'none' }).ok).toBe(false);
    expect(parseDockerArgs('--network host --ipc host', { network: 'allowed' })).toEqual({ ok: true, value: { args: ['--ipc', 'host'], passEnv: [], network: 'host' } });
    expect(parseDockerArgs('--network a --net b', { network: 'allowed' }).ok).toBe(false);
  });

  it('never passes runner credentials into the container', () => {
    const parsed = parseDockerArgs('-e GITHUB_TOKEN -e ACTIONS_RUNTIME_TOKEN -e INPUT_GITHUB-TOKEN', { network: 'none' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems).toHaveLength(3);
  });

  it('refuses positional arguments (the image and command belong to the Action)', () => {
    const parsed = parseDockerArgs('--ipc host alpine sh', { network: 'none' });
    expect(parsed.ok).toBe(false);
  });
});
