import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunConfigFile } from '../../core/index.js';
import { BASELINE_EVAL_FILE } from '../evaluate/baseline-cache.js';
import type { CliLauncher, CliRequest, LaunchOptions } from './cli-launcher.js';
import { cliArgs } from './cli-launcher.js';
import type { HostRuntime } from './host-runtime.js';
import type { ProcessResult, ProcessRunner } from './spawn-process.js';

/** Runner variables the host CLI may see; never the token inputs (`INPUT_*`) or `ACTIONS_*` credentials. */
const HOST_ENV = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LC_ALL', 'TZ', 'SystemRoot', 'USERPROFILE'];
/** Added when the network is allowed (downloads). */
const HOST_NETWORK_ENV = ['HF_TOKEN', 'HF_ENDPOINT', 'HF_HOME', 'HF_HUB_CACHE', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'NODE_EXTRA_CA_CERTS'];

/** Options of {@link createHostLauncher}. */
export interface HostLauncherOptions {
  readonly runtime: HostRuntime;
  readonly run: ProcessRunner;
  /** The runner's Node (`process.execPath`). */
  readonly node: string;
  readonly workspace: string;
  /** Private directory of this job (plan files). */
  readonly workDir: string;
  readonly network: 'none' | 'allowed';
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The host CLI's environment: an allow-list, plus NODE_PATH to the runtime's node_modules. */
export function hostEnv(options: Pick<HostLauncherOptions, 'env' | 'network' | 'runtime'>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...HOST_ENV, ...(options.network === 'allowed' ? HOST_NETWORK_ENV : [])]) {
    const value = options.env[name];
    if (value !== undefined) env[name] = value;
  }
  env['NODE_PATH'] = options.runtime.nodeModules;
  env['CI'] = 'true';
  env['NO_COLOR'] = '1';
  env['INVARLOCK_EXECUTION'] = 'host';
  if (options.network === 'none') env['HF_HUB_OFFLINE'] = '1';
  return env;
}

/**
 * Runs CLI commands with the runner's Node on the bundled CLI (host mode): no container
 * isolation, so the plan's `allow_network` is the only network control, enforced by the CLI.
 */
export function createHostLauncher(options: HostLauncherOptions): CliLauncher {
  const run = async (request: CliRequest, launch: LaunchOptions): Promise<ProcessResult> => {
    let planPath = '';
    if (request.command !== 'aggregate') {
      const plan: RunConfigFile =
        request.command === 'certify'
          ? {
              ...request.plan,
              output_dir: request.outputDir,
              ...(request.cacheDir === null ? {} : { cache_dir: request.cacheDir }),
              ...(request.baselineEvalDir === null ? {} : { baseline_eval: join(request.baselineEvalDir, BASELINE_EVAL_FILE) }),
            }
          : { ...request.plan, cache_dir: request.cacheDir };
      await mkdir(options.workDir, { recursive: true });
      planPath = join(options.workDir, `${request.command}.plan.json`);
      await writeFile(planPath, `${JSON.stringify(plan, null, 2)}\n`);
    }
    const args = cliArgs(request, {
      plan: planPath,
      input: request.command === 'aggregate' ? request.inputDir : '',
      output: request.command === 'prefetch' ? '' : request.outputDir,
    });
    return options.run({
      command: options.node,
      args: [options.runtime.cliEntry, ...args],
      // The CLI watches this pid and stops when it is gone (a SIGKILLed Action sends no signal on).
      env: { ...hostEnv(options), INVARLOCK_PARENT_PID: String(process.pid) },
      cwd: options.workspace,
      timeoutMs: launch.timeoutMs,
      ...(launch.signal === undefined ? {} : { signal: launch.signal }),
      onStderrLine: launch.onLine,
    });
  };
  return { kind: 'host', run };
}
