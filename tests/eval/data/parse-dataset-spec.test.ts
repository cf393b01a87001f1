import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDatasetSpec, parseDatasetSpec } from '../../../src/eval/data/index.js';
import { isInvarlockError } from '../../../src/errors/index.js';

function failure(spec: string): { code: string; field: unknown } {
  try {
    parseDatasetSpec(spec);
  } catch (error) {
    if (isInvarlockError(error)) return { code: error.code, field: error.details.field };
    throw error;
  }
  throw new Error(`${spec} parsed`);
}

describe('parseDatasetSpec', () => {
  it('parses each provider form', () => {
    expect(parseDatasetSpec('wikitext2')).toEqual({ kind: 'wikitext2' });
    expect(parseDatasetSpec('text:data/a b.txt')).toEqual({ kind: 'text', path: 'data/a b.txt' });
    expect(parseDatasetSpec('jsonl:d.jsonl#content')).toEqual({ kind: 'jsonl', path: 'd.jsonl', field: 'content' });
    expect(parseDatasetSpec('jsonl:d#1.jsonl#text')).toEqual({ kind: 'jsonl', path: 'd#1.jsonl', field: 'text' });
    expect(parseDatasetSpec('jsonl:sst2.jsonl#label=y,text=sentence')).toEqual({
      kind: 'jsonl_classification', path: 'sst2.jsonl', textField: 'sentence', labelField: 'y',
    });
  });

  it.each([
    ['wikitext103', 'E_DATASET_UNKNOWN', undefined],
    ['c4:en', 'E_DATASET_UNKNOWN', undefined],
    ['csv:data.csv', 'E_DATASET_UNKNOWN', undefined],
    ['text:', 'E_DATASET_SPEC', 'path'],
    ['text', 'E_DATASET_SPEC', 'path'],
    ['jsonl:data.jsonl', 'E_DATASET_SPEC', 'field'],
    ['jsonl:#text', 'E_DATASET_SPEC', 'path'],
    ['jsonl:d.jsonl#', 'E_DATASET_SPEC', 'field'],
    ['jsonl:d.jsonl#text=a', 'E_DATASET_SPEC', 'field'],
    ['jsonl:d.jsonl#text=a,label=b,text=c', 'E_DATASET_SPEC', 'field'],
    ['jsonl:d.jsonl#text=a,tag=b', 'E_DATASET_SPEC', 'field'],
    ['jsonl:d.jsonl#text=,label=b', 'E_DATASET_SPEC', 'field'],
    ['jsonl:d.jsonl#two words', 'E_DATASET_SPEC', 'field'],
    [' wikitext2', 'E_DATASET_SPEC', 'spec'],
    ['', 'E_DATASET_SPEC', 'spec'],
  ])('rejects %j with %s', (spec, code, field) => {
    expect(failure(spec)).toEqual({ code, field });
  });

  it('formats every parsed spec back to a string that parses to the same spec', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
    const path = fc.stringMatching(/^[a-z0-9/#. _-]{1,20}$/).filter((p) => p.trim() === p);
    const spec = fc.oneof(
      fc.constant({ kind: 'wikitext2' as const }),
      path.map((p) => ({ kind: 'text' as const, path: p })),
      fc.tuple(path, name).map(([p, f]) => ({ kind: 'jsonl' as const, path: p, field: f })),
      fc.tuple(path, name, name).map(([p, t, l]) => ({ kind: 'jsonl_classification' as const, path: p, textField: t, labelField: l })),
    );
    fc.assert(fc.property(spec, (s) => {
      expect(parseDatasetSpec(formatDatasetSpec(s))).toEqual(s);
    }), { seed: 7, numRuns: 300 });
  });

  it('throws only coded errors for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          parseDatasetSpec(s);
        } catch (error) {
          expect(isInvarlockError(error)).toBe(true);
        }
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});
