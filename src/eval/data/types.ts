/**
 * Public types of evaluation datasets: provider specs as users write them, and the documents or
 * labelled examples they load to.
 */
import type { HubEvent } from '../../hub/index.js';

/** Splits of the WikiText-2 raw dataset. */
export type WikitextSplit = 'test' | 'validation' | 'train';

/**
 * A parsed dataset provider spec (see `parseDatasetSpec` for the grammar):
 * - `wikitext2`: WikiText-2 raw, one document per article;
 * - `text:PATH`: a UTF-8 text file, documents separated by blank lines;
 * - `jsonl:PATH#FIELD`: one document per JSON line, its string field FIELD;
 * - `jsonl:PATH#text=T,label=L`: labelled examples for accuracy (string field T, label field L).
 */
export type DatasetSpec =
  | { readonly kind: 'wikitext2' }
  | { readonly kind: 'text'; readonly path: string }
  | { readonly kind: 'jsonl'; readonly path: string; readonly field: string }
  | { readonly kind: 'jsonl_classification'; readonly path: string; readonly textField: string; readonly labelField: string }
  /** Source/target pairs for seq2seq scoring; `prefix` is put before every source text ("summarize: "), `''` for none. */
  | { readonly kind: 'jsonl_pairs'; readonly path: string; readonly sourceField: string; readonly targetField: string; readonly prefix: string };

/** Options of `loadDataset`. Defaults live in `DATASET_DEFAULTS`. */
export interface LoadDatasetOptions {
  /** WikiText-2 split when no `dataPath` is given. @default 'test' */
  readonly split?: WikitextSplit;
  /**
   * wikitext2: a local copy of the raw split (`wiki.test.raw`, or the `text` rows of the hub's
   * `wikitext-2-raw-v1` parquet written one per line). Takes precedence over `dataCacheDir`.
   */
  readonly dataPath?: string;
  /**
   * wikitext2: a folder holding `wikitext-2-raw-v1/<split>.txt`, looked up when `dataPath` is absent;
   * when it lacks the split, the hub cache is used.
   */
  readonly dataCacheDir?: string;
  /**
   * wikitext2 without `dataPath` or a `dataCacheDir` copy: `allow` lets the split's parquet file be
   * downloaded from the hub (`Salesforce/wikitext`, `wikitext-2-raw-v1`) into the hub cache; `deny`
   * reads only the cache and fails with `E_NETWORK_DISALLOWED` when the split is not there.
   * @default 'deny'
   */
  readonly network?: 'allow' | 'deny';
  /**
   * wikitext2: the Hugging Face hub cache directory the dataset is read from and downloaded to (the
   * one models use: `$HF_HUB_CACHE`, or `$HF_HOME/hub`; see `hubCacheDirFromEnv`).
   * @default `~/.cache/huggingface/hub`
   */
  readonly hubCacheDir?: string;
  /**
   * wikitext2: the dataset repository's branch, tag or commit. A branch is resolved to a commit when
   * downloading and through the cache's `refs/<branch>` offline; the commit is recorded in `source.hub`.
   * @default 'main'
   */
  readonly hubRevision?: string;
  /** wikitext2: hub endpoint (`$HF_ENDPOINT`). @default `https://huggingface.co` (as `resolveModel`) */
  readonly hubUrl?: string;
  /** wikitext2: a Hugging Face access token (`hf_…`), sent only to the hub. */
  readonly accessToken?: string;
  /** wikitext2: a fetch implementation for the hub client (tests, proxies). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** wikitext2: progress of a hub resolution (cache hit, revision, download start and end). */
  readonly onEvent?: (event: HubEvent) => void;
  /** `exact`: drop documents (examples: texts) identical to an earlier one. @default 'exact' */
  readonly dedupe?: 'exact' | 'none';
  /** Directory relative paths are resolved against. @default process working directory */
  readonly cwd?: string;
}

/** Where on the hub a dataset file came from (wikitext2 read through the hub cache). */
export interface DatasetHubSource {
  /** `org/name` of the dataset repository. */
  readonly repo: string;
  /** Path of the file inside the repository. */
  readonly repoPath: string;
  /** The revision as requested (`main` unless `hubRevision` says otherwise). */
  readonly revision: string;
  /** The 40-hex commit the revision resolved to: the pinned dataset version. */
  readonly commit: string;
  /** `download` when the file was fetched by this call, `cache` when it was already cached. */
  readonly from: 'download' | 'cache';
}

/** The file a dataset was read from. */
export interface DatasetSource {
  /** Absolute path (for the hub, the file in the cache snapshot). */
  readonly file: string;
  readonly sizeBytes: number;
  /** sha256 (hex) of the file's bytes (for the hub, the parquet file's). */
  readonly sha256: string;
  /** Present when the file was resolved through the hub cache. */
  readonly hub?: DatasetHubSource;
}

/** Counts of the document filter. */
export interface DocumentFilterStats {
  /** Rows read: non-blank lines (wikitext2, also from parquet), blank-line blocks (text), records (jsonl). */
  readonly rows: number;
  /** Documents (examples) kept. */
  readonly kept: number;
  /** Dropped for being shorter than 20 characters (documents only) or having no letter. */
  readonly droppedShort: number;
  /** Dropped as exact duplicates. */
  readonly droppedDuplicates: number;
}

/** A labelled example of a classification dataset. */
export interface LabelledExample {
  /** 0-based position among the kept examples; stable ids derive from it. */
  readonly index: number;
  readonly text: string;
  /** As in the file: a non-negative integer class id or a class name (mapped by the adapter). */
  readonly label: number | string;
}

/** A source/target pair of a seq2seq dataset. */
export interface TextPair {
  /** 0-based position among the kept pairs; stable ids derive from it. */
  readonly index: number;
  /** The source text, the spec's prefix already in front. */
  readonly source: string;
  readonly target: string;
}

/** A loaded dataset: documents for language-model windows, labelled examples for accuracy, or source/target pairs for seq2seq. */
export type Dataset =
  | {
      readonly kind: 'documents';
      readonly spec: DatasetSpec;
      /** The split for wikitext2, else `null`. */
      readonly split: WikitextSplit | null;
      readonly source: DatasetSource;
      readonly documents: readonly string[];
      readonly stats: DocumentFilterStats;
    }
  | {
      readonly kind: 'examples';
      readonly spec: DatasetSpec;
      readonly split: null;
      readonly source: DatasetSource;
      readonly examples: readonly LabelledExample[];
      readonly stats: DocumentFilterStats;
    }
  | {
      readonly kind: 'pairs';
      readonly spec: DatasetSpec;
      readonly split: null;
      readonly source: DatasetSource;
      readonly pairs: readonly TextPair[];
      readonly stats: DocumentFilterStats;
    };
