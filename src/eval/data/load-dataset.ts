import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvarlockError, wrapError } from '../../errors/index.js';
import { filterDocuments, hasLetter } from './filter-documents.js';
import { parseDatasetSpec } from './parse-dataset-spec.js';
import { parseJsonlExamples, parseJsonlTexts } from './parse-jsonl.js';
import { splitOnBlankLines, splitWikitextArticles } from './split-documents.js';
import type { Dataset, DatasetSource, DatasetSpec, LabelledExample, LoadDatasetOptions, WikitextSplit } from './types.js';

/** Defaults of {@link LoadDatasetOptions}. */
export const DATASET_DEFAULTS = Object.freeze({ split: 'test', dedupe: 'exact' } as const);

/** Where a wikitext2 split is looked up under `dataCacheDir`. */
export function wikitext2CachePath(dataCacheDir: string, split: WikitextSplit): string {
  return join(dataCacheDir, 'wikitext-2-raw-v1', `${split}.txt`);
}

async function readSource(file: string): Promise<{ text: string; source: DatasetSource }> {
  const info = await stat(file).catch((error: unknown) => {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new InvarlockError('E_DATASET_MISSING', `Dataset file ${file} does not exist`, { details: { file } });
    }
    throw wrapError(error, 'E_FILE_READ', `Cannot read dataset file ${file}`, { details: { file } });
  });
  if (!info.isFile()) throw new InvarlockError('E_DATASET_MISSING', `Dataset path ${file} is not a file`, { details: { file } });
  const bytes = await readFile(file).catch((error: unknown) => {
    throw wrapError(error, 'E_FILE_READ', `Cannot read dataset file ${file}`, { details: { file } });
  });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    throw new InvarlockError('E_DATASET_INVALID', `Dataset file ${file} is not UTF-8 text`, { details: { file }, cause: error });
  }
  if (text.trim().length === 0) {
    throw new InvarlockError('E_DATASET_MISSING', `Dataset file ${file} is empty`, { details: { file, sizeBytes: bytes.length } });
  }
  return { text, source: { file, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } };
}

function wikitextFile(options: LoadDatasetOptions, cwd: string, split: WikitextSplit): string {
  if (options.dataPath !== undefined) return resolve(cwd, options.dataPath);
  const hint =
    'wikitext2 reads a local copy of the raw split: set dataset.path in the config (or its CLI/Action equivalent) to wiki.<split>.raw of the ' +
    `WikiText-2 raw release, or place it at <cache>/wikitext-2-raw-v1/${split}.txt. The hub publishes the dataset ` +
    '(Salesforce/wikitext, wikitext-2-raw-v1) only as parquet, which invarlock does not read; ' +
    "pandas.read_parquet(...)['text'] written one row per line gives the same documents.";
  if (options.dataCacheDir === undefined) {
    throw new InvarlockError('E_DATASET_MISSING', 'No local copy of wikitext2 was given', { details: { split }, hint });
  }
  return wikitext2CachePath(resolve(cwd, options.dataCacheDir), split);
}

/**
 * Loads a dataset: reads its file (UTF-8, BOM allowed), splits it into documents (or labelled
 * examples), drops documents under 20 characters or without a letter and, by default, exact
 * duplicates. wikitext2 documents are articles (see `splitWikitextArticles`); text documents are
 * blank-line separated blocks; jsonl documents are records. Classification examples drop only
 * texts without a letter (short texts are legitimate there) and, with `dedupe: 'exact'`, repeated texts.
 *
 * @throws `E_DATASET_UNKNOWN` / `E_DATASET_SPEC` for a bad spec string; `E_DATASET_MISSING` when the
 *   file does not exist, is empty, or wikitext2 has no local copy (details.file / details.split);
 *   `E_DATASET_INVALID` for non-UTF-8 text or bad JSONL records (details.line); `E_FILE_READ` on I/O errors.
 */
export async function loadDataset(spec: string | DatasetSpec, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const parsed = typeof spec === 'string' ? parseDatasetSpec(spec) : spec;
  const cwd = options.cwd ?? process.cwd();
  const dedupe = options.dedupe ?? DATASET_DEFAULTS.dedupe;
  switch (parsed.kind) {
    case 'wikitext2': {
      const split = options.split ?? DATASET_DEFAULTS.split;
      const { text, source } = await readSource(wikitextFile(options, cwd, split));
      const { documents, rows } = splitWikitextArticles(text);
      const filtered = filterDocuments(documents, dedupe);
      return { kind: 'documents', spec: parsed, split, source, documents: filtered.kept, stats: statsOf(rows, filtered) };
    }
    case 'text': {
      const { text, source } = await readSource(resolve(cwd, parsed.path));
      const blocks = splitOnBlankLines(text);
      const filtered = filterDocuments(blocks, dedupe);
      return { kind: 'documents', spec: parsed, split: null, source, documents: filtered.kept, stats: statsOf(blocks.length, filtered) };
    }
    case 'jsonl': {
      const { text, source } = await readSource(resolve(cwd, parsed.path));
      const { texts, rows } = parseJsonlTexts(text, parsed.field, source.file);
      const filtered = filterDocuments(texts, dedupe);
      return { kind: 'documents', spec: parsed, split: null, source, documents: filtered.kept, stats: statsOf(rows, filtered) };
    }
    case 'jsonl_classification': {
      const { text, source } = await readSource(resolve(cwd, parsed.path));
      const { examples, rows } = parseJsonlExamples(text, parsed, source.file);
      const kept: LabelledExample[] = [];
      const seen = new Set<string>();
      let droppedShort = 0;
      let droppedDuplicates = 0;
      for (const example of examples) {
        const trimmed = example.text.trim();
        if (!hasLetter(trimmed)) droppedShort++;
        else if (dedupe === 'exact' && seen.has(trimmed)) droppedDuplicates++;
        else {
          seen.add(trimmed);
          kept.push({ index: kept.length, text: trimmed, label: example.label });
        }
      }
      return { kind: 'examples', spec: parsed, split: null, source, examples: kept, stats: { rows, kept: kept.length, droppedShort, droppedDuplicates } };
    }
    default: {
      const unreachable: never = parsed;
      return unreachable;
    }
  }
}

function statsOf(rows: number, filtered: { kept: readonly string[]; droppedShort: number; droppedDuplicates: number }): Dataset['stats'] {
  return { rows, kept: filtered.kept.length, droppedShort: filtered.droppedShort, droppedDuplicates: filtered.droppedDuplicates };
}
