import type { RunConfigFile } from '../../core/index.js';
import type { ProcessResult } from './spawn-process.js';

/**
 * One CLI command the Action runs. The CLI contract (the lead's `src/cli`):
 * - `invarlock certify --config PLAN --out DIR --json` → exit 0 pass/warn, 1 gate failed (both
 *   write DIR/evaluation.cert.json, report.md, report.html, and baseline-eval.json for caching;
 *   with `shard` in the plan: DIR/shard-<i>-of-<n>.partial.json instead), 2 bad input, 3 runtime error
 *   (stdout: `{"error": {code, message, hint?, details?}}`).
 * - `invarlock prefetch --config PLAN --json` → downloads every `hf:` model and the dataset the
 *   plan names into its `cache_dir`, verifying hashes; exit 0, 2, 3.
 * - `invarlock aggregate --in DIR --out DIR --json` → merges DIR/*.partial.json of one plan into a
 *   certificate; exits like certify.
 */
export type CliRequest =
  | {
      readonly command: 'certify';
      readonly plan: RunConfigFile;
      /** Host directory with a restored baseline-eval.json, or null. */
      readonly baselineEvalDir: string | null;
      /** Host model cache (HF_HOME-compatible), or null. */
      readonly cacheDir: string | null;
      readonly outputDir: string;
    }
  | { readonly command: 'prefetch'; readonly plan: RunConfigFile; readonly cacheDir: string }
  | { readonly command: 'aggregate'; readonly inputDir: string; readonly outputDir: string };

/** Shared options of one launch. */
export interface LaunchOptions {
  /** 0 = no limit. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Progress lines of the CLI (its stderr), for the log. */
  readonly onLine: (line: string) => void;
}

/** Runs CLI commands in the runtime image or with the runner's Node. */
export interface CliLauncher {
  readonly kind: 'container' | 'host';
  readonly run: (request: CliRequest, options: LaunchOptions) => Promise<ProcessResult>;
}

/** The CLI argv (after the program) for a request, given where the plan, input and output live. */
export function cliArgs(request: CliRequest, paths: { readonly plan: string; readonly input: string; readonly output: string }): string[] {
  switch (request.command) {
    case 'certify':
      // Progress as NDJSON on stderr (a side channel: stdout stays the one --json record).
      return ['certify', '--config', paths.plan, '--out', paths.output, '--events', 'stderr', '--json'];
    case 'prefetch':
      return ['prefetch', '--config', paths.plan, '--json'];
    case 'aggregate':
      return ['aggregate', '--in', paths.input, '--out', paths.output, '--json'];
    default: {
      const unreachable: never = request;
      throw new Error(`unknown CLI request ${JSON.stringify(unreachable)}`);
    }
  }
}
