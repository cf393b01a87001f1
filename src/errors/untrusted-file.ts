/**
 * The one way invarlock opens a file it did not write (configs, tokenizers, certificates, external
 * data, adapters, event payloads): regular files only, never a FIFO, device or directory (a FIFO
 * blocks `open` forever; /dev/zero never ends), size checked before any byte is read, and, where the
 * file must stay inside a directory, its real path (every symlink resolved) checked to lie there.
 * Each refusal is an {@link InvarlockError} with a code whose exit status says "your input" (2);
 * only genuine I/O failures are `E_FILE_READ` (3). Issue #13 items 4, 7 and 8.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { ErrorCode } from './codes.js';
import { InvarlockError, wrapError } from './invarlock-error.js';

/** Options of every reader in this module. */
export interface UntrustedFileOptions {
  /** What the file is, for messages (`tokenizer.json`, `config file`, `external data file`). */
  readonly what: string;
  /** Largest size accepted, in bytes; a larger file is `E_FILE_TOO_LARGE` before anything is read. */
  readonly maxBytes: number;
  /** A directory the file's real path must lie inside (symlinks resolved): else `E_PATH_ESCAPE`. */
  readonly within?: string;
  /** Code for a file that does not exist. @default 'E_FILE_NOT_FOUND' */
  readonly missingCode?: ErrorCode;
  /** Code for a file over `maxBytes`. @default 'E_FILE_TOO_LARGE' */
  readonly tooLargeCode?: ErrorCode;
}

/** An open regular file: its descriptor, size at open time and real path. */
export interface OpenedFile {
  readonly fd: number;
  readonly sizeBytes: number;
  readonly realPath: string;
}

/** `O_NONBLOCK` makes `open` return at once on a FIFO that slipped past the type check. */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function kindOf(stats: fs.Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** True when `child` is `root` or lies under it (both absolute, already real). */
export function isPathInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function checkPathText(file: string, options: UntrustedFileOptions): void {
  if (file.includes('\0')) {
    throw new InvarlockError('E_PATH_INVALID', `${options.what} path contains a NUL byte`, { details: { file: JSON.stringify(file), field: options.what } });
  }
}

function mapError(error: unknown, file: string, options: UntrustedFileOptions): InvarlockError {
  if (error instanceof InvarlockError) return error;
  const errno = errnoOf(error);
  const details = { file };
  if (errno === 'ENOENT' || errno === 'ENOTDIR') {
    return new InvarlockError(options.missingCode ?? 'E_FILE_NOT_FOUND', `${options.what} ${file} does not exist`, { details, cause: error });
  }
  if (errno === 'ENAMETOOLONG' || errno === 'ELOOP' || errno === 'ERR_INVALID_ARG_VALUE' || errno === 'ERR_INVALID_ARG_TYPE') {
    const why = errno === 'ENAMETOOLONG' ? 'is too long' : errno === 'ELOOP' ? 'has too many levels of symbolic links' : 'is not a valid path';
    return new InvarlockError('E_PATH_INVALID', `${options.what} path ${why}`, { details: { file: file.slice(0, 256) }, cause: error });
  }
  if (errno === 'EISDIR') return new InvarlockError('E_FILE_TYPE', `${options.what} ${file} is a directory, not a file`, { details, cause: error });
  return wrapError(error, 'E_FILE_READ', `cannot read ${options.what} ${file}`, { details });
}

function checkStats(stats: fs.Stats, file: string, options: UntrustedFileOptions): void {
  if (!stats.isFile()) {
    throw new InvarlockError('E_FILE_TYPE', `${options.what} ${file} is ${kindOf(stats)}, not a regular file`, {
      details: { file, expected: 'a regular file', actual: kindOf(stats) },
      hint: 'Give the path of a regular file (pipes, devices and directories are refused).',
    });
  }
  if (stats.size > options.maxBytes) {
    throw new InvarlockError(options.tooLargeCode ?? 'E_FILE_TOO_LARGE', `${options.what} ${file} has ${stats.size} bytes, more than the ${options.maxBytes} accepted`, {
      details: { file, expected: `at most ${options.maxBytes} bytes`, actual: String(stats.size) },
    });
  }
}

function checkInside(realPath: string, realRoot: string, file: string, options: UntrustedFileOptions): void {
  if (!isPathInside(realRoot, realPath)) {
    throw new InvarlockError('E_PATH_ESCAPE', `${options.what} ${file} resolves to ${realPath}, outside ${realRoot}`, {
      details: { file, expected: `a file inside ${realRoot}`, actual: realPath },
      hint: 'Symbolic links may not lead out of the directory; copy the file in instead.',
    });
  }
}

/**
 * Opens an untrusted file for reading after checking its type, size and (with `within`) real
 * location; the caller closes `fd`. Throws `options.missingCode` (default `E_FILE_NOT_FOUND`),
 * `E_PATH_INVALID` (NUL byte, too long, symlink loop), `E_FILE_TYPE`, `E_FILE_TOO_LARGE`,
 * `E_PATH_ESCAPE` (exit 2) or `E_FILE_READ` (exit 3).
 */
export function openUntrustedFileSync(file: string, options: UntrustedFileOptions): OpenedFile {
  checkPathText(file, options);
  let fd: number | undefined;
  try {
    checkStats(fs.statSync(file), file, options);
    const realPath = fs.realpathSync(file);
    if (options.within !== undefined) checkInside(realPath, fs.realpathSync(options.within), file, options);
    fd = fs.openSync(realPath, OPEN_FLAGS);
    const stats = fs.fstatSync(fd);
    checkStats(stats, file, options);
    return { fd, sizeBytes: stats.size, realPath };
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    throw mapError(error, file, options);
  }
}

/** Reads an untrusted file whole, with the checks of {@link openUntrustedFileSync}. */
export function readUntrustedFileSync(file: string, options: UntrustedFileOptions): Buffer {
  const opened = openUntrustedFileSync(file, options);
  try {
    const out = Buffer.allocUnsafe(opened.sizeBytes);
    let done = 0;
    while (done < out.length) {
      const read = fs.readSync(opened.fd, out, done, out.length - done, done);
      if (read === 0) break;
      done += read;
    }
    return done === out.length ? out : out.subarray(0, done);
  } catch (error) {
    throw mapError(error, file, options);
  } finally {
    fs.closeSync(opened.fd);
  }
}

/** Async {@link readUntrustedFileSync}: same checks and codes, without blocking the event loop on reads. */
export async function readUntrustedFile(file: string, options: UntrustedFileOptions): Promise<Buffer> {
  checkPathText(file, options);
  let handle: fsp.FileHandle | undefined;
  try {
    checkStats(await fsp.stat(file), file, options);
    const realPath = await fsp.realpath(file);
    if (options.within !== undefined) checkInside(realPath, await fsp.realpath(options.within), file, options);
    handle = await fsp.open(realPath, OPEN_FLAGS);
    const stats = await handle.stat();
    checkStats(stats, file, options);
    const out = Buffer.allocUnsafe(stats.size);
    let done = 0;
    while (done < out.length) {
      const { bytesRead } = await handle.read(out, done, out.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === out.length ? out : out.subarray(0, done);
  } catch (error) {
    throw mapError(error, file, options);
  } finally {
    await handle?.close();
  }
}

/** Reads an untrusted UTF-8 text file (see {@link readUntrustedFile}). */
export async function readUntrustedText(file: string, options: UntrustedFileOptions): Promise<string> {
  return (await readUntrustedFile(file, options)).toString('utf8');
}

/**
 * Like {@link readUntrustedText}, but `null` when the file does not exist (optional files such as
 * `tokenizer_config.json`). Every other refusal still throws.
 */
export async function readOptionalUntrustedText(file: string, options: UntrustedFileOptions): Promise<string | null> {
  try {
    return await readUntrustedText(file, { ...options, missingCode: 'E_FILE_NOT_FOUND' });
  } catch (error) {
    if (error instanceof InvarlockError && error.code === 'E_FILE_NOT_FOUND') return null;
    throw error;
  }
}

/**
 * The directory a model's files must stay inside: the model directory itself, or, for a snapshot of
 * a Hugging Face cache (`…/models--org--name/snapshots/<commit>/…`), the repository folder, whose
 * `blobs/` the snapshot's symlinks point into.
 */
export function modelFilesRoot(directory: string): string {
  const parts = path.resolve(directory).split(path.sep);
  for (let i = parts.length - 2; i >= 1; i--) {
    if (parts[i] === 'snapshots' && /^(models|datasets)--/.test(parts[i - 1] ?? '')) return parts.slice(0, i).join(path.sep) || path.sep;
  }
  return path.resolve(directory);
}

/** Size limits of the files read through this module, in bytes (one table, so reviews see them). */
export const UNTRUSTED_FILE_LIMITS = Object.freeze({
  /** Run configuration (YAML/JSON). */
  configBytes: 4 * 1024 * 1024,
  /** config.json, genai_config.json, tokenizer_config.json, special_tokens_map.json, adapter_config.json. */
  modelJsonBytes: 16 * 1024 * 1024,
  /** tokenizer.json (the largest real ones are ~35 MB). */
  tokenizerBytes: 256 * 1024 * 1024,
  /** A LoRA adapter's safetensors file. */
  loraBytes: 4 * 1024 * 1024 * 1024,
  /** A GitHub event payload (webhooks are capped at 25 MB). */
  eventBytes: 32 * 1024 * 1024,
  /** External data files and .onnx files (read in ranges; the limit only refuses absurd sizes). */
  modelBytes: 2 ** 50,
} as const);
