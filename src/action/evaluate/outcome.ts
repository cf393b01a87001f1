import type { CheckConclusion, ShardSpec, VerifiedCertificate } from '../types.js';

/** The files a certify run leaves in the output directory (absolute paths). */
export interface CertificateFiles {
  readonly certificatePath: string;
  /** sha256 (hex) of the certificate bytes as written. */
  readonly certificateSha256: string;
  /** `report.md`, or null when it is missing. */
  readonly reportPath: string | null;
  readonly htmlPath: string | null;
}

/** Why a run ended in `error`, in the shape publishers need. */
export interface RunError {
  readonly code: string;
  readonly message: string;
  readonly hint: string | null;
  /** Dotted plan key the error is about (annotations), or null. */
  readonly field: string | null;
  readonly kind: 'timeout' | 'cancelled' | 'other';
}

/** Facts about how the run went, shown in the job summary. */
export interface RunFacts {
  readonly mode: 'container' | 'host' | 'publish' | 'aggregate';
  readonly imageDigest: string | null;
  readonly image: string | null;
  readonly cache: 'hit' | 'miss' | 'off' | 'unavailable' | 'not-applicable';
  readonly durationMs: number;
  /** Notices gathered on the way (cache misses, degraded publishing), shown in the summary. */
  readonly notices: readonly string[];
}

/** How the run ended, before publishing. */
export type RunOutcome =
  | { readonly kind: 'certified'; readonly certificate: VerifiedCertificate; readonly files: CertificateFiles }
  | { readonly kind: 'error'; readonly error: RunError; readonly files: CertificateFiles | null }
  /** `conclusion`: the check run's, when skipping must still block a required check (a fork PR not evaluated). */
  | { readonly kind: 'skipped'; readonly reason: string; readonly detail: string; readonly conclusion?: CheckConclusion }
  | { readonly kind: 'partial'; readonly shard: ShardSpec; readonly partialPath: string };
