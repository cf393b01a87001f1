/** Section 5's report from startup-timing.ts. */
import { formatDuration, type SectionReport } from './report-model.js';
import type { StartupOutcome } from './startup-timing.js';

/** Section 5: CLI and Action start-up; `n/a` rows when the bundle is missing. */
export function buildStartupReport(outcome: StartupOutcome, runs: number): SectionReport {
  const title = 'CLI and Action start-up';
  if (outcome.status === 'no-bundle') {
    return {
      section: 5,
      title,
      tables: [{ title: 'Start-up', header: ['command', 'time'], rows: [['CLI --version, CLI plugins edits, Action', 'n/a (run npm run bundle)']] }],
      goals: [{ section: 5, subject: 'CLI and Action start-up', goal: 'none set (reported)', measured: 'n/a', status: 'not judged', note: `${outcome.missing} is missing: run npm run bundle` }],
      notes: [],
    };
  }
  const bare = outcome.timings[0]!;
  const rows = outcome.timings.map((t) => [
    t.label,
    formatDuration(t.bestExitMs),
    formatDuration(t.medianExitMs),
    t.bestFirstLineMs === null ? '—' : formatDuration(t.bestFirstLineMs),
    t === bare ? '—' : formatDuration(t.bestExitMs - bare.bestExitMs),
    String(t.exitCode),
    t.firstLine === '' ? '—' : `\`${t.firstLine.replace(/`/g, "'").replace(/\|/g, '\\|')}\``,
  ]);
  return {
    section: 5,
    title,
    tables: [{ title: `Start-up, best of ${runs}`, header: ['command', 'exit (best)', 'exit (median)', 'first line (best)', 'over bare Node', 'exit code', 'first line'], rows }],
    goals: outcome.timings.slice(1).map((t) => ({ section: 5, subject: t.label, goal: 'none set (reported)', measured: formatDuration(t.bestExitMs), status: 'not judged' as const, note: '' })),
    notes: [
      'Each command is a fresh `node` process; best and median of the runs. The Action runs dist/action/index.js in publisher-only mode (`certificate` input naming a file that does not exist, no token): it parses its inputs, reads the context, fails to read the certificate and publishes verdict `error` to the step summary and outputs, offline — its exit code 1 is the expected one.',
      `Commands: ${outcome.timings.map((t) => `\`${t.command}\``).join(', ')}.`,
    ],
  };
}
