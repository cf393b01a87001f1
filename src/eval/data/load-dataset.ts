import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvarlockError, isInvarlockError, readUntrustedFile } from '../../errors/index.js';
import { filterDocuments, hasLetter } from './filter-documents.js';
import { parseDatasetSpec } from './parse-dataset-spec.js';
import { parseJsonlExamples, parseJsonlPairs, parseJsonlTexts } from './parse-jsonl.js';
import { readParquetTextColumn } from './read-parquet-text.js';
import { splitOnBlankLines, splitWikitextArticles } from './split-documents.js';
import type { Dataset, DatasetSource, DatasetSpec, LabelledExample, LoadDatasetOptions, TextPair, WikitextSplit } from './types.js';
import { resolveWikitext2Split, WIKITEXT2_HUB } from './wikitext-hub.js';

/** Defaults of {@link LoadDatasetOptions} (the hub cache and endpoint default as in `resolveModel`). */
export const DATASET_DEFAULTS = Object.freeze({ split: 'test', dedupe: 'exact', network: 'deny', hubRevision: 'main' } as const);

/** Largest dataset file read, in bytes (evaluation needs far less text than this). */
const DATASET_MAX_BYTES = 4 * 1024 * 1024 * 1024;

/** Where a wikitext2 split is looked up under `dataCacheDir`. */
export function wikitext2CachePath(dataCacheDir: string, split: WikitextSplit): string {
  return join(dataCacheDir, 'wikitext-2-raw-v1', `${split}.txt`);
}

async function readBytes(file: string): Promise<{ bytes: Buffer; source: DatasetSource }> {
  const bytes = await readUntrustedFile(file, { what: 'dataset file', maxBytes: DATASET_MAX_BYTES, missingCode: 'E_DATASET_MISSING' }).catch((error: unknown) => {
    if (isInvarlockError(error, 'E_FILE_TYPE')) throw new InvarlockError('E_DATASET_MISSING', `Dataset path ${file} is not a file`, { details: { file }, cause: error });
    throw error;
  });
  return { bytes, source: { file, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } };
}

async function readSource(file: string): Promise<{ text: string; source: DatasetSource }> {
  const { bytes, source } = await readBytes(file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    throw new InvarlockError('E_DATASET_INVALID', `Dataset file ${file} is not UTF-8 text`, { details: { file }, cause: error });
  }
  if (text.trim().length === 0) {
    throw new InvarlockError('E_DATASET_MISSING', `Dataset file ${file} is empty`, { details: { file, sizeBytes: bytes.length } });
  }
  return { text, source };
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}

/**
 * The raw text of a wikitext2 split: `dataPath`, else `<dataCacheDir>/wikitext-2-raw-v1/<split>.txt`
 * when it exists, else the hub's parquet file (cache first, download when allowed). Parquet rows
 * are lines: the hub's `datasets` tooling stores each line of the raw file with its `\n` and blank
 * lines as `''`; joining with `\n` gives text that splits into the same articles whether or not
 * rows keep their newline (blank lines are skipped by the splitter).
 */
async function readWikitext2(options: LoadDatasetOptions, cwd: string, split: WikitextSplit): Promise<{ text: string; source: DatasetSource }> {
  if (options.dataPath !== undefined) return readSource(resolve(cwd, options.dataPath));
  if (options.dataCacheDir !== undefined) {
    const copy = wikitext2CachePath(resolve(cwd, options.dataCacheDir), split);
    if (await isFile(copy)) return readSource(copy);
  }
  const resolved = await resolveWikitext2Split(split, options.hubRevision ?? DATASET_DEFAULTS.hubRevision, {
    ...options,
    ...(options.hubCacheDir === undefined ? {} : { hubCacheDir: resolve(cwd, options.hubCacheDir) }),
  });
  const { bytes, source } = await readBytes(resolved.file.path);
  // A cached LFS blob is named by its sha256: a blob changed since its download is caught here.
  if (resolved.file.sha256 !== undefined && resolved.file.sha256 !== source.sha256) {
    throw new InvarlockError('E_DOWNLOAD', `The cached ${resolved.file.repoPath} of ${resolved.repo} does not match its sha256`, {
      details: { file: source.file, expected: resolved.file.sha256, actual: source.sha256 },
      hint: `Delete ${source.file} and the blob it links to, then download it again (--allow-network).`,
    });
  }
  const rows = await readParquetTextColumn(bytes, { column: WIKITEXT2_HUB.column, file: source.file });
  const text = rows.join('\n');
  if (text.trim().length === 0) {
    throw new InvarlockError('E_DATASET_MISSING', `Dataset file ${source.file} has no text`, { details: { file: source.file, sizeBytes: source.sizeBytes } });
  }
  return {
    text,
    source: { ...source, hub: { repo: resolved.repo, repoPath: resolved.file.repoPath, revision: resolved.revision, commit: resolved.commit, from: resolved.source } },
  };
}

/**
 * Loads a dataset: reads its file (UTF-8, BOM allowed), splits it into documents (or labelled
 * examples), drops documents under 20 characters or without a letter and, by default, exact
 * duplicates. wikitext2 documents are articles (see `splitWikitextArticles`); text documents are
 * blank-line separated blocks; jsonl documents are records. Classification examples drop only
 * texts without a letter (short texts are legitimate there) and, with `dedupe: 'exact'`, repeated texts.
 *
 * wikitext2 reads, in order: `dataPath`; `<dataCacheDir>/wikitext-2-raw-v1/<split>.txt` if present;
 * the split's parquet file of `Salesforce/wikitext` (`wikitext-2-raw-v1/<split>-00000-of-00001.parquet`)
 * in the hub cache, downloaded first when `network` is `allow`. The hub revision is pinned to a
 * commit, recorded with the repository path in `source.hub`; the same documents come out of the
 * parquet rows as out of the raw text file.
 *
 * @throws `E_DATASET_UNKNOWN` / `E_DATASET_SPEC` for a bad spec string; `E_DATASET_MISSING` when the
 *   file does not exist or is empty (details.file); `E_DATASET_INVALID` for non-UTF-8 text, bad JSONL
 *   records (details.line) or an unreadable parquet file (details.file, details.field);
 *   `E_FILE_READ` on I/O errors; wikitext2 from the hub: `E_NETWORK_DISALLOWED` when the split is not
 *   cached and network is denied (details.repo / revision / file / cacheDir / split), `E_DOWNLOAD` for
 *   hub errors and content that does not match its hash (details.expected / details.actual).
 */
export async function loadDataset(spec: string | DatasetSpec, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const parsed = typeof spec === 'string' ? parseDatasetSpec(spec) : spec;
  const cwd = options.cwd ?? process.cwd();
  const dedupe = options.dedupe ?? DATASET_DEFAULTS.dedupe;
  switch (parsed.kind) {
    case 'wikitext2': {
      const split = options.split ?? DATASET_DEFAULTS.split;
      const { text, source } = await readWikitext2(options, cwd, split);
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
    case 'jsonl_pairs': {
      const { text, source } = await readSource(resolve(cwd, parsed.path));
      const { pairs, rows } = parseJsonlPairs(text, parsed, source.file);
      const kept: TextPair[] = [];
      const seen = new Set<string>();
      let droppedShort = 0;
      let droppedDuplicates = 0;
      for (const pair of pairs) {
        const src = pair.source.trim();
        const tgt = pair.target.trim();
        const key = JSON.stringify([src, tgt]);
        // a pair needs text on both sides: an empty target scores nothing but its end-of-sequence token
        if (!hasLetter(src) || tgt.length === 0) droppedShort++;
        else if (dedupe === 'exact' && seen.has(key)) droppedDuplicates++;
        else {
          seen.add(key);
          kept.push({ index: kept.length, source: parsed.prefix + src, target: tgt });
        }
      }
      return { kind: 'pairs', spec: parsed, split: null, source, pairs: kept, stats: { rows, kept: kept.length, droppedShort, droppedDuplicates } };
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
