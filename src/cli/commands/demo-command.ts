import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certify, parseRunConfigFile, resolveRunConfig } from '../../core/index.js';
import { InvarlockError } from '../../errors/index.js';
import { renderHeadline, writeReportFiles } from '../../report/index.js';
import type { CliContext } from '../cli-context.js';
import { createProgressReporter } from '../output/progress-reporter.js';

/** The two demo edits: one the gate should accept, one it should reject. */
export const DEMO_EDITS = [
  { label: 'int8', expected: 'pass', config: { bits: 8, scope: 'all' } },
  { label: 'int3', expected: 'fail', config: { bits: 3, scope: 'all' } },
] as const;

/** The repository root: the folder holding package.json above this module (src/ or dist/). */
export function findPackageRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tests', 'fixtures', 'models'))) return dir;
    dir = dirname(dir);
  }
  throw new InvarlockError('E_FILE_NOT_FOUND', 'cannot find the invarlock checkout (package.json with tests/fixtures/models) above the CLI', {
    details: { file: start },
    hint: 'Run the demo from a clone of the repository: npm ci && npm run demo',
  });
}

/**
 * The demo's evaluation text: the project's own documentation (README.md and docs/*.md), which every
 * clone has; no network, nothing outside the checkout. Markdown is kept as is: it is English prose and tables.
 */
async function demoText(root: string): Promise<string> {
  const docs = join(root, 'docs');
  const files = [join(root, 'README.md'), ...(existsSync(docs) ? (await readdir(docs)).filter((f) => f.endsWith('.md')).sort().map((f) => join(docs, f)) : [])];
  const parts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
  return parts.join('\n\n');
}

/**
 * `invarlock demo`: certifies the bundled GPT-2-like fixture against an int8 round-to-nearest edit
 * (expected PASS) and an int3 edit (expected FAIL) with the dev profile, on text the project ships,
 * and prints the verdicts and where the reports are. Exit 0 when both verdicts are as expected.
 */
export async function runDemo(flags: { readonly out?: string }, ctx: CliContext): Promise<number> {
  const root = findPackageRoot();
  const outDir = resolve(ctx.cwd, flags.out ?? 'invarlock-demo');
  await mkdir(outDir, { recursive: true });
  const textPath = join(outDir, 'eval-text.txt');
  await writeFile(`${textPath}.tmp`, await demoText(root));
  await rename(`${textPath}.tmp`, textPath);
  const reporter = createProgressReporter(ctx.stderr, ctx.style, ctx.verbosity);
  let asExpected = true;
  for (const edit of DEMO_EDITS) {
    const config = resolveRunConfig(
      parseRunConfigFile(
        {
          baseline: join(root, 'tests', 'fixtures', 'models', 'gpt2-tiny'),
          edit: { name: 'quant_rtn', config: edit.config },
          profile: 'dev',
          tier: 'balanced',
          dataset: { provider: `text:${textPath}`, seq_len: 64 },
          device: 'cpu',
          output_dir: join(outDir, edit.label),
        },
        'demo',
      ),
      'demo',
    );
    const run = await certify(config, { cwd: root, onEvent: reporter, signal: ctx.signal });
    const cert = run.subjects[0]!.certificate;
    const files = await writeReportFiles(cert, config.outputDir);
    const matches = cert.verdict.status === edit.expected;
    asExpected &&= matches;
    ctx.stdout.write(`${ctx.style.bold(`quant_rtn ${edit.label}`)}: ${renderHeadline(cert)}\n  reports: ${files.html ?? ''}\n`);
    if (!matches) ctx.stdout.write(ctx.style.yellow(`  expected ${edit.expected}, got ${cert.verdict.status}\n`));
  }
  // `invarlock` is on PATH only where the package is installed; in a clone the bundle runs it.
  ctx.stdout.write(`\nVerify a certificate yourself: node dist/cli/index.js verify ${join(outDir, 'int8', 'evaluation.cert.json')}  (installed: npx invarlock verify …)\n`);
  return asExpected ? 0 : 1;
}
