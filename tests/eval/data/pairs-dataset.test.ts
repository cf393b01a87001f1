/** The seq2seq pairs provider: `jsonl:PATH#src=FIELD,tgt=FIELD[,prefix=TEXT]`, parsing and loading. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDatasetSpec, loadDataset, parseDatasetSpec } from '../../../src/eval/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pairs-dataset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('pairs spec', () => {
  it('parses src/tgt in any order with a percent-encoded prefix, and formats back', () => {
    const spec = parseDatasetSpec('jsonl:d.jsonl#tgt=summary,src=document,prefix=summarize:%20');
    expect(spec).toEqual({ kind: 'jsonl_pairs', path: 'd.jsonl', sourceField: 'document', targetField: 'summary', prefix: 'summarize: ' });
    expect(formatDatasetSpec(spec)).toBe('jsonl:d.jsonl#src=document,tgt=summary,prefix=summarize%3A%20');
    expect(parseDatasetSpec(formatDatasetSpec(spec))).toEqual(spec);
    expect(parseDatasetSpec('jsonl:d.jsonl#src=a,tgt=b')).toMatchObject({ prefix: '' });
  });

  it.each([
    ['jsonl:d.jsonl#src=a', 'E_DATASET_SPEC'],
    ['jsonl:d.jsonl#src=a,tgt=b,src=c', 'E_DATASET_SPEC'],
    ['jsonl:d.jsonl#src=a,label=b', 'E_DATASET_SPEC'],
    ['jsonl:d.jsonl#src=a,tgt=b,prefix=%E0%A4%A', 'E_DATASET_SPEC'],
  ])('rejects %s', (spec, code) => {
    expect(codeOf(() => parseDatasetSpec(spec))).toBe(code);
  });
});

describe('loading pairs', () => {
  it('keeps pairs in file order with the prefix in front of the source; drops empty targets and exact duplicates', async () => {
    const file = join(dir, 'pairs.jsonl');
    const rows = [
      { doc: ' The first source sentence. ', sum: ' first ' },
      { doc: 'A second one.', sum: '' },
      { doc: 'The first source sentence.', sum: 'first' },
      { doc: '1234', sum: 'digits only' },
      { doc: 'Third.', sum: 'third' },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const ds = await loadDataset(`jsonl:${file}#src=doc,tgt=sum,prefix=summarize:%20`);
    expect(ds.kind).toBe('pairs');
    if (ds.kind !== 'pairs') return;
    expect(ds.pairs).toEqual([
      { index: 0, source: 'summarize: The first source sentence.', target: 'first' },
      { index: 1, source: 'summarize: Third.', target: 'third' },
    ]);
    expect(ds.stats).toEqual({ rows: 5, kept: 2, droppedShort: 2, droppedDuplicates: 1 });
  });

  it('names the line of a record without the target field', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify({ doc: 'a', sum: 'b' })}\n${JSON.stringify({ doc: 'c' })}\n`);
    await expect(loadDataset(`jsonl:${file}#src=doc,tgt=sum`)).rejects.toMatchObject({ code: 'E_DATASET_INVALID', details: { line: 2 } });
  });
});
