import { Command, CommanderError, Option } from 'commander';
import { ADAPTER_NAMES } from '../adapters/index.js';
import { PROFILE_NAMES, TIER_NAMES } from '../contracts/index.js';
import { TOOL_VERSION } from '../core/index.js';
import { EDIT_NAMES } from '../edits/index.js';
import { DEVICE_CHOICES } from '../eval/index.js';
import { InvarlockError } from '../errors/index.js';
import { createCliContext, type CliContext, type GlobalFlags } from './cli-context.js';
import { runAggregate } from './commands/aggregate-command.js';
import { runCertify, type CertifyFlags } from './commands/certify-command.js';
import { runPrefetch } from './commands/prefetch-command.js';
import { runDemo } from './commands/demo-command.js';
import { runDoctor, type DoctorFlags } from './commands/doctor-command.js';
import { runPlan, type PlanFlags } from './commands/plan-command.js';
import { explainErrorCode, renderErrorCodeTable } from './commands/explain-code.js';
import { runPlugins } from './commands/plugins-command.js';
import { runExplainGates, runReport, type ReportFlags } from './commands/report-command.js';
import { runVerify, type VerifyFlags } from './commands/verify-command.js';
import { errorRecord, formatError } from './output/print-error.js';

type Io = Pick<CliContext, 'cwd' | 'env' | 'stdout' | 'stderr' | 'signal'>;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code: 0 pass
 * (or warn, or a consistent certificate), 1 a gate failed / an inconsistent certificate, 2 bad input
 * or usage, 3 runtime error. Errors are printed with code, message and hint; stack traces only with
 * `--verbose`.
 */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  let globals: GlobalFlags = {};
  const context = () => createCliContext(io, globals);
  const program = new Command('invarlock')
    .description('Certify that a weight edit of an ONNX language model preserves its quality.')
    .version(TOOL_VERSION)
    .option('-q, --quiet', 'print warnings and results only')
    .option('-v, --verbose', 'print details and stack traces')
    .option('--no-color', 'never colour the output (NO_COLOR is honoured too)')
    .exitOverride()
    // Usage errors are printed below, with their E_USAGE code, instead of commander's bare text (#13).
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: () => undefined })
    .hook('preAction', (cmd) => {
      globals = cmd.opts<GlobalFlags>();
    });

  program
    .command('certify')
    .description('evaluate baseline vs subject (or baseline + edit) and write the certificate')
    .option('-c, --config <file>', 'YAML or JSON run configuration (flags override it)')
    .option('--baseline <ref>', 'baseline model: directory, .onnx file or hf:org/name@revision')
    .option('--subject <ref>', 'subject model (repeatable)', collect)
    .option('--subject-lora <dir>', 'PEFT adapter merged into the baseline as a subject (repeatable)', collect)
    .addOption(new Option('--edit <name>', 'built-in edit applied to the baseline').choices(EDIT_NAMES))
    .option('--edit-config <json|file>', 'edit options, e.g. \'{"bits":4,"scope":"ffn"}\'')
    .addOption(new Option('--adapter <name>', 'model adapter (default auto: from config.json)').choices(['auto', ...ADAPTER_NAMES]))
    .addOption(new Option('--profile <name>', 'sample sizes (default ci)').choices(PROFILE_NAMES))
    .addOption(new Option('--tier <name>', 'thresholds (default balanced)').choices(TIER_NAMES))
    .addOption(new Option('--metric <name>', 'primary metric (default perplexity; nll_per_byte: per UTF-8 byte of text spans, for a subject with another tokenizer)').choices(['perplexity', 'nll_per_byte']))
    .option('--dataset <spec>', 'wikitext2 | text:PATH | jsonl:PATH#field | jsonl:PATH#text=F,label=F | jsonl:PATH#src=F,tgt=F[,prefix=TEXT] (default wikitext2: needs --allow-network once, or --dataset-path)')
    .option('--dataset-path <file>', 'local file for the wikitext2 provider')
    .option('--seq-len <n>', 'tokens per window (default 128)')
    .option('--stride <n>', 'tokens between window starts (default: seq-len, no overlap)')
    .option('--preview-n <n>', 'preview windows (default: the profile\'s, raised to the tier\'s floor)')
    .option('--final-n <n>', 'final windows (default: the profile\'s, raised to the tier\'s floor)')
    .option('--seed <n>', 'seed of the window draw, masks and bootstrap (default 42)')
    .option('--batch-size <n|auto>', 'windows per inference call (default auto)')
    .addOption(new Option('--device <device>', 'execution device (default auto: CUDA when present)').choices(DEVICE_CHOICES))
    .option('--threads <n>', 'onnxruntime intra-op threads (default 0: onnxruntime\'s choice)')
    .option('--max-memory <size>', 'memory the run may use, e.g. 16GiB (default: what is free); the planner fits batch size and workers to it')
    .option('--allow-network', 'allow downloads of hf: references and the wikitext2 dataset (default off)')
    .option('--cache-dir <dir>', 'Hugging Face hub cache directory (default HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub)')
    .option('--baseline-eval <file>', 'reuse a saved baseline evaluation when every hash matches (default none: score the baseline)')
    .option('-o, --out <dir>', 'output directory (default invarlock-out)')
    .option('--shard <i/n>', 'evaluate part i of n of the final windows (1-based; every shard scores the preview arm and runs the guards) and write a partial result for aggregate (default: no sharding)')
    .option('--sequential <looks>', 'score the final windows in this many looks and stop early once the gate is resolved (O\'Brien–Fleming alpha spending)')
    .option('--junit <file>', 'also write the gates as JUnit XML (one test case per gate)')
    .option('--events <file|stderr>', 'stream progress events as NDJSON lines (stage, windows done) to a file or stderr')
    .option('--json', 'print a JSON summary on stdout')
    .action(async (flags: CertifyFlags) => {
      exitCode = await runCertify(flags, context());
    });

  program
    .command('aggregate')
    .description('merge the partial results of sharded certify jobs into certificates')
    .option('--in <dir>', 'folder with *.partial.json')
    .option('-o, --out <dir>', 'output directory (default invarlock-out)')
    .option('--junit <file>', 'also write the gates as JUnit XML (one test case per gate)')
    .option('--json')
    .action(async (flags: { in?: string; out?: string; junit?: string; json?: boolean }) => {
      exitCode = await runAggregate(flags, context());
    });

  program
    .command('prefetch')
    .description('download the hf: models a run configuration names into its cache, then run offline')
    .option('-c, --config <file>')
    .option('--json')
    .action(async (flags: { config?: string; json?: boolean }) => {
      exitCode = await runPrefetch(flags, context());
    });

  program
    .command('verify')
    .description('re-derive every statistic and gate of certificates from their per-window data')
    .argument('<cert...>', 'certificate files')
    .option('--json', 'print each check as JSON')
    .option('--require-pass', 'also require verdict pass (or warn)')
    .option('--policy <file>', 'accept this policy (JSON policy record) instead of contracts/tiers.json for the recorded tier and profile')
    .option('--certificate-identity <url>', 'require a Sigstore bundle (CERT minus .json plus .sigstore.json) signed by this identity, e.g. the workflow URL')
    .option('--certificate-oidc-issuer <url>', 'the OIDC issuer of that identity, e.g. https://token.actions.githubusercontent.com')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json to verify against (default: the public-good root, read offline)')
    .action(async (paths: string[], flags: VerifyFlags) => {
      exitCode = await runVerify(paths, flags, context());
    });

  program
    .command('report')
    .description('render a certificate as markdown, HTML or canonical JSON')
    .argument('<cert>')
    .addOption(new Option('--format <format>').choices(['md', 'html', 'json']).default('md'))
    .addOption(new Option('--surface <surface>', 'markdown budget').choices(['report', 'check-summary', 'check-text', 'comment', 'job-summary']))
    .option('-o, --out <file>')
    .action(async (path: string, flags: ReportFlags) => {
      exitCode = await runReport(path, flags, context());
    });

  program
    .command('explain-gates')
    .description("each gate's inputs, threshold, outcome and distance from flipping")
    .argument('<cert>')
    .option('--json')
    .action(async (path: string, flags: { json?: boolean }) => {
      exitCode = await runExplainGates(path, flags, context());
    });

  program
    .command('explain')
    .description('explain an error code, or list them all')
    .argument('[code]')
    .action((code: string | undefined) => {
      const ctx = context();
      if (code === undefined) {
        ctx.stdout.write(`${renderErrorCodeTable()}\n`);
        return;
      }
      const text = explainErrorCode(code);
      if (text === undefined) throw new InvarlockError('E_USAGE', `unknown error code '${code}'`, { details: { field: 'code', actual: code } });
      ctx.stdout.write(`${text}\n`);
    });

  program
    .command('plan')
    .description('estimate the final windows the primary-metric gate needs, per profile, from a previous certificate\'s per-window spread')
    .requiredOption('--from <cert>', 'a certificate of a comparable run (its preview windows are used)')
    .addOption(new Option('--tier <name>', 'thresholds (default: the certificate\'s)').choices(TIER_NAMES))
    .option('--sequential <looks>', 'also estimate where this many sequential looks would stop')
    .option('--json', 'print the plan as JSON')
    .action(async (flags: PlanFlags) => {
      exitCode = await runPlan(flags, context());
    });

  program
    .command('doctor')
    .description('preflight: runtime, execution providers, models, data, network, disk; takes the flags certify takes and checks what certify would use')
    .option('-c, --config <file>', 'YAML or JSON run configuration (flags override it)')
    .option('--baseline <ref>', 'baseline model: directory, .onnx file or hf:org/name@revision')
    .option('--subject <ref>', 'subject model (repeatable)', collect)
    .addOption(new Option('--device <device>', 'execution device').choices(DEVICE_CHOICES))
    .addOption(new Option('--profile <name>', 'sample sizes (default ci)').choices(PROFILE_NAMES))
    .addOption(new Option('--tier <name>', 'thresholds (default balanced)').choices(TIER_NAMES))
    .option('--dataset <spec>', 'wikitext2 | text:PATH | jsonl:PATH#field (default wikitext2)')
    .option('--dataset-path <file>', 'local file for the wikitext2 provider')
    .option('--seq-len <n>', 'tokens per window (default 128)')
    .option('--preview-n <n>', 'preview windows (default: the profile\'s)')
    .option('--final-n <n>', 'final windows (default: the profile\'s)')
    .option('--allow-network', 'allow downloads (hf: models, the wikitext2 split)')
    .option('--cache-dir <dir>', 'Hugging Face hub cache directory (default HF_HOME)')
    .option('--max-memory <size>', 'memory budget to plan for, e.g. 16GiB (default: what is free)')
    .option('--json', 'print the report as JSON')
    .action(async (flags: DoctorFlags) => {
      exitCode = await runDoctor(flags, context());
    });

  program
    .command('plugins')
    .description('list adapters, edits or guards and their readiness')
    .argument('<kind>', 'adapters | edits | guards')
    .option('--json')
    .option('--interface <file>', 'a model interface JSON (as a config model_interface) to list as a user family')
    .action((kind: string, flags: { json?: boolean; interface?: string }) => {
      exitCode = runPlugins(kind, flags, context());
    });

  program
    .command('demo')
    .description('certify the bundled model against an int8 (PASS) and an int3 (FAIL) edit, offline')
    .option('-o, --out <dir>', 'output directory (default invarlock-demo)')
    .action(async (flags: { out?: string }) => {
      exitCode = await runDemo(flags, context());
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (thrown) {
    let error = thrown;
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0
      if (error.exitCode === 0) return 0;
      if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return 2;
      error = new InvarlockError('E_USAGE', error.message.replace(/^error: /, ''), { details: { field: error.code }, hint: 'invarlock <command> --help lists the options.' });
    }
    const { text, exitCode: code } = formatError(error, createCliContext(io, globals).style, globals.verbose === true);
    io.stderr.write(text);
    // --json callers (the Action) read the error as a record on stdout
    if (argv.includes('--json')) io.stdout.write(`${JSON.stringify({ error: errorRecord(error) })}\n`);
    return code;
  }
}
