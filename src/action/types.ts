/**
 * Public types of the Action layer. Inputs become one {@link ActionInputs} record before any work;
 * certificates reach the publishers only as a verified {@link VerifiedCertificate}.
 */
import type { AdapterChoice, DeviceChoice, EditName, ProfileName, RunEvent, TierName } from '../core/index.js';

/** The five outcomes a run can end in (ACTION.md "Verdicts"). */
export type Verdict = 'pass' | 'warn' | 'fail' | 'error' | 'skipped';

/** `execution-mode`: run the CLI in the pinned runtime image, or with the runner's Node. */
export type ExecutionMode = 'container' | 'host';

/** `comment`: when to write the sticky PR comment. */
export type CommentMode = 'off' | 'always' | 'on-change' | 'on-fail';

/** `fail-on`: which verdicts make the check run conclude `failure`. */
export type FailOn = 'fail' | 'warn' | 'never';

/** `fork-policy`: what a `pull_request` run from a fork does. */
export type ForkPolicy = 'skip' | 'run';

/** The check run conclusions the Action uses (a subset of GitHub's). */
export type CheckConclusion = 'success' | 'failure' | 'neutral' | 'action_required' | 'cancelled' | 'skipped' | 'timed_out';

/** Shard `index` is 0-based here and in the run plan; the `shard` input is 1-based (`1/4` … `4/4`). */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** What the run does, chosen from `certificate` / `aggregate` / neither. */
export type ActionMode =
  | { readonly kind: 'evaluate' }
  | {
      readonly kind: 'publish';
      /** Absolute path of the certificate made elsewhere (untrusted). */
      readonly certificatePath: string;
      /** 40-hex commit the check run is attached to. */
      readonly headSha: string;
      /** PR to comment on; null: take it from the `workflow_run` payload when present. */
      readonly pullRequest: number | null;
    }
  | {
      readonly kind: 'aggregate';
      /** Absolute directory holding the shard jobs' partial results (any depth). */
      readonly inputDir: string;
    };

/** Inputs that override keys of the run plan; null = not given (the config file or CLI default applies). */
export interface PlanInputs {
  /** Absolute path of the `config` file, or null. */
  readonly config: string | null;
  readonly baseline: string | null;
  readonly subject: string | null;
  readonly subjectLora: string | null;
  readonly edit: EditName | null;
  readonly editConfig: Readonly<Record<string, unknown>> | null;
  readonly adapter: AdapterChoice | null;
  readonly profile: ProfileName | null;
  readonly tier: TierName | null;
  readonly dataset: string | null;
  readonly seqLen: number | null;
  readonly previewN: number | null;
  readonly finalN: number | null;
  readonly seed: number | null;
  readonly batchSize: 'auto' | number | null;
  readonly device: DeviceChoice | null;
  readonly shard: ShardSpec | null;
  /** Absolute runner-local model cache (HF_HOME-compatible), or null. */
  readonly cacheDir: string | null;
}

/** How and where the CLI runs. */
export interface ExecutionInputs {
  readonly mode: ExecutionMode;
  /** `runtime-image` as given, or null for the image pinned in runtime-images/images.json. */
  readonly runtimeImage: string | null;
  /** `allow-unpinned-image`: `allow-tag` accepts `repo:tag` and pins the digest it resolves to. */
  readonly imagePolicy: 'digest-only' | 'allow-tag';
  /** `--gpus` value (`all`, a count, `device=0,1`) or `none` for a CPU container. */
  readonly gpus: string;
  /** `--shm-size` value such as `2g`, or null for Docker's default. */
  readonly shmSize: string | null;
  /** Extra `docker run` arguments, already tokenized and checked against the allow-list. */
  readonly dockerArgs: DockerExtraArgs;
  readonly network: 'none' | 'allowed';
  /** 0 = no limit. */
  readonly timeoutMinutes: number;
  readonly forkPolicy: ForkPolicy;
}

/** Where and how results are published. */
export interface PublishingInputs {
  /** May be empty: then only the job summary, outputs and files are written. */
  readonly token: string;
  readonly checkName: string;
  readonly comment: CommentMode;
  readonly jobSummary: 'write' | 'skip';
  readonly failOn: FailOn;
  /** `action-fail`: fail the step when the check conclusion blocks a merge. */
  readonly stepFailure: 'on-blocking' | 'never';
  /** Absolute output directory (created if missing). */
  readonly outputDir: string;
  readonly cache: 'use' | 'off';
  /** `upload-artifact`: upload the output files (and report.html alone) with `@actions/artifact`. */
  readonly uploadArtifact: 'upload' | 'skip';
}

/** `docker-args` after parsing: argv tokens, and the host variables `-e NAME` asks to pass through. */
export interface DockerExtraArgs {
  readonly args: readonly string[];
  readonly passEnv: readonly string[];
  /**
   * `--network` value (only with allow-network): used by the prefetch container alone, since the
   * evaluation always runs with `--network none`. null: Docker's default bridge.
   */
  readonly network: string | null;
}

/** Every Action input, validated and frozen. */
export interface ActionInputs {
  readonly mode: ActionMode;
  readonly plan: PlanInputs;
  readonly execution: ExecutionInputs;
  readonly publishing: PublishingInputs;
  readonly signing: SigningInputs;
}

/**
 * Sigstore keyless signing (issue 13): where the Action signs its own certificates when the job has
 * `id-token: write`, and the signature publisher-only mode requires of a certificate made elsewhere.
 */
export interface SigningInputs {
  readonly fulcioUrl: string;
  readonly rekorUrl: string;
  /** `require-signature`: publisher-only mode refuses a certificate without a valid bundle from `identity`. */
  readonly require: boolean;
  /** The signer's certificate identity (for GitHub, the workflow URL `https://github.com/OWNER/REPO/.github/workflows/FILE@REF`). */
  readonly identity: string | null;
  readonly issuer: string;
  /** Absolute path of a Sigstore trusted_root.json; null: the public-good root shipped with @sigstore/tuf. */
  readonly trustedRoot: string | null;
}

/** The GitHub run the Action is part of, read once from the environment and the event payload. */
export interface RunContext {
  readonly eventName: string;
  readonly owner: string;
  readonly repo: string;
  /** Commit the check run belongs to: the PR head SHA on pull_request events, else GITHUB_SHA. */
  readonly headSha: string;
  readonly pullRequest: PullRequestContext | null;
  /** On `workflow_run` events: the triggering run's head commit and its PR (empty for forks). */
  readonly workflowRun: { readonly headSha: string; readonly pullRequest: number | null } | null;
  readonly runId: string;
  readonly runAttempt: string;
  readonly runUrl: string;
  readonly serverUrl: string;
  readonly apiUrl: string;
  readonly workspace: string;
  readonly runnerTemp: string;
  readonly toolCache: string;
  /** `.github/workflows/x.yml` of the running workflow, for annotations on inputs; null when unknown. */
  readonly workflowPath: string | null;
  /** Stable id of this step in this job (job, step, runner, matrix-safe): names containers and files. */
  readonly jobKey: string;
}

/** The pull request a run is about. */
export interface PullRequestContext {
  readonly number: number;
  readonly headSha: string;
  /** `fork` when the head repository differs from the base repository. */
  readonly origin: 'same-repo' | 'fork';
}

/** One reason behind a certificate's verdict (a failing or warning gate, or an error). */
export interface VerdictReasonView {
  /** The gate it belongs to (`primary_metric`, `spectral`, …, `run`). */
  readonly gate: string;
  /** Stable snake_case reason or error code. */
  readonly code: string;
  readonly message: string;
}

/** The narrow view of a verified certificate that the Action publishes (translated at the report door). */
export interface CertificateView {
  readonly verdict: Verdict;
  /** Why the verdict is what it is, most important first (empty for a clean pass). */
  readonly reasons: readonly VerdictReasonView[];
  /** One line, e.g. `✅ PASS · ppl ×1.012 [1.004, 1.021] ≤ 1.10 · balanced/ci · gpt2 → gpt2-int8`. */
  readonly headline: string;
  /** The check-run title form, e.g. `PASS · ppl ×1.012 [1.004, 1.021] ≤ 1.10`. */
  readonly title: string;
  /** The certificate digest: 64 lowercase hex (sha256 of the canonical certificate without `digest` and `timing`). */
  readonly digest: string;
  readonly primaryMetric: {
    /** `ppl_causal`, `ppl_mlm`, `ppl_seq2seq`, `accuracy` or `nll_per_byte`. */
    readonly kind: string;
    readonly ratio: number | null;
    readonly ciLow: number | null;
    readonly ciHigh: number | null;
    readonly limit: number;
  };
  /** Labels of the compared models. */
  readonly baseline: string;
  readonly subject: string;
  /** `sha256:…` of the runtime image recorded in provenance, or null (host mode). */
  readonly imageDigest: string | null;
  /** The gate table, in the report's order; cells are plain text (escape before markdown). */
  readonly gates: readonly GateView[];
}

/** One row of the gate table. */
export interface GateView {
  /** The certificate's gate key (`primary_metric`, `spectral`, …). */
  readonly gate: string;
  readonly label: string;
  readonly status: 'pass' | 'warn' | 'fail' | 'error' | 'skipped' | 'not_evaluated';
  readonly measured: string;
  readonly threshold: string;
}

/** The surfaces a certificate is rendered for; each has its own byte budget. */
export type Surface = 'check-summary' | 'check-text' | 'comment' | 'job-summary';

/** Markdown within a budget, and the names of what was dropped to fit. */
export interface RenderedMarkdown {
  readonly text: string;
  readonly omitted: readonly string[];
}

/** Links shown in rendered markdown. */
export interface RenderLinks {
  readonly run: string;
  readonly artifact: string | null;
  readonly checkRun: string | null;
  /** `report.html` uploaded on its own (`upload-artifact: true`). */
  readonly report?: string | null;
}

/** Options of {@link VerifiedCertificate.render}. */
export interface RenderOptions {
  readonly links: RenderLinks;
  /** The previous publication (comment surface), for the renderer's own comparison; may be ignored. */
  readonly previous: PreviousPublication | null;
  /** Size limit in the surface's unit (UTF-8 bytes; UTF-16 units for `comment`); null = the surface's own. */
  readonly limit: number | null;
}

/** A certificate that passed parse, schema and math verification, with its renderers. */
export interface VerifiedCertificate {
  readonly view: CertificateView;
  /** Renders the certificate for one surface; `previous` is the view of the last published certificate. */
  readonly render: (surface: Surface, options: RenderOptions) => RenderedMarkdown;
}

/** What an earlier sticky comment or check summary recorded about its certificate (hidden marker). */
export interface PreviousPublication {
  readonly digest: string;
  readonly verdict: Verdict;
  readonly ratio: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  readonly headSha: string;
}

/**
 * The policy a certificate must have been decided with: `own-run`, the one this job's own CLI run
 * resolved and recorded; `configured`, the tier and profile this repository's workflow configures
 * (publisher mode: a certificate from an untrusted run never chooses its own policy).
 */
export type CertificatePolicy = { readonly kind: 'own-run' } | { readonly kind: 'configured'; readonly tier: string; readonly profile: string };

/** Reads untrusted certificate bytes into a {@link VerifiedCertificate} or throws a coded error. */
export type CertificateReader = (bytes: Uint8Array, options: { readonly source: string; readonly maxBytes: number; readonly policy: CertificatePolicy }) => VerifiedCertificate;

/** The values of the Action's outputs; null = not set. */
export interface ActionOutputs {
  readonly verdict: Verdict;
  readonly ratio: number | null;
  readonly ratioCiLow: number | null;
  readonly ratioCiHigh: number | null;
  readonly certificatePath: string | null;
  readonly certificateSha256: string | null;
  readonly reportPath: string | null;
  readonly checkRunId: number | null;
  readonly checkRunUrl: string | null;
  readonly commentUrl: string | null;
  readonly imageDigest: string | null;
  readonly outputDir: string;
  readonly artifactUrl?: string | null;
  readonly reportUrl?: string | null;
}

/** Progress and notices the run emits; `main` maps them to log groups and annotations. */
export type ActionEvent =
  | { readonly type: 'stage-start'; readonly stage: string }
  | { readonly type: 'stage-end'; readonly stage: string; readonly durationMs: number }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'notice'; readonly id: string; readonly message: string }
  | { readonly type: 'warning'; readonly id: string; readonly message: string }
  /** A progress event of the CLI (its `--events stderr` stream), checked and made inert by `parseEventLine`. */
  | { readonly type: 'run-event'; readonly event: RunEvent };

/** Receives {@link ActionEvent}s. */
export type ActionEventSink = (event: ActionEvent) => void;
