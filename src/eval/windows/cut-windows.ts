import { createHash } from 'node:crypto';
import { idsToLittleEndianBytes } from './window-hashes.js';
import { scoredRange, type WindowLayout } from './window-layout.js';

/** A window of the stream before the draw; its ids are materialised only when it is drawn. */
export interface CandidateWindow {
  /** Window number in the stream (start = k · stride). */
  readonly k: number;
  readonly start: number;
  readonly scoreFrom: number;
  readonly scoredCount: number;
  /** sha256 (hex) of the window's ids, uint32 little-endian. */
  readonly hash: string;
}

/** Number of full windows a stream of `streamLength` tokens holds (a shorter tail is dropped). */
export function countWindows(streamLength: number, layout: WindowLayout): number {
  return streamLength < layout.contentLen ? 0 : Math.floor((streamLength - layout.contentLen) / layout.stride) + 1;
}

/** The `seqLen` ids of the window whose content starts at `start`: prefix, content, suffix. */
export function windowIds(stream: Uint32Array, layout: WindowLayout, start: number): Uint32Array {
  const ids = new Uint32Array(layout.seqLen);
  ids.set(layout.prefix, 0);
  ids.set(stream.subarray(start, start + layout.contentLen), layout.prefix.length);
  ids.set(layout.suffix, layout.prefix.length + layout.contentLen);
  return ids;
}

/**
 * Cuts the stream into full windows (start = k · stride; the tail shorter than the content length is
 * dropped) and removes windows whose ids equal an earlier window's, keeping the first. Hashes are
 * computed from stream slices without copying ids.
 */
export function cutWindows(stream: Uint32Array, layout: WindowLayout): { candidates: CandidateWindow[]; duplicatesRemoved: number } {
  const total = countWindows(stream.length, layout);
  const prefixBytes = idsToLittleEndianBytes(layout.prefix);
  const suffixBytes = idsToLittleEndianBytes(layout.suffix);
  const seen = new Set<string>();
  const candidates: CandidateWindow[] = [];
  let duplicatesRemoved = 0;
  for (let k = 0; k < total; k++) {
    const start = k * layout.stride;
    const hash = createHash('sha256')
      .update(prefixBytes)
      .update(idsToLittleEndianBytes(stream.subarray(start, start + layout.contentLen)))
      .update(suffixBytes)
      .digest('hex');
    if (seen.has(hash)) {
      duplicatesRemoved++;
      continue;
    }
    seen.add(hash);
    const { from, count } = scoredRange(layout, k);
    candidates.push({ k, start, scoreFrom: from, scoredCount: count, hash });
  }
  return { candidates, duplicatesRemoved };
}
