/**
 * Public types of evaluation datasets: provider specs as users write them, and the documents or
 * labelled examples they load to.
 */

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
  | { readonly kind: 'jsonl_classification'; readonly path: string; readonly textField: string; readonly labelField: string };

/** Options of `loadDataset`. Defaults live in `DATASET_DEFAULTS`. */
export interface LoadDatasetOptions {
  /** WikiText-2 split when no `dataPath` is given. @default 'test' */
  readonly split?: WikitextSplit;
  /**
   * wikitext2: a local copy of the raw split (`wiki.test.raw`, or the `text` rows of the hub's
   * `wikitext-2-raw-v1` parquet written one per line). Takes precedence over `dataCacheDir`.
   */
  readonly dataPath?: string;
  /** wikitext2: a folder holding `wikitext-2-raw-v1/<split>.txt`, looked up when `dataPath` is absent. */
  readonly dataCacheDir?: string;
  /** `exact`: drop documents (examples: texts) identical to an earlier one. @default 'exact' */
  readonly dedupe?: 'exact' | 'none';
  /** Directory relative paths are resolved against. @default process working directory */
  readonly cwd?: string;
}

/** The file a dataset was read from. */
export interface DatasetSource {
  /** Absolute path. */
  readonly file: string;
  readonly sizeBytes: number;
  /** sha256 (hex) of the file's bytes. */
  readonly sha256: string;
}

/** Counts of the document filter. */
export interface DocumentFilterStats {
  /** Rows read: lines (wikitext2), blank-line blocks (text), records (jsonl). */
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

/** A loaded dataset: documents for language-model windows, or labelled examples for accuracy. */
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
    };
