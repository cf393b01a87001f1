/**
 * Public types of the hub layer: model references as the user writes them, what they resolve to on
 * disk, and the record a certificate keeps about them.
 */

/**
 * A parsed model reference.
 * - `local`: a path (directory or `.onnx` file); which of the two is decided when resolving.
 * - `hf`: `hf:org/name[@revision][#path/in/repo.onnx]`; `revision` defaults to `main`, `file` is the
 *   ONNX file to use when the repository holds several (absent: the preferred one, see
 *   {@link rankOnnxFiles}).
 */
export type ModelReference =
  | { readonly kind: 'local'; readonly input: string; readonly path: string }
  | { readonly kind: 'hf'; readonly input: string; readonly repo: string; readonly revision: string; readonly file: string | undefined };

/** A file of a resolved hub snapshot. */
export interface ResolvedFile {
  /** Path relative to the snapshot root, `/`-separated, as in the repository. */
  readonly repoPath: string;
  /** Absolute path on disk (a symlink into the cache's `blobs/`). */
  readonly path: string;
  readonly sizeBytes: number;
  /**
   * sha256 (hex) of the content. Resolutions that download: hashed while streaming (and checked
   * against the LFS oid for LFS files), the LFS oid for a blob already cached, or hashed from disk
   * for a small file. Cache-only resolutions: the blob name of an LFS file (its sha256), else
   * `undefined` (small files' blobs are named by their git sha1).
   */
  readonly sha256: string | undefined;
}

/** Where a resolved model came from (discriminated by `kind`). */
export type ResolvedReference =
  | {
      readonly kind: 'local';
      /** The reference as the user wrote it. */
      readonly input: string;
      /** Absolute path of the directory or `.onnx` file. */
      readonly path: string;
    }
  | {
      readonly kind: 'hf';
      readonly input: string;
      /** `org/name`. */
      readonly repo: string;
      /** Revision as written (branch, tag or commit); `main` when omitted. */
      readonly revision: string;
      /** The 40-hex commit the revision resolved to. */
      readonly commit: string;
      /** The ONNX file named after `#`, if any. */
      readonly file: string | undefined;
      /** Absolute snapshot directory in the cache. */
      readonly path: string;
      /** `download` when any file was fetched during this resolution, `cache` when none was. */
      readonly source: 'download' | 'cache';
    };

/**
 * A flat, JSON-safe record of a reference for certificates and logs (see `describeReference`):
 * fields that do not apply, or are not known before resolution, are `null`.
 */
export interface ReferenceDescription {
  readonly kind: 'local' | 'hf';
  /** The reference as the user wrote it. */
  readonly input: string;
  /** `org/name` for `hf:` references. */
  readonly repo: string | null;
  /** Revision as written (`main` when omitted) for `hf:` references. */
  readonly revision: string | null;
  /** The 40-hex commit, once resolved (or when the revision is a commit). */
  readonly commit: string | null;
  /** The ONNX file named after `#` in an `hf:` reference. */
  readonly file: string | null;
  /** Absolute path of the directory, `.onnx` file or snapshot, once resolved. */
  readonly path: string | null;
  /** `local`, `cache` (no download) or `download`, once resolved. */
  readonly source: 'local' | 'cache' | 'download' | null;
}

/**
 * A model reference resolved to files on disk. The adapters layer picks which ONNX file to load
 * (normally `onnxFiles[0]`) and reads `config.json` / `tokenizer.json` from `dir`.
 */
export interface ResolvedModel {
  readonly reference: ResolvedReference;
  /** Absolute directory holding config.json, tokenizer.json and friends. */
  readonly dir: string;
  /**
   * Absolute paths of the candidate ONNX files, best first (see {@link rankOnnxFiles}). For a
   * single-file reference, or an `hf:` reference with `#file`, exactly that file.
   */
  readonly onnxFiles: readonly string[];
  /** For `hf:` references, the snapshot files used (selected by {@link ResolveModelOptions.files}); empty for local ones. */
  readonly files: readonly ResolvedFile[];
}

/** Progress of a resolution, for the CLI's progress display. */
export type HubEvent =
  | { readonly type: 'hub-cache-hit'; readonly repo: string; readonly commit: string }
  | { readonly type: 'hub-revision'; readonly repo: string; readonly revision: string; readonly commit: string }
  | { readonly type: 'hub-download-start'; readonly repo: string; readonly file: string; readonly sizeBytes: number }
  | { readonly type: 'hub-download-end'; readonly repo: string; readonly file: string; readonly sizeBytes: number; readonly durationMs: number };

/** Options of {@link resolveModel}. Defaults live in `HUB_DEFAULTS`. */
export interface ResolveModelOptions {
  /**
   * `allow` lets an `hf:` reference that is not in the cache be downloaded; `deny` fails with
   * `E_NETWORK_DISALLOWED`. Cached snapshots are used without network either way.
   * @default 'deny'
   */
  readonly network?: 'allow' | 'deny';
  /**
   * The Hugging Face hub cache directory (`$HF_HUB_CACHE`, or `$HF_HOME/hub`); see
   * {@link hubCacheDirFromEnv}. @default `~/.cache/huggingface/hub`
   */
  readonly cacheDir?: string;
  /** Hub endpoint (`$HF_ENDPOINT`). @default 'https://huggingface.co' */
  readonly hubUrl?: string;
  /** A Hugging Face access token (`hf_…`) for gated or private repositories. */
  readonly accessToken?: string;
  /**
   * What to download for an `hf:` reference: `selected` = the chosen ONNX file, its external data
   * files and the small metadata files (`*.json`, `*.txt`, `*.model`, `*.jinja`) at the repository root
   * and beside the ONNX file; `all` = every file of the repository.
   * @default 'selected'
   */
  readonly files?: 'selected' | 'all';
  /** Directory against which relative local paths are resolved. @default process working directory */
  readonly cwd?: string;
  /** A fetch implementation for the hub client (tests, proxies). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  readonly onEvent?: (event: HubEvent) => void;
}
