import { createStyle, shouldUseColor, type Style } from './output/style.js';
import type { Verbosity } from './output/progress-reporter.js';

/** The process-facing pieces a command needs; injected so commands can be run in-process by tests. */
export interface CliContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { readonly isTTY?: boolean; write(text: string): unknown };
  readonly stderr: { readonly isTTY?: boolean; write(text: string): unknown };
  readonly style: Style;
  readonly verbosity: Verbosity;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

/** Global flags shared by every command. */
export interface GlobalFlags {
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  readonly color?: boolean;
}

/** Builds a context from the real process and the global flags. */
export function createCliContext(
  io: Pick<CliContext, 'cwd' | 'env' | 'stdout' | 'stderr' | 'signal'>,
  flags: GlobalFlags,
): CliContext {
  const colorAllowed = flags.color !== false && shouldUseColor(io.stderr, io.env);
  return {
    ...io,
    style: createStyle(colorAllowed),
    verbosity: flags.quiet === true ? 'quiet' : flags.verbose === true ? 'verbose' : 'normal',
  };
}
