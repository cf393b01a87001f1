import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/action/inputs/image-ref.js';
import { REPO_ROOT } from './helpers.js';

/**
 * What the runtime images promise, checked on the Dockerfiles (Docker cannot build here):
 * bases only through build arguments that must be digest-pinned (no defaults, a check that stops
 * the build), nothing `latest`, a non-root numeric USER in the final stage, OCI labels (and the CUDA
 * labels the preflight reads), the `invarlock` entrypoint, the ldd check and the session smoke test.
 */
function read(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => ({ op: (l.split(/\s+/)[0] ?? '').toUpperCase(), args: l.slice(l.indexOf(' ') + 1) }));
}

const FILES = {
  cuda: { path: 'runtime-images/cuda/Dockerfile', bases: ['NODE_IMAGE', 'CUDA_IMAGE'] },
  cpu: { path: 'runtime-images/cpu/Dockerfile', bases: ['NODE_IMAGE'] },
} as const;

describe.each(Object.entries(FILES))('%s Dockerfile', (flavor, spec) => {
  const text = read(spec.path);
  const ins = instructions(text);
  const stages = ins.filter((i) => i.op === 'FROM');
  const finalStage = ins.slice(ins.lastIndexOf(stages[stages.length - 1] ?? { op: '', args: '' }));

  it('takes every base image from a build argument with no default', () => {
    const stageNames = new Set(stages.map((s) => /\sAS\s+(\S+)/i.exec(s.args)?.[1]).filter((n) => n !== undefined));
    for (const from of stages) {
      const image = from.args.split(/\s+/)[0] ?? '';
      const fromArg = /^\$\{([A-Z_]+)\}$/.exec(image)?.[1];
      expect(fromArg !== undefined || stageNames.has(image), from.args).toBe(true);
      if (fromArg !== undefined) expect(spec.bases as readonly string[]).toContain(fromArg);
    }
    const globalArgs = ins.slice(0, ins.indexOf(stages[0] ?? ins[0] ?? { op: '', args: '' })).filter((i) => i.op === 'ARG');
    expect(globalArgs.map((a) => a.args).sort()).toEqual([...spec.bases].sort());
  });

  it('stops the build unless each base is pinned by digest', () => {
    const checks = ins.filter((i) => i.op === 'RUN' && i.args.includes('@sha256:') && i.args.includes('exit 1'));
    expect(checks.length).toBeGreaterThan(0);
    for (const base of spec.bases) expect(checks.some((c) => c.args.includes(`$${base}`) || c.args.includes('$pinned')), base).toBe(true);
  });

  it('never uses latest', () => {
    expect(text).not.toMatch(/:latest\b/);
  });

  it('runs as a non-root numeric user in the final stage, with the invarlock entrypoint', () => {
    const users = finalStage.filter((i) => i.op === 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]?.args).toMatch(/^[1-9][0-9]{3,}:[1-9][0-9]{3,}$/);
    expect(finalStage.find((i) => i.op === 'ENTRYPOINT')?.args).toBe('["invarlock"]');
  });

  it('carries the OCI labels (and the CUDA labels the preflight reads)', () => {
    const labels = finalStage.filter((i) => i.op === 'LABEL').map((i) => i.args).join(' ');
    for (const key of ['org.opencontainers.image.source', 'org.opencontainers.image.version', 'org.opencontainers.image.revision', 'org.opencontainers.image.licenses', 'org.opencontainers.image.title']) {
      expect(labels, key).toContain(`${key}=`);
    }
    if (flavor === 'cuda') {
      expect(labels).toContain('dev.invarlock.cuda.version=');
      expect(labels).toContain('dev.invarlock.cuda.min-driver=');
    }
  });

  it('checks that the native libraries resolve and that a session runs', () => {
    const runs = finalStage.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    expect(runs).toMatch(/ldd .*not found/);
    expect(runs).toContain('smoke/session-smoke.mjs');
    if (flavor === 'cuda') expect(runs).toContain('libonnxruntime_providers_cuda.so');
  });

  it('installs without the unverified CUDA download of the npm postinstall', () => {
    expect(text).toContain('ONNXRUNTIME_NODE_INSTALL=skip');
    expect(text).toContain('npm ci --omit=dev --ignore-scripts');
    if (flavor === 'cuda') expect(text).toContain('sha256sum -c');
  });
});

describe('runtime image records', () => {
  it('pins recorded base digests (or leaves them for the workflow to resolve), never latest', () => {
    const bases = JSON.parse(read('runtime-images/base-images.json')) as Record<string, { image?: string; digest?: string | null; sha256?: string | null }>;
    for (const [name, base] of Object.entries(bases)) {
      if (name.startsWith('$')) continue;
      if (base.image !== undefined) {
        expect(parseImageRef(base.image), name).not.toBeNull();
        expect(base.image).not.toMatch(/:latest$/);
        expect(base.image).not.toContain('@');
      }
      if (base.digest !== undefined && base.digest !== null) expect(base.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      if (base.sha256 !== undefined && base.sha256 !== null) expect(base.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('lists only digest-pinned default images', () => {
    const images = (JSON.parse(read('runtime-images/images.json')) as { images: Record<string, string | null> }).images;
    expect(Object.keys(images).sort()).toEqual(['cpu', 'cuda']);
    for (const ref of Object.values(images)) if (ref !== null) expect(parseImageRef(ref)?.digest).toMatch(/^sha256:/);
  });

  it('keeps the build context to what the images copy', () => {
    const ignore = read('.dockerignore').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const copied = [...read(FILES.cuda.path).matchAll(/^COPY (?:--chmod=\S+ )?(?!--from)(\S+(?: \S+)*?) \S+$/gm)].flatMap((m) => (m[1] ?? '').split(' '));
    expect(copied.sort()).toEqual(['dist/cli/', 'package-lock.json', 'package.json', 'package.json', 'runtime-images/invarlock.sh', 'runtime-images/smoke/']);
    for (const source of copied) expect(ignore, source).toContain(`!${source}`);
  });
});
