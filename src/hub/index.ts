/**
 * The door to the hub layer: model references (local directories, `.onnx` files, `hf:org/name@rev`),
 * their resolution to files on disk (downloads into the Hugging Face cache only when allowed), single
 * files of dataset repositories (same cache and network rules), file hashing and the Hugging Face
 * cache layout.
 */
export type { HubEvent, ModelReference, ReferenceDescription, ResolvedFile, ResolvedModel, ResolvedReference, ResolveModelOptions } from './types.js';
export { DEFAULT_REVISION, isSafeRepoPath, parseModelReference } from './parse-model-reference.js';
export { HUB_DEFAULTS, resolveModel } from './resolve-model.js';
export { describeReference } from './describe-reference.js';
export { fileSha256 } from './file-sha256.js';
export { isExternalDataOf, listOnnxFiles, rankOnnxFiles } from './onnx-candidates.js';
export { DEFAULT_HUB_URL, hubCacheDirFromEnv, hubUrlFromEnv, isCommitHash, repoFolderName, snapshotDir } from './hub-cache.js';
export type { HubDatasetFileOptions, HubDatasetFileRequest, ResolvedHubDatasetFile } from './resolve-hub-dataset-file.js';
export { resolveHubDatasetFile } from './resolve-hub-dataset-file.js';
