/**
 * Entry of the Action's `post` step (bundled to dist/post/index.js; `post-if: always()`): removes
 * leftover containers and closes an unfinished check run. Never fails the job.
 */
import * as core from '@actions/core';
import { defaultPostDeps, runPost } from './run-post.js';

runPost(defaultPostDeps()).catch((error: unknown) => {
  core.warning(`InvarLock post step: ${error instanceof Error ? error.message : String(error)}`);
});
