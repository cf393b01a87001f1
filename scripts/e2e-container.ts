/**
 * Container mode for real (`npm run e2e:container`; opt-in, never part of `npm test`: it needs
 * root, podman and several minutes). Builds a CPU runtime image without any registry, then runs the
 * Action in container mode end to end with podman standing in for the docker CLI, against the fake
 * GitHub API of the e2e tests on loopback:
 *
 *   1. a Debian rootfs from debootstrap (the mirror apt already uses), Node, the bundled CLI and the
 *      production dependencies (onnxruntime-node's linux/x64 CPU binaries) installed into it, the
 *      same layout as runtime-images/cpu/Dockerfile; `podman import` of its tarball;
 *   2. a registry on loopback (Debian's docker-registry): the image is pushed, removed locally and
 *      the Action is given `127.0.0.1:PORT/invarlock-cpu@sha256:…`, so it pulls and runs by digest;
 *   3. the Action's `main` and `post` entries as the runner starts them (INPUT_* variables, the
 *      GITHUB_* files), with a `docker` shim on PATH that execs `podman --runtime runc`:
 *      - a full run: the certify container is inspected while it runs (`--network none`, no network
 *        interface but lo, the mounts, the environment allow-list: no secret of the runner's
 *        environment inside), the outputs and the completed check run are checked afterwards;
 *      - a cancel: SIGTERM to the Action mid-evaluation stops and removes the container and the
 *        check run ends `cancelled`;
 *      - a hard kill: SIGKILL to the Action leaves the container running; `post` removes it by label.
 *
 * Usage (as root, on Linux x64 with `apt-get install podman debootstrap runc docker-registry`):
 *   npm run e2e:container -- [--work DIR] [--fresh] [--use-dist] [--no-registry] [--keep] [--reuse-bundle]
 *   --work DIR     working directory (default /var/tmp/invarlock-e2e-container); the debootstrap
 *                  rootfs is kept there and reused unless --fresh
 *   --use-dist     put the checkout's dist/ into the image and run it, instead of a fresh bundle
 *   --no-registry  run the image imported locally (localhost/invarlock-cpu@sha256:…) without a registry
 *   --keep         keep containers, images and the working directory
 *   --reuse-bundle reuse WORK/action/dist from an earlier run (the bundle takes minutes on 2 cores)
 * Prints each stage's wall time and writes them, with every check's result, to WORK/results.json.
 * Exit 0 when every check passed, 1 when one failed, 2 when the machine lacks what the run needs.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeGitHub } from '../tests/action/fake-github.js';
import { runActionProcess, type ActionProcessResult } from '../tests/action/run-action.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const IMAGE_LOCAL = 'localhost/invarlock-cpu:e2e';
const SECRETS = { GITHUB_TOKEN: 'ghs_e2e_runner_token_1', ACTIONS_RUNTIME_TOKEN: 'e2e_runtime_token_2', HF_TOKEN: 'hf_e2e_token_3', E2E_SECRET: 'e2e_secret_value_4' } as const;
const INPUT_TOKEN = 'ghs_e2e_input_token_5';
/** What may be in the certify container's environment: the Action's allow-list, the image's ENV, podman's own, and the one name docker-args passes. */
const ALLOWED_ENV = new Set(['HOME', 'CI', 'NO_COLOR', 'INVARLOCK_EXECUTION', 'HF_HUB_OFFLINE', 'HF_HOME', 'NODE_ENV', 'PATH', 'container', 'HOSTNAME', 'TERM', 'E2E_PASSED']);
const HEAD = 'c'.repeat(40);

interface Options {
  readonly work: string;
  readonly fresh: boolean;
  readonly useDist: boolean;
  readonly registry: boolean;
  readonly keep: boolean;
  readonly reuseBundle: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const flag = (name: string): boolean => argv.includes(name);
  const at = argv.indexOf('--work');
  const known = new Set(['--work', '--fresh', '--use-dist', '--no-registry', '--keep', '--reuse-bundle']);
  for (const [i, arg] of argv.entries()) if (!known.has(arg) && argv[i - 1] !== '--work') throw new Setup(`unknown argument '${arg}'`);
  return { work: at >= 0 ? (argv[at + 1] ?? '') : '/var/tmp/invarlock-e2e-container', fresh: flag('--fresh'), useDist: flag('--use-dist'), registry: !flag('--no-registry'), keep: flag('--keep'), reuseBundle: flag('--reuse-bundle') };
}

/** The machine lacks something the run needs (exit 2), as opposed to a failed check (exit 1). */
class Setup extends Error {}

// --- timings and checks ------------------------------------------------------------------------

const timings: { stage: string; seconds: number; note?: string }[] = [];
const checks: { name: string; ok: boolean; detail: string }[] = [];

async function stage<T>(name: string, body: () => T | Promise<T>, note?: string): Promise<T> {
  process.stdout.write(`\n== ${name}\n`);
  const start = performance.now();
  const value = await body();
  const seconds = Math.round((performance.now() - start) / 100) / 10;
  timings.push({ stage: name, seconds, ...(note === undefined ? {} : { note }) });
  process.stdout.write(`   ${name}: ${seconds} s\n`);
  return value;
}

function check(name: string, ok: boolean, detail = ''): void {
  checks.push({ name, ok, detail });
  process.stdout.write(`   ${ok ? 'ok  ' : 'FAIL'} ${name}${detail === '' ? '' : ` (${detail})`}\n`);
}

// --- commands ----------------------------------------------------------------------------------

function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: options.env ?? process.env, cwd: options.cwd ?? REPO, ...(options.input === undefined ? {} : { input: options.input }) });
  if (result.error !== undefined) throw new Setup(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return result.stdout;
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** podman with this run's private configuration and storage (never the machine's default store). */
function podmanEnv(work: string): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_CONF: join(work, 'podman', 'containers.conf'), CONTAINERS_REGISTRIES_CONF: join(work, 'podman', 'registries.conf'), CONTAINERS_STORAGE_CONF: join(work, 'podman', 'storage.conf') };
}

function podman(work: string, args: readonly string[]): string {
  return run('podman', ['--runtime', 'runc', ...args], { env: podmanEnv(work) });
}

function podmanTry(work: string, args: readonly string[]): { ok: boolean; stdout: string } {
  const result = spawnSync('podman', ['--runtime', 'runc', ...args], { encoding: 'utf8', env: podmanEnv(work), maxBuffer: 64 * 1024 * 1024 });
  return { ok: result.status === 0, stdout: result.stdout ?? '' };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Every process below `pid` (from /proc), children before their parents' turn comes. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat, after the parenthesised command name (which may hold spaces).
      const stat = readFileSync(join('/proc', entry, 'stat'), 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while listing.
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of parents.get(p) ?? []) {
      walk(c);
      out.push(c);
    }
  };
  walk(pid);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// --- podman configuration and the docker shim --------------------------------------------------

/**
 * podman's configuration for this run. `default_ulimits = []`: podman otherwise sets RLIMIT_NOFILE,
 * which unprivileged VMs like this one refuse; runc because crun refuses the cgroup v1 hybrid setup.
 * Storage, run and tmp directories are private to the run, so nothing of the machine's podman is touched.
 */
function writePodmanConfig(work: string, registryPort: number | null): void {
  const dir = join(work, 'podman');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'containers.conf'), ['[containers]', 'default_ulimits = []', '', '[engine]', 'runtime = "runc"', `tmp_dir = "${join(work, 'podman-tmp')}"`, ''].join('\n'));
  writeFileSync(join(dir, 'storage.conf'), ['[storage]', 'driver = "overlay"', `graphroot = "${join(work, 'storage')}"`, `runroot = "${join(work, 'podman-run')}"`, ''].join('\n'));
  writeFileSync(join(dir, 'registries.conf'), ['unqualified-search-registries = []', ...(registryPort === null ? [] : ['', '[[registry]]', `location = "127.0.0.1:${registryPort}"`, 'insecure = true']), ''].join('\n'));
}

/**
 * `docker` on the Action's PATH: logs each call (argv and the names of the environment it got) and
 * execs `podman --runtime runc` with this run's configuration. Nothing is translated: podman accepts
 * every docker command and flag the Action uses (`version --format {{.Server.Version}}`,
 * `image inspect`, `pull`, `run`, `kill`, `ps --filter label=…`, `rm --force`).
 */
function writeDockerShim(work: string): string {
  const bin = join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  const conf = join(work, 'podman');
  const script = `#!/bin/sh
# docker -> podman for scripts/e2e-container.ts (written by it; see there).
{ printf 'at %s\\036argv' "$(date +%s.%N)"; for a in "$@"; do printf '\\037%s' "$a"; done; printf '\\036env'; env | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p' | tr '\\n' ' '; printf '\\n'; } >> '${join(work, 'docker-calls.log')}'
export CONTAINERS_CONF='${join(conf, 'containers.conf')}' CONTAINERS_REGISTRIES_CONF='${join(conf, 'registries.conf')}' CONTAINERS_STORAGE_CONF='${join(conf, 'storage.conf')}'
exec podman --runtime runc "$@"
`;
  writeFileSync(join(bin, 'docker'), script);
  chmodSync(join(bin, 'docker'), 0o755);
  return bin;
}

interface DockerCall {
  /** When the call started (epoch seconds). */
  readonly at: number;
  readonly argv: readonly string[];
  readonly env: readonly string[];
}

function dockerCalls(work: string): DockerCall[] {
  const path = join(work, 'docker-calls.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('at '))
    .map((line) => {
      const [at = '', argv = '', env = ''] = line.split('\u001e');
      return { at: Number(at.slice(3)), argv: argv.split('\u001f').slice(1), env: env.replace(/^env/, '').trim().split(/\s+/).filter((n) => n !== '') };
    });
}

// --- the image ---------------------------------------------------------------------------------

/** The Debian mirror and release apt uses on this machine (deb822 .sources or sources.list). */
function aptMirror(): { mirror: string; suite: string } {
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  const suite = /^VERSION_CODENAME=(\S+)/m.exec(osRelease)?.[1];
  if (suite === undefined) throw new Setup('/etc/os-release names no VERSION_CODENAME');
  const files = ['/etc/apt/sources.list', ...(existsSync('/etc/apt/sources.list.d') ? readdirSync('/etc/apt/sources.list.d').map((f) => join('/etc/apt/sources.list.d', f)) : [])].filter((f) => existsSync(f));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const block of text.split(/\n\s*\n/)) {
        const uri = /^URIs:\s*(\S+)/im.exec(block)?.[1];
        const suites = /^Suites:\s*(.+)$/im.exec(block)?.[1]?.split(/\s+/) ?? [];
        if (uri !== undefined && suites.includes(suite) && /^Types:.*\bdeb\b/im.test(block)) return { mirror: uri, suite };
      }
    } else {
      const line = text.split('\n').find((l) => new RegExp(`^deb\\s+(\\[[^\\]]*\\]\\s+)?\\S+\\s+${suite}\\s`).test(l));
      const uri = line?.split(/\s+/).find((w) => /^https?:\/\//.test(w));
      if (uri !== undefined) return { mirror: uri, suite };
    }
  }
  throw new Setup(`no apt source for ${suite} in /etc/apt/sources.list*`);
}

/** The newest nodejs the mirror offers (apt-cache madison), as [version, major]. */
function debianNode(mirror: string): { version: string; major: number } | null {
  const lines = spawnSync('apt-cache', ['madison', 'nodejs'], { encoding: 'utf8' }).stdout?.split('\n') ?? [];
  let best: { version: string; major: number } | null = null;
  for (const line of lines) {
    const [, version = '', source = ''] = line.split('|').map((f) => f.trim());
    if (!source.startsWith(mirror.replace(/\/$/, ''))) continue;
    const major = Number.parseInt(version.replace(/^\d+:/, ''), 10);
    if (Number.isFinite(major) && (best === null || major > best.major)) best = { version, major };
  }
  return best;
}

function requiredNodeMajor(): number {
  const engines = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node ?? '>=20';
  return Number.parseInt(/(\d+)/.exec(engines)?.[1] ?? '20', 10);
}

/**
 * Production dependencies as `npm ci --omit=dev` installs them: package-lock.json's entries not
 * marked `dev` (devOptional stays, as npm keeps it unless optional ones are omitted too), that are
 * installed here (optional platform packages of other systems are not). Read from the lockfile
 * rather than `npm ls`, which cannot tell dev from production when node_modules is a link.
 */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { dev?: boolean; link?: boolean }> };
  const dirs = Object.entries(lock.packages ?? {})
    .filter(([key, entry]) => key.startsWith('node_modules/') && entry.dev !== true && entry.link !== true)
    .map(([key]) => key.slice('node_modules/'.length))
    .filter((dir) => existsSync(join(REPO, 'node_modules', dir, 'package.json')));
  if (!dirs.includes('onnxruntime-node')) throw new Setup('onnxruntime-node is not installed in node_modules (npm ci first)');
  return dirs;
}

/** Copies the production dependencies into `/app/node_modules`, keeping only onnxruntime-node's linux/x64 binaries (as the Dockerfile prunes them). */
function copyProductionPackages(target: string): number {
  const modules = realpathSync(join(REPO, 'node_modules'));
  const napi = join(modules, 'onnxruntime-node', 'bin', 'napi-v6');
  let count = 0;
  for (const dir of productionPackages()) {
    const source = join(modules, dir);
    cpSync(source, join(target, dir), {
      recursive: true,
      dereference: false,
      // Nested node_modules hold their own entries (copied when listed); other platforms' binaries are dropped.
      filter: (path) => path !== join(source, 'node_modules') && !(path.startsWith(`${napi}/`) && !(path === join(napi, 'linux') || path.startsWith(join(napi, 'linux', 'x64')))),
    });
    count += 1;
  }
  return count;
}

function chroot(rootfs: string, args: readonly string[]): string {
  return run('chroot', [rootfs, ...args], { env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C' } });
}

/** The CLI bundle to install: a fresh `scripts/bundle.mjs --out` (default) or the checkout's dist/. */
async function bundle(options: Options): Promise<string> {
  if (options.useDist) {
    for (const entry of ['cli', 'action', 'post']) if (!existsSync(join(REPO, 'dist', entry, 'index.js'))) throw new Setup(`dist/${entry}/index.js is missing: run npm run bundle, or leave out --use-dist`);
    return join(REPO, 'dist');
  }
  // The Action's checkout as the runner lays it out (dist/ beside action.yml), so the bundled entries find their root.
  const root = join(options.work, 'action');
  const out = join(root, 'dist');
  if (options.reuseBundle && existsSync(join(out, 'cli', 'index.js'))) {
    timings.push({ stage: 'bundle (scripts/bundle.mjs --out)', seconds: 0, note: `reused ${out} (--reuse-bundle)` });
    return out;
  }
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'runtime-images'), { recursive: true });
  for (const file of ['action.yml', 'package.json', 'package-lock.json', 'runtime-images/images.json']) cpSync(join(REPO, file), join(root, file));
  await stage('bundle (scripts/bundle.mjs --out)', () => run(process.execPath, [join(REPO, 'scripts', 'bundle.mjs'), '--out', out]));
  return out;
}

/**
 * The CPU runtime image, built the way runtime-images/cpu/Dockerfile lays it out but without a
 * registry or a Dockerfile: debootstrap (cached in WORK/base), Node, /app with the CLI bundle and
 * the production dependencies, the invarlock user, then `podman import` of the rootfs tarball with
 * the Dockerfile's ENV/USER/WORKDIR/ENTRYPOINT. Returns the image id.
 */
async function buildImage(options: Options, dist: string): Promise<{ id: string; node: string }> {
  const { mirror, suite } = aptMirror();
  const need = requiredNodeMajor();
  const fromDebian = debianNode(mirror);
  const useDebianNode = fromDebian !== null && fromDebian.major >= need;
  const nodeNote = useDebianNode
    ? `Debian's nodejs ${fromDebian.version}`
    : `the host's node ${process.version} (${realpathSync(process.execPath)}), copied in: the mirror's nodejs is ${fromDebian?.version ?? 'absent'}, engines needs >=${need}`;
  process.stdout.write(`   mirror ${mirror} ${suite}; node: ${nodeNote}\n`);

  const base = join(options.work, 'base');
  const baseRootfs = join(base, 'rootfs');
  const done = join(base, `done-${suite}${useDebianNode ? '-nodejs' : ''}`);
  if (options.fresh || !existsSync(done)) {
    rmSync(base, { recursive: true, force: true });
    mkdirSync(base, { recursive: true });
    await stage('debootstrap --variant=minbase', () => run('debootstrap', ['--variant=minbase', ...(useDebianNode ? ['--include=nodejs'] : []), suite, baseRootfs, mirror]), `${suite} from ${mirror}`);
    writeFileSync(done, new Date().toISOString());
  } else {
    timings.push({ stage: 'debootstrap --variant=minbase', seconds: 0, note: `reused ${baseRootfs} (--fresh rebuilds it)` });
    process.stdout.write(`\n== debootstrap: reusing ${baseRootfs}\n`);
  }

  const rootfs = join(options.work, 'rootfs');
  const tarball = join(options.work, 'invarlock-cpu.tar');
  await stage('image rootfs (node, /app, production dependencies)', () => {
    rmSync(rootfs, { recursive: true, force: true });
    run('cp', ['-a', baseRootfs, rootfs]);
    if (!useDebianNode) {
      cpSync(realpathSync(process.execPath), join(rootfs, 'usr/local/bin/node'));
      chmodSync(join(rootfs, 'usr/local/bin/node'), 0o755);
    } else if (!existsSync(join(rootfs, 'usr/local/bin/node'))) {
      run('ln', ['-s', '/usr/bin/node', join(rootfs, 'usr/local/bin/node')]);
    }
    const app = join(rootfs, 'app');
    mkdirSync(join(app, 'dist'), { recursive: true });
    cpSync(join(dist, 'cli'), join(app, 'dist', 'cli'), { recursive: true });
    cpSync(join(REPO, 'package.json'), join(app, 'package.json'));
    cpSync(join(REPO, 'runtime-images', 'smoke'), join(app, 'smoke'), { recursive: true });
    cpSync(join(REPO, 'runtime-images', 'invarlock.sh'), join(rootfs, 'usr/local/bin/invarlock'));
    chmodSync(join(rootfs, 'usr/local/bin/invarlock'), 0o755);
    const packages = copyProductionPackages(join(app, 'node_modules'));
    process.stdout.write(`   ${packages} production packages\n`);
    // The Dockerfile's checks: every onnxruntime library resolves, the CLI starts.
    const ldd = chroot(rootfs, ['sh', '-c', 'for l in /app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/*; do ldd "$l"; done']);
    if (ldd.includes('not found')) throw new Error(`unresolved libraries in the image:\n${ldd}`);
    process.stdout.write(`   node ${chroot(rootfs, ['/usr/local/bin/node', '--version']).trim()}, invarlock ${chroot(rootfs, ['/usr/local/bin/invarlock', '--version']).trim()}\n`);
    chroot(rootfs, ['groupadd', '--system', '--gid', '10001', 'invarlock']);
    chroot(rootfs, ['useradd', '--system', '--uid', '10001', '--gid', '10001', '--home-dir', '/tmp', '--shell', '/usr/sbin/nologin', 'invarlock']);
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) for (const f of readdirSync(join(rootfs, dir))) if (f !== 'partial' && f !== 'lock') rmSync(join(rootfs, dir, f), { recursive: true, force: true });
    run('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '-cf', tarball, '.']);
    process.stdout.write(`   rootfs tarball ${(Number(run('stat', ['-c', '%s', tarball]).trim()) / 2 ** 20).toFixed(0)} MiB\n`);
  });

  const revision = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout?.trim() ?? 'unknown';
  const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  const changes = [
    'ENV NODE_ENV=production',
    'ENV HOME=/tmp',
    'ENV INVARLOCK_EXECUTION=container',
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'USER 10001:10001',
    'WORKDIR /tmp',
    'ENTRYPOINT ["invarlock"]',
    'CMD ["--help"]',
    'LABEL org.opencontainers.image.title=invarlock-cpu',
    `LABEL org.opencontainers.image.version=${version}`,
    `LABEL org.opencontainers.image.revision=${revision}`,
    `LABEL org.opencontainers.image.base.name=debian-${suite}-debootstrap`,
  ];
  const id = await stage('podman import', () => podman(options.work, ['import', ...changes.flatMap((c) => ['--change', c]), tarball, IMAGE_LOCAL]).trim().split('\n').at(-1) ?? '');
  await stage('image smoke (onnxruntime session, --network none)', () => {
    const smoke = podman(options.work, ['run', '--rm', '--network', 'none', '--workdir', '/app', '--entrypoint', '/usr/local/bin/node', IMAGE_LOCAL, 'smoke/session-smoke.mjs']);
    process.stdout.write(`   ${smoke.trim().split('\n').join('\n   ')}\n`);
  });
  return { id, node: nodeNote };
}

/** Pushes the image to a registry on loopback and removes it locally; returns the digest-pinned reference. */
async function pushToRegistry(options: Options, port: number): Promise<{ ref: string; registry: ChildProcess }> {
  const dir = join(options.work, 'registry');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.yml'), ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`, ''].join('\n'));
  const registry = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Never outlives this script, whatever stage fails.
  process.once('exit', () => registry.kill('SIGTERM'));
  let registryLog = '';
  registry.stderr?.setEncoding('utf8').on('data', (c: string) => (registryLog += c));
  for (let i = 0; i < 100; i += 1) {
    const up = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false);
    if (up) break;
    if (registry.exitCode !== null || i === 99) throw new Setup(`docker-registry did not start: ${registryLog.trim()}`);
    await sleep(100);
  }
  const remote = `127.0.0.1:${port}/invarlock-cpu`;
  const digest = await stage('registry push (loopback)', () => {
    const file = join(dir, 'digest');
    podman(options.work, ['push', '--quiet', '--digestfile', file, IMAGE_LOCAL, `${remote}:e2e`]);
    return readFileSync(file, 'utf8').trim();
  });
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`podman push wrote no digest: '${digest}'`);
  // Removed locally, so the Action's preflight has to pull the image by its digest.
  podman(options.work, ['rmi', '--force', IMAGE_LOCAL]);
  return { ref: `${remote}@${digest}`, registry };
}

/** Without a registry: the imported image's own manifest digest, as podman lists it. */
function localPinnedRef(work: string): string {
  const digests = JSON.parse(podman(work, ['image', 'inspect', '--format', '{{json .RepoDigests}}', IMAGE_LOCAL])) as string[];
  const ref = digests.find((d) => d.startsWith('localhost/invarlock-cpu@sha256:'));
  if (ref === undefined) throw new Error(`podman lists no digest for ${IMAGE_LOCAL}: ${digests.join(', ')}`);
  return ref;
}

// --- the Action runs ---------------------------------------------------------------------------

/** The workspace of the runs: the tiny GPT-2 fixture and its int8 QDQ export, a WikiText-2 excerpt, a config. */
function makeWorkspace(work: string): string {
  const ws = join(work, 'ws');
  rmSync(ws, { recursive: true, force: true });
  for (const [from, to] of [['gpt2-tiny', 'gpt2'], ['gpt2-tiny-int8-qdq', 'gpt2-int8']] as const) cpSync(join(REPO, 'tests/fixtures/models', from), join(ws, 'models', to), { recursive: true });
  mkdirSync(join(ws, 'data'), { recursive: true });
  cpSync(join(REPO, 'tests/fixtures/data/wikitext-2/valid-200k.txt'), join(ws, 'data', 'eval.txt'));
  writeFileSync(join(ws, 'invarlock.yaml'), ['baseline: models/gpt2', 'subjects:', '  - model: models/gpt2-int8', 'profile: dev', 'device: cpu', 'batch_size: 8', 'dataset:', '  provider: text:data/eval.txt', '  seq_len: 64', ''].join('\n'));
  return ws;
}

interface Scenario {
  readonly name: string;
  readonly runId: string;
  readonly windows: number;
  /** What to do once the certify container runs and the evaluation has started. */
  readonly midRun: (ctx: { child: ChildProcess; container: string }) => Promise<void>;
}

interface ScenarioRun {
  readonly main: ActionProcessResult;
  readonly container: string | null;
  readonly mainSeconds: number;
  readonly stdout: string;
}

function containerState(work: string, name: string): string | null {
  const found = podmanTry(work, ['container', 'inspect', '--format', '{{.State.Status}}', name]);
  return found.ok ? found.stdout.trim() : null;
}

async function waitFor(predicate: () => boolean, timeoutMs: number, stepMs = 200): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (predicate()) return true;
    await sleep(stepMs);
  }
  return predicate();
}

async function runMain(options: Options, ctx: { gh: FakeGitHub; ws: string; bin: string; entries: { main: string; post: string }; image: string }, scenario: Scenario): Promise<ScenarioRun & { runnerDir: string; env: Record<string, string> }> {
  const runnerDir = join(options.work, `runner-${scenario.runId}`);
  rmSync(runnerDir, { recursive: true, force: true });
  const env: Record<string, string> = { PATH: `${ctx.bin}:${process.env['PATH'] ?? ''}`, GITHUB_API_URL: ctx.gh.baseUrl, GITHUB_RUN_ID: scenario.runId, E2E_PASSED: 'passed-by-name', ...SECRETS };
  let stdout = '';
  let container: string | null = null;
  let midRun: Promise<void> | null = null;
  const start = performance.now();
  const main = await runActionProcess({
    entry: 'main',
    entryFile: ctx.entries.main,
    inputs: {
      'github-token': INPUT_TOKEN,
      config: 'invarlock.yaml',
      'execution-mode': 'container',
      'runtime-image': ctx.image,
      gpus: 'none',
      'docker-args': '-e E2E_PASSED',
      'preview-n': String(scenario.windows),
      'final-n': String(scenario.windows),
      cache: 'false',
      comment: 'always',
      'output-dir': `invarlock-out-${scenario.runId}`,
      'timeout-minutes': '20',
      'action-fail': 'true',
      'fail-on': 'fail',
      'fork-policy': 'skip',
      'job-summary': 'true',
      'allow-network': 'false',
      'allow-unpinned-image': 'false',
      'check-name': 'InvarLock / certify',
      'shm-size': '256m',
      'upload-artifact': 'false',
    },
    event: { name: 'pull_request', payload: { pull_request: { number: 42, head: { sha: HEAD, repo: { full_name: 'o/r', fork: false } }, base: { repo: { full_name: 'o/r' } } } } },
    runnerDir,
    workspace: ctx.ws,
    env,
    timeoutMs: 20 * 60_000,
    onSpawn: (child) => {
      let pending = '';
      child.stdout?.on('data', (c: Buffer | string) => {
        const text = c.toString();
        stdout += text;
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) process.stdout.write(`   [${scenario.name}] ${line}\n`);
      });
      // Mid-run: once the certify container runs and the evaluation has printed window progress.
      midRun = (async () => {
        const found = await waitFor(() => {
          const names = podmanTry(options.work, ['ps', '--filter', 'label=dev.invarlock.phase=certify', '--filter', `label=dev.invarlock.run=${scenario.runId}-1`, '--format', '{{.Names}}']).stdout.trim();
          if (names !== '') container = names.split('\n')[0] ?? null;
          return container !== null && /windows \(\d+ %\)/.test(stdout);
        }, 15 * 60_000, 250);
        if (found && container !== null) await scenario.midRun({ child, container });
      })();
    },
  });
  await midRun;
  return { main, container, mainSeconds: Math.round((performance.now() - start) / 100) / 10, stdout, runnerDir, env };
}

async function runPost(ctx: { gh: FakeGitHub; ws: string; bin: string; entries: { main: string; post: string } }, previous: { runnerDir: string; env: Record<string, string>; main: ActionProcessResult }): Promise<ActionProcessResult> {
  return runActionProcess({
    entry: 'post',
    entryFile: ctx.entries.post,
    inputs: { 'github-token': INPUT_TOKEN },
    event: { name: 'pull_request', payload: {} },
    runnerDir: previous.runnerDir,
    workspace: ctx.ws,
    env: previous.env,
    state: previous.main.state,
    timeoutMs: 5 * 60_000,
  });
}

function inspectContainer(work: string, name: string): Record<string, unknown> | null {
  const found = podmanTry(work, ['container', 'inspect', name]);
  if (!found.ok) return null;
  const parsed = JSON.parse(found.stdout) as unknown;
  return Array.isArray(parsed) && typeof parsed[0] === 'object' && parsed[0] !== null ? (parsed[0] as Record<string, unknown>) : null;
}

function field(record: unknown, ...path: string[]): unknown {
  let value: unknown = record;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function checkRuns(gh: FakeGitHub): { method: string; path: string; body: Record<string, unknown> }[] {
  return gh.requests.filter((r) => r.path.includes('/check-runs')).map((r) => ({ method: r.method, path: r.path, body: (r.body ?? {}) as Record<string, unknown> }));
}

/** Every check of the full run: the container as it runs, then what the Action left. */
function checkFullRun(work: string, ws: string, image: string, inspected: Record<string, unknown> | null, inside: { interfaces: string; status: string }, result: ScenarioRun, gh: FakeGitHub, post: ActionProcessResult): void {
  const { main } = result;
  check('full run: the certify container was seen running', inspected !== null, result.container ?? 'never appeared');
  if (inspected !== null) {
    check('full run: --network none', field(inspected, 'HostConfig', 'NetworkMode') === 'none', String(field(inspected, 'HostConfig', 'NetworkMode')));
    const ifaces = inside.interfaces.split('\n').map((l) => /^\s*([^:\s]+):/.exec(l)?.[1]).filter((n): n is string => n !== undefined);
    check('full run: no network interface but lo inside', ifaces.length > 0 && ifaces.every((n) => n === 'lo'), ifaces.join(', '));
    const image_ = String(field(inspected, 'ImageName'));
    check('full run: the container runs the digest-pinned image', image_ === image, image_);
    // The kernel's view of the container's init: no effective or bounding capability, no_new_privs set.
    const capEff = /^CapEff:\s*(\S+)/m.exec(inside.status)?.[1];
    const capBnd = /^CapBnd:\s*(\S+)/m.exec(inside.status)?.[1];
    const noNewPrivs = /^NoNewPrivs:\s*(\S+)/m.exec(inside.status)?.[1];
    check(
      'full run: read-only root, all capabilities dropped, no new privileges',
      field(inspected, 'HostConfig', 'ReadonlyRootfs') === true && /^0+$/.test(capEff ?? '') && /^0+$/.test(capBnd ?? '') && noNewPrivs === '1',
      `ReadonlyRootfs ${String(field(inspected, 'HostConfig', 'ReadonlyRootfs'))}, CapEff ${capEff}, CapBnd ${capBnd}, NoNewPrivs ${noNewPrivs}`,
    );
    const mounts = ((field(inspected, 'Mounts') as { Type?: string; Source?: string; Destination?: string; RW?: boolean }[] | undefined) ?? []).filter((m) => m.Type === 'bind').map((m) => `${m.Destination} ${m.RW === true ? 'rw' : 'ro'}`).sort();
    const expected = [`${ws} ro`, '/io/out rw', '/io/plan.json ro'].sort();
    check('full run: mounts are the workspace (ro), the plan (ro) and the output directory (rw), nothing else', JSON.stringify(mounts) === JSON.stringify(expected), mounts.join('; '));
    const envList = (field(inspected, 'Config', 'Env') as string[] | undefined) ?? [];
    const names = envList.map((e) => e.slice(0, e.indexOf('=')));
    const unexpected = names.filter((n) => !ALLOWED_ENV.has(n));
    check('full run: container environment is the allow-list', unexpected.length === 0 && names.includes('INVARLOCK_EXECUTION'), `names ${names.sort().join(' ')}${unexpected.length > 0 ? `; unexpected ${unexpected.join(' ')}` : ''}`);
    const leaked = [...Object.values(SECRETS), INPUT_TOKEN].filter((s) => JSON.stringify(inspected).includes(s));
    check('full run: no secret of the runner environment in the container', leaked.length === 0, leaked.length === 0 ? 'GITHUB_TOKEN, ACTIONS_RUNTIME_TOKEN, HF_TOKEN, E2E_SECRET, the token input: absent' : `leaked ${leaked.join(', ')}`);
    check('full run: docker-args -e NAME passes exactly that variable by name', envList.includes('E2E_PASSED=passed-by-name'));
  }
  const calls = dockerCalls(work);
  const runCall = calls.find((c) => c.argv[0] === 'run' && c.argv.includes(`dev.invarlock.run=${'77'}-1`));
  check('full run: docker run argv has --network none and --user, no secret', runCall !== undefined && runCall.argv.join(' ').includes('--network none') && runCall.argv.includes('--user') && ![...Object.values(SECRETS), INPUT_TOKEN].some((s) => runCall.argv.join(' ').includes(s)), runCall?.argv.join(' ') ?? 'no docker run call');
  const clientEnv = [...new Set(calls.flatMap((c) => c.env))].filter((n) => !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(n)).sort();
  check('full run: the docker client itself got only PATH, HOME and names passed on purpose', clientEnv.every((n) => ['PATH', 'HOME', 'E2E_PASSED'].includes(n)), clientEnv.join(' '));
  check('full run: preflight pulled or found the image by digest', calls.some((c) => c.argv[0] === 'image' && c.argv.at(-1) === image), calls.filter((c) => c.argv[0] === 'pull' || c.argv[0] === 'image').map((c) => c.argv.join(' ')).join('; '));
  check('full run: the Action exited 0 with a pass or warn verdict', main.exitCode === 0 && /^(pass|warn)$/.test(main.outputs['verdict'] ?? ''), `exit ${main.exitCode}, verdict ${main.outputs['verdict']}`);
  const digest = image.slice(image.indexOf('@') + 1);
  check('full run: outputs set (image-digest, certificate, report, check run, comment)', main.outputs['image-digest'] === digest && existsSync(main.outputs['certificate-path'] ?? '') && existsSync(main.outputs['report-path'] ?? '') && (main.outputs['check-run-id'] ?? '') !== '' && (main.outputs['comment-url'] ?? '') !== '', JSON.stringify({ verdict: main.outputs['verdict'], ratio: main.outputs['ratio'], 'image-digest': main.outputs['image-digest'] }));
  const certPath = main.outputs['certificate-path'] ?? '';
  const cert = existsSync(certPath) ? (JSON.parse(readFileSync(certPath, 'utf8')) as unknown) : null;
  check('full run: the certificate records the container run and the image digest', JSON.stringify(cert).includes(digest) && JSON.stringify(cert).includes('"container"'));
  const runs = checkRuns(gh).filter((r) => r.body['head_sha'] === HEAD || r.method === 'PATCH');
  check('full run: the check run completed', runs.at(-1)?.body['status'] === 'completed', String(runs.at(-1)?.body['conclusion']));
  check('full run: the container is gone afterwards (--rm)', result.container !== null && containerState(work, result.container) === null);
  check('full run: post exits 0 and finds nothing to remove', post.exitCode === 0 && !post.stdout.includes('leftover container'), post.stdout.trim().split('\n').at(-1) ?? '');
}

async function scenarios(options: Options, ctx: { gh: FakeGitHub; ws: string; bin: string; entries: { main: string; post: string }; image: string }): Promise<void> {
  const { work } = options;
  // 1. A full run, inspected while it runs.
  let inspected: Record<string, unknown> | null = null;
  let interfaces = '';
  let status = '';
  const full = await stage('Action run: full (container mode)', () =>
    runMain(options, ctx, {
      name: 'full',
      runId: '77',
      windows: 32,
      midRun: async ({ container }) => {
        inspected = inspectContainer(work, container);
        interfaces = podmanTry(work, ['exec', container, 'cat', '/proc/net/dev']).stdout;
        status = podmanTry(work, ['exec', container, 'cat', '/proc/1/status']).stdout;
      },
    }),
  );
  const calls = dockerCalls(work);
  const pull = calls.findIndex((c) => c.argv[0] === 'pull');
  const afterPull = calls[pull + 1];
  if (pull >= 0 && afterPull !== undefined) timings.push({ stage: 'image pull by digest from the loopback registry (preflight)', seconds: Math.round((afterPull.at - (calls[pull]?.at ?? 0)) * 10) / 10 });
  const certifyLine = /invarlock certify \(container\): ([\d.]+ s)/.exec(full.stdout)?.[1];
  if (certifyLine !== undefined) timings.push({ stage: 'certify in the container (the Action log)', seconds: Number.parseFloat(certifyLine) });
  const fullPost = await stage('Action post: full', () => runPost(ctx, full));
  checkFullRun(work, ctx.ws, ctx.image, inspected, { interfaces, status }, full, ctx.gh, fullPost);

  // 2. Cancel: SIGTERM mid-evaluation, as the runner does on a cancelled job.
  let stopSeconds = Number.NaN;
  const cancel = await stage('Action run: SIGTERM mid-run', () =>
    runMain(options, ctx, {
      name: 'cancel',
      runId: '78',
      windows: 256,
      midRun: async ({ child, container }) => {
        const sent = performance.now();
        child.kill('SIGTERM');
        await waitFor(() => containerState(work, container) === null, 60_000);
        stopSeconds = Math.round((performance.now() - sent) / 100) / 10;
      },
    }),
  );
  timings.push({ stage: 'SIGTERM → container removed', seconds: stopSeconds });
  check('cancel: the container was running when SIGTERM came', cancel.container !== null);
  check('cancel: SIGTERM stops and removes the container', cancel.container !== null && containerState(work, cancel.container) === null && Number.isFinite(stopSeconds), `${stopSeconds} s`);
  check('cancel: the Action ends with verdict error and fails the step', cancel.main.exitCode === 1 && cancel.main.outputs['verdict'] === 'error', `exit ${cancel.main.exitCode}, verdict ${cancel.main.outputs['verdict']}`);
  const cancelRuns = checkRuns(ctx.gh).filter((r) => r.method === 'PATCH' && r.path.endsWith(`/${cancel.main.state['invarlock-check-run-id'] ?? 'none'}`));
  check('cancel: the check run is completed as cancelled', cancelRuns.at(-1)?.body['conclusion'] === 'cancelled', String(cancelRuns.at(-1)?.body['conclusion']));
  const cancelPost = await runPost(ctx, cancel);
  check('cancel: post exits 0 with nothing left to remove', cancelPost.exitCode === 0 && !cancelPost.stdout.includes('leftover container'));

  // 3. Hard kill: the runner kills the step's process tree (the Action and its docker client) with
  // SIGKILL when a cancelled step outlives its grace period. The container is left behind; post removes it by label.
  let survived = false;
  const killed = await stage('Action run: SIGKILL of the process tree mid-run', () =>
    runMain(options, ctx, {
      name: 'kill',
      runId: '79',
      windows: 256,
      midRun: async ({ child, container }) => {
        if (child.pid !== undefined) for (const pid of [...descendants(child.pid), child.pid]) process.kill(pid, 'SIGKILL');
        await sleep(3000);
        survived = containerState(work, container) === 'running';
      },
    }),
  );
  check('hard kill: the container keeps running after the Action and its docker client are killed', survived);
  const killPost = await stage('Action post: after SIGKILL (removes the container)', () => runPost(ctx, killed));
  check('hard kill: post removes the leftover container by label', killed.container !== null && containerState(work, killed.container) === null && /removed 1 leftover container/.test(killPost.stdout), killPost.stdout.split('\n').filter((l) => l.includes('container') || l.includes('check run')).join(' | '));
  const killRuns = checkRuns(ctx.gh).filter((r) => r.method === 'PATCH' && r.path.endsWith(`/${killed.main.state['invarlock-check-run-id'] ?? 'none'}`));
  check('hard kill: post closes the unfinished check run as cancelled', killRuns.at(-1)?.body['conclusion'] === 'cancelled', String(killRuns.at(-1)?.body['conclusion']));
}

// --- main --------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Setup(`needs Linux x64 (this is ${process.platform}/${process.arch})`);
  if (process.getuid?.() !== 0) throw new Setup('needs root (debootstrap, chroot and rootful podman)');
  const missing = ['podman', 'runc', 'debootstrap', 'chroot', ...(options.registry ? ['docker-registry'] : [])].filter((c) => !has(c));
  if (missing.length > 0) throw new Setup(`missing ${missing.join(', ')}: apt-get install podman debootstrap runc${options.registry ? ' docker-registry' : ''}`);
  mkdirSync(options.work, { recursive: true });
  rmSync(join(options.work, 'docker-calls.log'), { force: true });
  const registryPort = options.registry ? await freePort() : null;
  writePodmanConfig(options.work, registryPort);
  const bin = writeDockerShim(options.work);
  process.stdout.write(`work directory ${options.work}; podman ${run('podman', ['--version']).trim()}, runc ${run('runc', ['--version']).split('\n')[0]}\n`);

  const dist = await bundle(options);
  const built = await buildImage(options, dist);
  let registry: ChildProcess | null = null;
  let image: string;
  if (registryPort !== null) {
    const pushed = await pushToRegistry(options, registryPort);
    registry = pushed.registry;
    image = pushed.ref;
  } else {
    image = localPinnedRef(options.work);
  }
  process.stdout.write(`\nimage ${image} (id ${built.id.slice(0, 12)})\n`);

  const gh = await new FakeGitHub().start();
  gh.pulls.set(42, { headSha: HEAD, state: 'open', locked: false });
  const ws = makeWorkspace(options.work);
  const entries = { main: join(dist, 'action', 'index.js'), post: join(dist, 'post', 'index.js') };
  try {
    await scenarios(options, { gh, ws, bin, entries, image });
  } finally {
    await gh.stop();
    if (!options.keep) {
      spawnSync('podman', ['--runtime', 'runc', 'rm', '--all', '--force'], { env: podmanEnv(options.work), stdio: 'ignore' });
      spawnSync('podman', ['--runtime', 'runc', 'rmi', '--all', '--force'], { env: podmanEnv(options.work), stdio: 'ignore' });
      // The debootstrap cache (WORK/base) and the bundle stay for the next run.
      for (const dir of ['rootfs', 'invarlock-cpu.tar', 'registry', 'ws']) rmSync(join(options.work, dir), { recursive: true, force: true });
    }
    registry?.kill('SIGTERM');
  }

  const failed = checks.filter((c) => !c.ok);
  const results = { date: new Date().toISOString(), machine: { cpus: (await import('node:os')).cpus().length, kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim() }, node: built.node, image, timings, checks };
  writeFileSync(join(options.work, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n== timings\n${timings.map((t) => `   ${t.stage.padEnd(56)} ${String(t.seconds).padStart(7)} s${t.note === undefined ? '' : `  (${t.note})`}`).join('\n')}\n`);
  process.stdout.write(`\n${checks.length - failed.length}/${checks.length} checks passed${failed.length > 0 ? `; failed: ${failed.map((c) => c.name).join('; ')}` : ''}\nresults: ${join(options.work, 'results.json')}\n`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`e2e:container: ${message}\n`);
    process.exit(error instanceof Setup ? 2 : 1);
  },
);
