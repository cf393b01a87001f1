/**
 * Runs one measurement in a fresh Node process (`node --import tsx SCRIPT`), so that each mode's
 * peak RSS is its own and no JIT state or heap carries over between modes. The child prints its
 * result as one `BENCH_RESULT {json}` line on stdout; everything else it writes is kept for errors.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULT_PREFIX = 'BENCH_RESULT ';

/** The repository root (bench/suite/../..). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What a child run returned. */
export interface ChildRun<T> {
  readonly result: T;
  /** Spawn to exit, milliseconds (includes Node start-up and module loading). */
  readonly wallMs: number;
}

/** Options of {@link runChild}. */
export interface RunChildOptions {
  /** Kill the child after this long. @default 1_800_000 (30 min) */
  readonly timeoutMs?: number;
  /** Extra Node flags before `--import tsx`. @default [] */
  readonly nodeFlags?: readonly string[];
}

/**
 * Spawns `node --import tsx <script> <json input>` in the repository root and resolves with the
 * child's `BENCH_RESULT` payload. Rejects (with the child's stderr tail) when it exits non-zero,
 * prints no result, or runs past the timeout.
 */
export function runChild<T>(script: string, input: unknown, options: RunChildOptions = {}): Promise<ChildRun<T>> {
  const args = [...(options.nodeFlags ?? []), '--import', 'tsx', join(REPO_ROOT, script), JSON.stringify(input)];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 1_800_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) {
        reject(new Error(`${script} exited with ${signal ?? code} and ${line === undefined ? 'no result' : 'a result'}:\n${stderr.trim() || stdout.slice(-2000)}`));
        return;
      }
      resolve({ result: JSON.parse(line.slice(RESULT_PREFIX.length)) as T, wallMs });
    });
  });
}

/** In a child: the JSON input the parent passed (argv[2]). */
export function childInput<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('this script is started by bench/run.ts with a JSON argument');
  return JSON.parse(raw) as T;
}

/** In a child: prints the result line the parent reads. */
export function reportResult(result: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/** Peak resident set size of this process so far, in bytes (`getrusage` ru_maxrss). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
