import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvarlockError, readUntrustedFile, wrapError } from '../../errors/index.js';
import type { CertificateFiles } from './outcome.js';
import type { CertificatePolicy, CertificateReader, VerifiedCertificate } from '../types.js';

/** File names a certify run writes into its output directory. */
export const OUTPUT_FILES = Object.freeze({
  certificate: 'evaluation.cert.json',
  markdown: 'report.md',
  html: 'report.html',
  partial: 'shard.partial.json',
});

/** Options of {@link readCertificateFile}. */
export type ReadCertificateOptions = {
  readonly reader: CertificateReader;
  readonly maxBytes: number;
} & (
  | { readonly trust: 'own-run' }
  /**
   * Made elsewhere (publisher-only mode): symlinks refused, named paths checked, and the recorded
   * policy must be the `policy` this repository configures.
   */
  | { readonly trust: 'untrusted'; readonly policy: Extract<CertificatePolicy, { kind: 'configured' }> }
);

/** A read and verified certificate, with the files around it. */
export interface CertificateIntake {
  readonly certificate: VerifiedCertificate;
  readonly files: CertificateFiles;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** True when a path-like string has a `..` segment or control characters. */
export function isTraversalPath(path: string): boolean {
  return CONTROL.test(path) || path.split(/[\\/]+/).some((segment) => segment === '..');
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The paths an untrusted certificate names (model and adapter references, the dataset provider's
 * file) that are traversal attempts. Publishers show these strings; they must not walk out of
 * where the producer said they were.
 */
export function traversalPathsIn(value: unknown): string[] {
  const found: string[] = [];
  const check = (where: string, text: unknown): void => {
    if (typeof text === 'string' && !text.startsWith('hf:') && isTraversalPath(text)) found.push(`${where}: ${JSON.stringify(text)}`);
  };
  const models = isRecord(value) ? value['models'] : undefined;
  for (const side of ['baseline', 'subject'] as const) {
    const model = isRecord(models) ? models[side] : undefined;
    if (!isRecord(model)) continue;
    check(`models.${side}.reference`, model['reference']);
    const adapters = model['lora_adapters'];
    if (Array.isArray(adapters)) adapters.forEach((a: unknown, i) => check(`models.${side}.lora_adapters[${i}].reference`, isRecord(a) ? a['reference'] : undefined));
  }
  const dataset = isRecord(value) ? value['dataset'] : undefined;
  const provider = isRecord(dataset) ? dataset['provider'] : undefined;
  if (typeof provider === 'string') {
    const match = /^(?:text|jsonl):([^#]*)/.exec(provider);
    if (match?.[1] !== undefined) check('dataset.provider', match[1]);
  }
  return found;
}

async function regularFile(path: string): Promise<{ readonly size: number } | null> {
  const info = await lstat(path).catch(() => null);
  return info !== null && info.isFile() ? { size: info.size } : null;
}

/**
 * Reads a certificate file and verifies it (size limit, schema, digests, policy, statistics,
 * gates, via `reader`) before anything is published from it; an untrusted one must have been
 * decided with the configured policy. Untrusted files must be regular files (no
 * symlink), and may not name paths with `..` segments or control characters (`E_CERT_PATH`).
 * `report.md` / `report.html` beside it are reported when they are regular files.
 * Throws `E_FILE_NOT_FOUND`, `E_CERT_TOO_LARGE`, `E_CERT_PATH` or the reader's codes.
 */
export async function readCertificateFile(path: string, options: ReadCertificateOptions): Promise<CertificateIntake> {
  const info = await lstat(path).catch((error: unknown) => {
    throw wrapError(error, 'E_FILE_NOT_FOUND', `no certificate at ${path}`, { details: { file: path } });
  });
  if (info.isSymbolicLink() && options.trust === 'untrusted') {
    throw new InvarlockError('E_CERT_PATH', `${path} is a symbolic link; an untrusted certificate must be a regular file`, { details: { file: path } });
  }
  if (info.size > options.maxBytes) {
    throw new InvarlockError('E_CERT_TOO_LARGE', `${path} is ${info.size} bytes, over the ${options.maxBytes}-byte limit`, {
      details: { file: path, expected: `<= ${options.maxBytes} bytes`, actual: `${info.size} bytes` },
    });
  }
  // Regular files only (a FIFO blocked here until the job was killed: #13).
  const bytes = await readUntrustedFile(path, { what: 'certificate', maxBytes: options.maxBytes, tooLargeCode: 'E_CERT_TOO_LARGE' });
  const policy: CertificatePolicy = options.trust === 'untrusted' ? options.policy : { kind: 'own-run' };
  const certificate = options.reader(bytes, { source: basename(path), maxBytes: options.maxBytes, policy });
  if (options.trust === 'untrusted') {
    // The reader accepted the JSON, so this parse cannot fail.
    const found = traversalPathsIn(JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')));
    if (found.length > 0) {
      throw new InvarlockError('E_CERT_PATH', `${basename(path)} names ${found.length} path(s) with '..' or control characters`, {
        details: { file: path, problems: found.slice(0, 20) },
      });
    }
  }
  const dir = dirname(path);
  const markdown = join(dir, OUTPUT_FILES.markdown);
  const html = join(dir, OUTPUT_FILES.html);
  return {
    certificate,
    files: {
      certificatePath: path,
      certificateSha256: createHash('sha256').update(bytes).digest('hex'),
      reportPath: (await regularFile(markdown)) === null ? null : markdown,
      htmlPath: (await regularFile(html)) === null ? null : html,
    },
  };
}
