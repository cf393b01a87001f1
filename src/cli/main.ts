#!/usr/bin/env node
import { runCli } from './program.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    controller.abort();
    // The run stops at its next check of the signal; should it not (a blocking native call), end
    // anyway with a cancelled error rather than outlive the job (#13). A second signal kills at once.
    setTimeout(() => {
      process.stderr.write(`error E_CANCELLED: stopped by ${signal}\n`);
      process.exit(3);
    }, 10_000).unref();
  });
}
// Started by the Action in host mode: when the Action is killed outright (no signal reaches us),
// we are re-parented; stop then instead of evaluating on for nobody. The Action names its pid, so a
// kill during our start-up (before this line runs) is noticed too.
if (process.env['INVARLOCK_EXECUTION'] === 'host') {
  const named = Number(process.env['INVARLOCK_PARENT_PID']);
  const parent = Number.isInteger(named) && named > 0 ? named : process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    controller.abort();
    // Give the run a moment to stop cleanly, then leave regardless.
    setTimeout(() => process.exit(3), 5_000).unref();
  }, 1_000);
  watch.unref();
}

const code = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
process.exitCode = code;
