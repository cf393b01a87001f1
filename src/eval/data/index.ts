/**
 * Evaluation datasets: provider specs (`wikitext2`, `text:PATH`, `jsonl:PATH#field`,
 * `jsonl:PATH#text=F,label=F`), loading (wikitext2 also from the hub's parquet files), document
 * splitting and filtering. Sub-door of `src/eval`.
 */
export type { Dataset, DatasetHubSource, DatasetSource, DatasetSpec, DocumentFilterStats, LabelledExample, LoadDatasetOptions, TextPair, WikitextSplit } from './types.js';
export { formatDatasetSpec, parseDatasetSpec } from './parse-dataset-spec.js';
export { DATASET_DEFAULTS, loadDataset, wikitext2CachePath } from './load-dataset.js';
export { splitOnBlankLines, splitWikitextArticles } from './split-documents.js';
export { filterDocuments, hasLetter, MIN_DOCUMENT_CHARS } from './filter-documents.js';
export { parseJsonlExamples, parseJsonlPairs, parseJsonlTexts } from './parse-jsonl.js';
export { readParquetTextColumn } from './read-parquet-text.js';
export { WIKITEXT2_HUB, wikitext2HubPath } from './wikitext-hub.js';
