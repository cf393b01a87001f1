import { isCommitHash } from './hub-cache.js';
import type { ModelReference, ReferenceDescription, ResolvedModel } from './types.js';

/**
 * The flat, JSON-safe record of a model reference for certificates and logs. Given a parsed but
 * unresolved reference, what only resolution knows (commit of a branch, path, source) is `null`.
 */
export function describeReference(reference: ModelReference | ResolvedModel): ReferenceDescription {
  if ('onnxFiles' in reference) {
    const r = reference.reference;
    return r.kind === 'local'
      ? { kind: 'local', input: r.input, repo: null, revision: null, commit: null, file: null, path: r.path, source: 'local' }
      : { kind: 'hf', input: r.input, repo: r.repo, revision: r.revision, commit: r.commit, file: r.file ?? null, path: r.path, source: r.source };
  }
  return reference.kind === 'local'
    ? { kind: 'local', input: reference.input, repo: null, revision: null, commit: null, file: null, path: null, source: null }
    : {
        kind: 'hf',
        input: reference.input,
        repo: reference.repo,
        revision: reference.revision,
        commit: isCommitHash(reference.revision) ? reference.revision : null,
        file: reference.file ?? null,
        path: null,
        source: null,
      };
}
