import { InvarlockError } from '../errors/index.js';
import type { ModelReference } from './types.js';

/** Branch used when an `hf:` reference names no revision. */
export const DEFAULT_REVISION = 'main';

// huggingface_hub's validate_repo_id: word characters, '-' and '.', at most 96 per part, no '--' or '..',
// no leading or trailing '-' / '.'.
const REPO_PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$/;
const REVISION = /^[A-Za-z0-9_][A-Za-z0-9_./-]{0,254}$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;
const REFERENCE_FORMS = 'a directory, an .onnx file, or hf:org/name[@revision][#path/to/model.onnx]';

function refError(input: string, message: string, details: Readonly<Record<string, unknown>>, hint?: string): InvarlockError {
  return new InvarlockError('E_MODEL_REF', `Model reference "${input}": ${message}`, {
    hint: hint ?? `Write ${REFERENCE_FORMS}.`,
    details: { actual: input, expected: REFERENCE_FORMS, ...details },
  });
}

function checkRepoPart(input: string, part: string, field: 'org' | 'name'): void {
  if (!REPO_PART.test(part) || part.includes('--') || part.includes('..')) {
    throw refError(input, `"${part}" is not a valid repository ${field}`, { field },
      'Repository names use letters, digits, "-", "_" and "." (at most 96), with no "--" or "..", and do not start or end with "-" or ".".');
  }
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20 || text.charCodeAt(i) === 0x7f) return true;
  return false;
}

/** True when `path` is a safe `/`-separated path inside a repository (no `..`, `.`, empty or absolute parts). */
export function isSafeRepoPath(path: string): boolean {
  if (path.length === 0 || path.length > 1000 || path.startsWith('/') || /[\s\\]/.test(path) || hasControlCharacter(path)) return false;
  return path.split('/').every((part) => part.length > 0 && part !== '.' && part !== '..');
}

/**
 * Parses a model reference strictly (pure: no file system access).
 *
 * - `hf:org/name`, `hf:org/name@revision`, `hf:org/name@revision#onnx/model_q4.onnx`: a Hugging Face
 *   model repository; the revision is a branch, tag or 40-hex commit (default `main`); the part after
 *   `#` picks one ONNX file in the repository.
 * - anything else without a URL scheme: a local path (directory or `.onnx` file), checked when resolved.
 *
 * @throws `E_MODEL_REF` for an empty string, a malformed `hf:` reference (details.field names the
 *   part: `repo`, `org`, `name`, `revision` or `file`), or another scheme (`https:`, `s3:`, `hf://`).
 */
export function parseModelReference(input: string): ModelReference {
  if (input.trim().length === 0) throw refError(input, 'it is empty', { field: 'reference' });
  if (input.startsWith('hf:')) return parseHubReference(input);
  const scheme = SCHEME.exec(input);
  if (scheme !== null) {
    throw refError(input, `the scheme "${scheme[1] ?? ''}:" is not supported`, { field: 'scheme' },
      `Use hf:org/name[@revision] for the Hugging Face hub, or prefix a local path containing ":" with "./".`);
  }
  return { kind: 'local', input, path: input };
}

function parseHubReference(input: string): ModelReference {
  const body = input.slice('hf:'.length);
  if (body.startsWith('//')) {
    throw refError(input, 'write hf:org/name, not hf://org/name', { field: 'repo' });
  }
  const hashAt = body.indexOf('#');
  const head = hashAt === -1 ? body : body.slice(0, hashAt);
  const file = hashAt === -1 ? undefined : body.slice(hashAt + 1);
  const atAt = head.indexOf('@');
  const repo = atAt === -1 ? head : head.slice(0, atAt);
  const revision = atAt === -1 ? DEFAULT_REVISION : head.slice(atAt + 1);

  const parts = repo.split('/');
  if (parts.length !== 2) {
    throw refError(input, `"${repo}" must be exactly org/name`, { field: 'repo' },
      'Name the owner too, e.g. hf:openai-community/gpt2 rather than hf:gpt2.');
  }
  checkRepoPart(input, parts[0] ?? '', 'org');
  checkRepoPart(input, parts[1] ?? '', 'name');

  if (!REVISION.test(revision) || revision.includes('..') || revision.includes('//') || revision.endsWith('/') || revision.endsWith('.')) {
    throw refError(input, `"${revision}" is not a valid revision`, { field: 'revision' },
      'A revision is a branch, a tag or a 40-hex commit, e.g. hf:org/name@main or hf:org/name@0123…abcd.');
  }
  if (file !== undefined && (!isSafeRepoPath(file) || !file.endsWith('.onnx'))) {
    throw refError(input, `"${file}" is not a relative path to an .onnx file in the repository`, { field: 'file' });
  }
  return { kind: 'hf', input, repo, revision, file };
}
