/**
 * The calibration's evaluation text: a prefix of WikiText-2 valid.txt cut at a blank line. The
 * whole file (1.1 MB) costs ~4 s of tokenization per certify call on two loaded cores; a 300 kB
 * prefix holds ~950 windows of 128 tokens, so the seeded stratified draw of 64 windows picks one
 * of ~15 candidates per stratum and different seeds see mostly different windows.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sha256Hex } from '../../src/contracts/index.js';

/** WikiText-2 valid.txt: `../shared/data/` beside the repository, else `/work/shared/data/`. */
export function wikitextValidPath(repoRoot: string): string {
  const candidates = [resolve(repoRoot, '../shared/data/wikitext-2/valid.txt'), '/work/shared/data/wikitext-2/valid.txt'];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`WikiText-2 valid.txt not found (looked at ${candidates.join(', ')})`);
  return found;
}

/** The text file a calibration evaluates on, with what identifies it. */
export interface EvalText {
  readonly path: string;
  readonly source: string;
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * Writes the first `minChars` characters of `source` and the rest of that paragraph (up to the
 * next blank line) to `dir/eval-text.txt`; the same source and size give the same file.
 */
export function writeEvalText(source: string, dir: string, minChars: number): EvalText {
  const text = readFileSync(source, 'utf8');
  const cut = text.indexOf('\n \n', minChars);
  const prefix = text.slice(0, cut === -1 ? text.length : cut + 1);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'eval-text.txt');
  const bytes = new TextEncoder().encode(prefix);
  writeFileSync(path, bytes);
  return { path, source, bytes: bytes.length, sha256: sha256Hex(bytes) };
}
