import { fileURLToPath } from 'node:url';
import { coreInputReader, coreIO } from './action-io.js';
import { actionsArtifactUploader } from './publish/artifact-upload.js';
import { actionsCacheBackend } from './evaluate/baseline-cache.js';
import { createGitHubApi } from './publish/github-client.js';
import { readVerifiedCertificate } from './publish/report-door.js';
import type { ActionDeps } from './run-action.js';
import { runProcess } from './launch/spawn-process.js';

/**
 * The Action's root: two levels above this module, both for the bundle
 * (`dist/action/index.js`) and for the sources (`src/action/*.ts`).
 */
export function defaultActionRoot(moduleUrl: string = import.meta.url): string {
  return fileURLToPath(new URL('../..', moduleUrl));
}

function hostUser(): { readonly uid: number; readonly gid: number } | null {
  return typeof process.getuid === 'function' && typeof process.getgid === 'function' ? { uid: process.getuid(), gid: process.getgid() } : null;
}

/** The real dependencies of `main`. */
export function defaultActionDeps(options: { readonly signal?: AbortSignal; readonly actionRoot?: string } = {}): ActionDeps {
  return {
    io: coreIO,
    reader: coreInputReader,
    env: process.env,
    cwd: process.cwd(),
    actionRoot: options.actionRoot ?? defaultActionRoot(),
    run: runProcess,
    cache: actionsCacheBackend,
    certificateReader: readVerifiedCertificate,
    createApi: createGitHubApi,
    now: () => new Date(),
    node: process.execPath,
    user: hostUser(),
    artifacts: actionsArtifactUploader(),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}
