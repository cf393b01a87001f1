import type { ActionIO } from './action-io.js';
import { coreInputReader, coreIO, STATE } from './action-io.js';
import { cancelCheckRun } from './publish/check-run.js';
import { readRunContext } from './inputs/context.js';
import { createDockerClient } from './launch/docker-client.js';
import { createGitHubApi, type GitHubApi, type GitHubApiOptions } from './publish/github-client.js';
import type { InputReader } from './inputs/inputs.js';
import { runProcess, type ProcessRunner } from './launch/spawn-process.js';

/** What the `post` step touches. */
export interface PostDeps {
  readonly io: ActionIO;
  readonly reader: InputReader;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly run: ProcessRunner;
  readonly createApi: (options: GitHubApiOptions) => GitHubApi;
  readonly now: () => Date;
}

/** What `post` did (for tests and the log). */
export interface PostResult {
  readonly containersRemoved: number;
  readonly checkRunCancelled: boolean;
}

/**
 * The `post` step (`post-if: always()`): removes this job's containers by label (a cancelled job
 * leaves `docker run` children behind) and closes a check run that `main` started but did not
 * complete as `cancelled`. Never fails the job: problems become warnings.
 */
export async function runPost(deps: PostDeps): Promise<PostResult> {
  const { io } = deps;
  if (io.getState(STATE.isPost) !== 'true') return { containersRemoved: 0, checkRunCancelled: false };
  const token = deps.reader.get('github-token').trim();
  if (token !== '') io.setSecret(token);
  let containersRemoved = 0;
  let checkRunCancelled = false;
  const jobKey = io.getState(STATE.jobKey);
  if (io.getState(STATE.dockerUsed) === 'true' && /^[0-9a-f]{12}$/.test(jobKey)) {
    try {
      containersRemoved = await createDockerClient({ run: deps.run, env: deps.env }).removeJobContainers(jobKey);
      if (containersRemoved > 0) io.info(`removed ${containersRemoved} leftover container(s) of this job`);
    } catch (error) {
      io.warning(`container cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const id = Number(io.getState(STATE.checkRunId));
  if (Number.isSafeInteger(id) && id > 0 && io.getState(STATE.checkRunDone) !== 'true' && token !== '') {
    try {
      const ctx = readRunContext({ env: deps.env, cwd: deps.cwd });
      const api = deps.createApi({ token, baseUrl: ctx.apiUrl, owner: ctx.owner, repo: ctx.repo });
      const result = await cancelCheckRun(api, id, { completedAt: deps.now().toISOString(), reason: `The job ended before InvarLock finished (cancelled, timed out or crashed). See the [workflow run](${ctx.runUrl}).` });
      checkRunCancelled = result.ok;
      if (!result.ok) io.warning(`could not close check run ${id}: ${result.status} ${result.message}`);
      else io.info(`closed unfinished check run ${id} as cancelled`);
    } catch (error) {
      io.warning(`could not close check run ${id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { containersRemoved, checkRunCancelled };
}

/** The real dependencies of `post` (kept apart from `main`'s, so the post bundle stays small). */
export function defaultPostDeps(): PostDeps {
  return { io: coreIO, reader: coreInputReader, env: process.env, cwd: process.cwd(), run: runProcess, createApi: createGitHubApi, now: () => new Date() };
}
