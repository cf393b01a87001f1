/**
 * The report layer's contract: what the certify runner hands to {@link buildCertificate}, and the
 * options and results of the renderers, writer and verifier. The certificate itself is typed in
 * `certificate-types.ts`, mirroring `contracts/certificate.schema.json`.
 */
import type { SequentialPlanFacts } from './derive/derive-sequential.js';
import type { ErrorCode } from '../errors/index.js';
import type {
  Certificate,
  DatasetBlock,
  EditName,
  Guards,
  JsonValue,
  MetricKind,
  ModelIdentity,
  Pair,
  Pairing,
  PolicyBlock,
  Provenance,
  SpanTokens,
  Timing,
  VerdictStatus,
} from './certificate/certificate-types.js';

/** How the run ended. A gate failure is `completed` (the verdict says `fail`); `error` means it could not finish. */
export type RunOutcome =
  | { readonly status: 'completed' }
  | {
      readonly status: 'error';
      /** An error code (`E_RUNTIME_RUN`) or snake_case reason. */
      readonly code: string;
      readonly message: string;
    }
  | {
      readonly status: 'skipped';
      /** e.g. `fork_pull_request`. */
      readonly code: string;
      readonly message: string;
    };

/**
 * Per-window values of one arm, parallel arrays in evaluation order. Perplexity kinds: mean
 * log-loss per scored token (nats) and the scored-token count as weight. Accuracy: correctness
 * 0/1 per example, weight 1. Δ is derived (subject − baseline), never passed in.
 */
export interface WindowArmInput {
  /** Window ids of the evaluation plan, as src/eval names them (`w<token offset>`, `e<example index>`). */
  readonly ids: readonly string[];
  readonly weights: readonly number[];
  readonly baseline: readonly number[];
  readonly subject: readonly number[];
  /** nll_per_byte only: each model's token count per span (the scale of its ratio, ALGORITHMS.md §4). */
  readonly tokens?: SpanTokens;
}

/** A model as the runner knows it; `label` defaults to the reference's last path segment. */
export type ModelInput = Omit<ModelIdentity, 'label' | 'interface'> & { readonly label?: string; readonly interface?: ModelIdentity['interface'] };

/** The edit or the compared subject; the plan digest is computed by the builder. */
export type ChangeInput =
  | {
      readonly kind: 'edit';
      readonly name: EditName;
      readonly config: { readonly [key: string]: JsonValue };
      readonly params_changed: number | null;
      readonly modules_touched: readonly string[];
      readonly rolled_back: boolean;
    }
  | {
      readonly kind: 'compare';
      readonly label: string;
      readonly params_changed: number | null;
      readonly modules_touched: readonly string[] | null;
    };

/** Guarded vs bare perplexity on the same windows, or why it was not measured. */
export type GuardOverheadInput =
  | { readonly evaluated: true; readonly bare: number; readonly guarded: number }
  | { readonly evaluated: false; readonly reason: string };

/**
 * Everything a certificate needs, as the certify runner measured it, without anything derived:
 * no digests (certificate, policy, plan, config, run id), no statistics (ratios, CIs, drift,
 * tail), no gate flags and no verdict. {@link buildCertificate} derives those with the same pure
 * functions `verify` uses.
 */
export interface CertificateInput {
  readonly outcome: RunOutcome;
  readonly metricKind: MetricKind;
  /** Final is empty when the run stopped after the preview arm (catastrophe) or never scored. */
  readonly windows: { readonly preview: WindowArmInput; readonly final: WindowArmInput };
  readonly pairing: Pairing;
  /** Each guard's own result (status, measurements, violations) from the guards layer. */
  readonly guards: Guards;
  readonly guardOverhead: GuardOverheadInput;
  readonly change: ChangeInput;
  readonly models: Pair<ModelInput>;
  readonly dataset: DatasetBlock;
  /** The resolved policy exactly as src/core resolved it (core's `Policy` has this shape). */
  readonly policy: PolicyBlock;
  readonly provenance: Omit<Provenance, 'config_digest'>;
  /** The resolved run configuration (JSON-safe); only its digest is recorded. */
  readonly config: JsonValue;
  readonly timing: Timing;
  /** The planned final arm when the policy has sequential looks (the final arm may stop short of it). */
  readonly sequentialPlan?: SequentialPlanFacts;
}

/** A markdown surface, each with its own size limit (see `SURFACE_LIMITS`). */
export type MarkdownSurface = 'check-summary' | 'check-text' | 'comment' | 'job-summary' | 'report';

/** Options of {@link renderMarkdown}. */
export interface RenderMarkdownOptions {
  readonly surface: MarkdownSurface;
  /** Links to the workflow run and the artifact (http/https only). */
  readonly links?: { readonly runUrl?: string; readonly artifactUrl?: string };
  /** The certificate of the previous push, for the comment's "since the previous push" line. */
  readonly previous?: Certificate;
  /** Overrides the surface's limit, in the surface's unit (tests, tighter hosts). */
  readonly limit?: number;
}

/** A rendering and what was shortened or left out to fit, one phrase each (empty when complete). */
export interface RenderedMarkdown {
  readonly text: string;
  readonly omitted: readonly string[];
}

/** A file format {@link writeReportFiles} can write. */
export type ReportFormat = 'json' | 'markdown' | 'html';

/** Options of {@link writeReportFiles}. */
export interface WriteReportOptions {
  /** Which files to write. @default ['json', 'markdown', 'html'] */
  readonly formats?: readonly ReportFormat[];
}

/** Paths written, absolute, per format. */
export type WrittenReportFiles = { readonly [F in ReportFormat]?: string };

/** Outcome of one verify check. */
export type VerifyCheckStatus = 'pass' | 'fail' | 'skipped';

/** The checks of verify, in the order they run. */
export type VerifyCheckId = 'parse' | 'schema' | 'certificate_digest' | 'policy_digest' | 'policy' | 'pairing' | 'statistics' | 'gates' | 'verdict' | 'signature' | 'require_pass';

/** One verify check. On failure, `path`, `expected` and `actual` name the first differing value. */
export interface VerifyCheck {
  readonly id: VerifyCheckId;
  readonly status: VerifyCheckStatus;
  readonly message: string;
  /** JSON path of the first differing value (`primary_metric.ratio_ci[1]`). */
  readonly path?: string;
  /** The re-derived value, as JSON text. */
  readonly expected?: string;
  /** The recorded value, as JSON text. */
  readonly actual?: string;
  /** On failure, the error code of the rejection (`E_CERT_POLICY`); `require_pass` has none (a verdict, not a rejection). */
  readonly code?: ErrorCode;
}

/** Result of {@link verifyCertificate}. */
export interface VerifyReport {
  /** 0 consistent (and passing when required), 1 inconsistent or not passing, 2 malformed or unreadable. */
  readonly exitCode: 0 | 1 | 2;
  readonly checks: readonly VerifyCheck[];
  /** The recorded verdict, when the certificate could be read. */
  readonly verdict?: VerdictStatus;
  /** The recorded digest, when the certificate could be read. */
  readonly digest?: string;
}

/** Options of {@link verifyCertificate}. */
export interface VerifyOptions {
  /** Also require verdict `pass` or `warn` (exit 1 otherwise). @default false */
  readonly requirePass?: boolean;
  /** Where the value came from, for messages. @default 'certificate' */
  readonly source?: string;
  /** Size limit for text or bytes input. @default 33_554_432 (32 MiB) */
  readonly maxBytes?: number;
  /**
   * The policy the certificate must have been decided with. Without it the `policy` check fails:
   * a policy the certificate states about itself proves nothing (issue 13).
   */
  readonly policy?: AcceptedPolicy;
}

/**
 * Which policy a verifier accepts. `lookup`: by the recorded tier and profile (the CLI resolves
 * them from the bundled `contracts/tiers.json`); `fixed`: one policy whatever the certificate says
 * (`verify --policy FILE`, the Action's publisher mode with the repository's tier and profile);
 * `recorded`: the certificate's own (only for a certificate this process's own run just wrote).
 * `source` names it in messages.
 */
export type AcceptedPolicy =
  | { readonly kind: 'lookup'; readonly source: string; readonly policyFor: (tier: string, profile: string) => PolicyBlock | undefined; readonly sequential?: SequentialAllowance }
  | { readonly kind: 'fixed'; readonly source: string; readonly policy: PolicyBlock; readonly sequential?: SequentialAllowance }
  | { readonly kind: 'recorded' };

/**
 * Early stopping a verifier lets a run choose (contracts/tiers.json `sequential`): a recorded
 * `policy.sequential` with this spending function and at most `max_looks` looks is accepted as the
 * run's own choice, like its window counts. Without an allowance only an equal `policy.sequential` is.
 */
export interface SequentialAllowance {
  readonly spending: 'obrien_fleming';
  readonly max_looks: number;
}

/** One gate explained: what went in, the threshold, the outcome and how far it is from flipping. */
export interface GateExplanation {
  readonly gate: string;
  readonly label: string;
  readonly outcome: 'pass' | 'warn' | 'fail' | 'not_evaluated';
  /** Measurements the decision used, by name. */
  readonly inputs: { readonly [name: string]: number | string | boolean | null };
  /** The rule, in words with numbers (`exp(CI high) ≤ 1.10 + 0.002`). */
  readonly rule: string;
  /**
   * Signed distance to the boundary in the gate's own units, positive on the passing side
   * (`limit + hysteresis − upper bound`), null when it does not apply.
   */
  readonly margin: number | null;
  /** The margin in words (`0.081 below the limit`). */
  readonly marginText: string;
}
