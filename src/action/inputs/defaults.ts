/**
 * Defaults of the Action's inputs. `action.yml` repeats them (a test checks that every `default:`
 * there equals the value here), and the parser falls back to them when an input is empty.
 *
 * Inputs that override the run plan (`profile`, `tier`, `dataset`, `device`, …) have no default in
 * `action.yml`: an empty input leaves the `config` file's value, and then the CLI's default
 * (`CONFIG_DEFAULTS` in src/core), in force.
 */
export const DEFAULTS = Object.freeze({
  'execution-mode': 'container',
  'runtime-image': '',
  'allow-unpinned-image': false,
  gpus: 'all',
  'shm-size': '2g',
  'docker-args': '',
  'allow-network': false,
  'timeout-minutes': 120,
  'fork-policy': 'skip',
  'github-token': '${{ github.token }}',
  'check-name': 'InvarLock / certify',
  comment: 'off',
  'job-summary': true,
  'upload-artifact': false,
  'fail-on': 'fail',
  'action-fail': true,
  'output-dir': 'invarlock-out',
  cache: true,
  'fulcio-url': 'https://fulcio.sigstore.dev',
  'rekor-url': 'https://rekor.sigstore.dev',
  'require-signature': false,
  'signer-oidc-issuer': 'https://token.actions.githubusercontent.com',
} as const);

/** This Action's documentation, as absolute URLs (summaries are read in the user's repository, where a relative path points nowhere). */
export const DOCS_URL = 'https://github.com/invarlock/invarlock/blob/v1/docs/action.md';
export const DOCS_LINKS = Object.freeze({
  forkPullRequests: `${DOCS_URL}#fork-pull-requests`,
  inputs: `${DOCS_URL}#inputs`,
  requiredChecks: `${DOCS_URL}#required-checks`,
});

/** Largest certificate read from an untrusted source (publisher-only mode, shards), in bytes. */
export const MAX_UNTRUSTED_CERT_BYTES = 64 * 1024 * 1024;

/** GitHub's limits on what the Action writes (ACTION.md "Byte budgets"). */
export const BUDGETS = Object.freeze({
  /** Check run `output.summary` and `output.text`, each, in UTF-8 bytes. */
  checkOutputBytes: 65_535,
  /** Issue comment body, in characters, counted as UTF-16 code units (never fewer than code points). */
  commentChars: 65_536,
  /** What the sticky comment aims at, in UTF-8 bytes: a reviewer reads it in ten seconds; the full report lives elsewhere. */
  commentTargetBytes: 2000,
  /** Job summary per step, in bytes. */
  jobSummaryBytes: 1024 * 1024,
  /** Part of the job summary kept for the publishing notes appended after the check run and comment. */
  jobSummaryNotesBytes: 16 * 1024,
  /** Annotations per check run create/update request. */
  annotationsPerRequest: 50,
  /** Check run title, in characters. */
  titleChars: 255,
});
