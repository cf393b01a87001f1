import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDataset, splitOnBlankLines, splitWikitextArticles, wikitext2CachePath } from '../../../src/eval/data/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';

const fixtures = fileURLToPath(new URL('../../fixtures/data/', import.meta.url));
const WIKITEXT_TEST = fileURLToPath(new URL('../../fixtures/data/wikitext-2/test-raw-10-articles.txt', import.meta.url));

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (isInvarlockError(error)) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('loaded');
}

describe('splitWikitextArticles', () => {
  it('starts a document at each top-level heading and ignores blank lines and level-2 headings', () => {
    const original = ' \n = Alpha = \n \n The alpha text . \n \n = = Section = = \n \n More alpha . \n = Beta = \n Beta text . \n';
    const rows = ['= Alpha =', 'The alpha text .', '= = Section = =', 'More alpha .', '= Beta =', 'Beta text .'];
    const expected = ['= Alpha =\nThe alpha text .\n= = Section = =\nMore alpha .', '= Beta =\nBeta text .'];
    expect(splitWikitextArticles(original)).toEqual({ documents: expected, rows: 6 });
    expect(splitWikitextArticles(rows.map((r) => ` ${r} `).join('\r\n')).documents).toEqual(expected);
    expect(splitWikitextArticles('preface line\n = A = \nbody').documents).toEqual(['preface line', '= A =\nbody']);
  });
});

describe('splitOnBlankLines', () => {
  it('splits at whitespace-only lines and trims each block', () => {
    expect(splitOnBlankLines('\n a\nb \n   \n\nc\r\n\r\nd\n')).toEqual(['a\nb', 'c', 'd']);
  });
});

describe('loadDataset', () => {
  it('reads wikitext2 from a local file: one document per article', async () => {
    // The excerpt: the first ten articles of the raw test split, 489 lines, none blank (the copy it
    // was cut from has its blank lines removed), ten ` = Title = ` lines.
    const data = await loadDataset('wikitext2', { dataPath: WIKITEXT_TEST });
    expect(data.kind).toBe('documents');
    if (data.kind !== 'documents') return;
    expect(data.documents).toHaveLength(10);
    expect(data.documents[0]?.startsWith('= Robert Boulter =\nRobert Boulter is an English film')).toBe(true);
    expect(data.documents[9]?.startsWith('= Little Gidding ( poem ) =\n')).toBe(true);
    expect(data.stats).toEqual({ rows: 489, kept: 10, droppedShort: 0, droppedDuplicates: 0 });
    expect(data.split).toBe('test');
    expect(data.source.sha256).toBe(createHash('sha256').update(readFileSync(WIKITEXT_TEST)).digest('hex'));
    expect(data.source.sha256).toBe('9ac3ac37f2537413da6079ec975caeae09b3586f6b7b33df31a4ee921371175f');
  });

  it('finds a wikitext2 split in the data cache folder, else looks in the hub cache (network denied by default)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'invarlock-data-'));
    try {
      await mkdir(join(dir, 'wikitext-2-raw-v1'));
      await writeFile(wikitext2CachePath(dir, 'validation'), ' = Only = \n An article long enough to be kept here . \n');
      const data = await loadDataset('wikitext2', { dataCacheDir: dir, split: 'validation' });
      expect(data.kind === 'documents' && data.documents).toEqual(['= Only =\nAn article long enough to be kept here .']);
      const hubCacheDir = join(dir, 'hub');
      const missing = await errorOf(loadDataset('wikitext2', { dataCacheDir: dir, hubCacheDir }));
      expect(missing).toEqual({
        code: 'E_NETWORK_DISALLOWED',
        details: { repo: 'Salesforce/wikitext', revision: 'main', file: 'wikitext-2-raw-v1/test-00000-of-00001.parquet', cacheDir: hubCacheDir, split: 'test' },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(await errorOf(loadDataset('wikitext2', { dataPath: 'no-such-file.txt', cwd: fixtures }))).toEqual({
      code: 'E_DATASET_MISSING',
      details: { file: join(fixtures, 'no-such-file.txt') },
    });
  });

  it('splits a text file on blank lines, drops short, letterless and duplicate documents', async () => {
    const data = await loadDataset('text:docs.txt', { cwd: fixtures });
    expect(data.kind === 'documents' && data.documents).toEqual([
      'The first document talks about cats and how they sit on mats.\nIt spans two lines.',
      'The second document describes dogs, which bark at the mail carrier.',
      'The third document is indented and ends with spaces.',
    ]);
    expect(data.stats).toEqual({ rows: 6, kept: 3, droppedShort: 2, droppedDuplicates: 1 });
    expect(data.source).toEqual({
      file: join(fixtures, 'docs.txt'),
      sizeBytes: 342,
      sha256: createHash('sha256').update(readFileSync(join(fixtures, 'docs.txt'))).digest('hex'),
    });
    const all = await loadDataset('text:docs.txt', { cwd: fixtures, dedupe: 'none' });
    expect(all.stats).toMatchObject({ kept: 4, droppedDuplicates: 0 });
  });

  it('takes one document per JSONL record field', async () => {
    const data = await loadDataset(join(fixtures, 'records.jsonl').replace(/^/, 'jsonl:') + '#text');
    expect(data.kind === 'documents' && data.documents).toEqual([
      'A record about rivers and the bridges that cross them.',
      'A record about mountains, valleys and the weather between them.',
    ]);
    expect(data.stats).toEqual({ rows: 4, kept: 2, droppedShort: 1, droppedDuplicates: 1 });
  });

  it('reports every bad JSONL line with its number', async () => {
    const error = await errorOf(loadDataset(`jsonl:${join(fixtures, 'bad-records.jsonl')}#text`));
    expect(error.code).toBe('E_DATASET_INVALID');
    expect(error.details.line).toBe(2);
    expect(error.details.problems).toEqual([
      'line 2: missing field "text"',
      'line 4: field "text" must be a string, not number',
      expect.stringMatching(/^line 5: not valid JSON/),
      'line 6: a record must be a JSON object, not array',
    ]);
  });

  it('loads labelled examples for classification, keeping short texts but not letterless or repeated ones', async () => {
    const data = await loadDataset(`jsonl:${join(fixtures, 'classify.jsonl')}#text=sentence,label=label`);
    expect(data.kind).toBe('examples');
    expect(data.kind === 'examples' && data.examples).toEqual([
      { index: 0, text: 'A wonderful, moving film.', label: 1 },
      { index: 1, text: 'Dull.', label: 0 },
      { index: 2, text: 'Not my cup of tea at all.', label: 'negative' },
    ]);
    expect(data.stats).toEqual({ rows: 5, kept: 3, droppedShort: 1, droppedDuplicates: 1 });
  });

  it('rejects labels that are not class ids or names', async () => {
    const error = await errorOf(loadDataset(`jsonl:${join(fixtures, 'bad-labels.jsonl')}#text=sentence,label=label`));
    expect(error.code).toBe('E_DATASET_INVALID');
    expect((error.details.problems as string[]).map((p) => p.slice(0, 7))).toEqual(['line 2:', 'line 3:', 'line 4:']);
  });

  it('reports a missing or empty file as E_DATASET_MISSING and non-UTF-8 text as E_DATASET_INVALID', async () => {
    expect(await errorOf(loadDataset('text:nope.txt', { cwd: fixtures }))).toEqual({ code: 'E_DATASET_MISSING', details: { file: join(fixtures, 'nope.txt') } });
    expect((await errorOf(loadDataset('text:empty.txt', { cwd: fixtures }))).code).toBe('E_DATASET_MISSING');
    expect((await errorOf(loadDataset('text:.', { cwd: fixtures }))).code).toBe('E_DATASET_MISSING');
    expect(await errorOf(loadDataset('text:latin1.txt', { cwd: fixtures }))).toEqual({ code: 'E_DATASET_INVALID', details: { file: join(fixtures, 'latin1.txt') } });
  });

  it('strips a UTF-8 byte order mark', async () => {
    const data = await loadDataset('text:bom.txt', { cwd: fixtures });
    expect(data.kind === 'documents' && data.documents[0]?.startsWith('A file')).toBe(true);
  });

  it('rejects an unknown provider before touching files', async () => {
    expect((await errorOf(loadDataset('parquet:x.parquet'))).code).toBe('E_DATASET_UNKNOWN');
  });
});
