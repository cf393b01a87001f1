import * as core from '@actions/core';
import type { InputReader } from './inputs/inputs.js';

/**
 * The runner-facing side effects of the Action (workflow commands and files), narrowed so the
 * pipeline can be tested with a recorder. The default, {@link coreIO}, is `@actions/core`.
 */
export interface ActionIO {
  readonly setSecret: (value: string) => void;
  readonly setOutput: (name: string, value: string) => void;
  readonly saveState: (name: string, value: string) => void;
  readonly getState: (name: string) => string;
  /** Appends markdown to the job summary; rejects when the runner provides none. */
  readonly appendSummary: (markdown: string) => Promise<void>;
  readonly info: (line: string) => void;
  readonly notice: (message: string) => void;
  readonly warning: (message: string) => void;
  readonly startGroup: (name: string) => void;
  readonly endGroup: () => void;
  readonly setFailed: (message: string) => void;
}

/** {@link ActionIO} over `@actions/core`. */
export const coreIO: ActionIO = {
  setSecret: (value) => core.setSecret(value),
  setOutput: (name, value) => core.setOutput(name, value),
  saveState: (name, value) => core.saveState(name, value),
  getState: (name) => core.getState(name),
  appendSummary: async (markdown) => {
    await core.summary.addRaw(markdown, true).write();
    core.summary.emptyBuffer();
  },
  info: (line) => core.info(line),
  notice: (message) => core.notice(message),
  warning: (message) => core.warning(message),
  startGroup: (name) => core.startGroup(name),
  endGroup: () => core.endGroup(),
  setFailed: (message) => core.setFailed(message),
};

/** Names of the values `main` hands to `post` (`core.saveState`). */
export const STATE = Object.freeze({
  checkRunId: 'invarlock-check-run-id',
  checkRunDone: 'invarlock-check-run-done',
  jobKey: 'invarlock-job-key',
  dockerUsed: 'invarlock-docker-used',
  isPost: 'invarlock-main-started',
});

/** Inputs through `@actions/core` (`INPUT_*`). */
export const coreInputReader: InputReader = {
  get: (name) => core.getInput(name),
  getBoolean: (name) => core.getBooleanInput(name),
};
