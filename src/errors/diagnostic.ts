/** Severity of a {@link Diagnostic}: `error` blocks a run, `warning` is shown, `note` informs. */
export type Severity = 'error' | 'warning' | 'note';

/**
 * A finding that is not (yet) an exception: doctor findings, guard warnings, config notices.
 * `code` is stable so users can silence or escalate it.
 */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** Dotted path of the config field or file the finding is about, when there is one. */
  readonly field?: string;
  readonly hint?: string;
}
