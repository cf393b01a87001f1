/**
 * Applies byte-range replacements to a protobuf file without re-encoding it: untouched ranges are
 * referenced as views, and the varint length prefix of every enclosing message whose payload
 * changes size is rewritten (innermost first, since a longer prefix grows its parents too).
 * @internal
 */
import { InvarlockError } from '../errors/index.js';
import { encodeVarint } from './chunk-writer.js';
import type { MessageSpan } from './types.js';

/** Replace `[start, end)` of the file by `chunks`; `start === end` inserts. @internal */
export interface Splice {
  readonly start: number;
  readonly end: number;
  readonly chunks: readonly Uint8Array[];
  /** Messages containing the range, outermost first (their length prefixes are fixed up). */
  readonly enclosing: readonly MessageSpan[];
}

/** The spliced file as chunks. @internal */
export interface SpliceResult {
  readonly chunks: readonly Uint8Array[];
  readonly byteLength: number;
}

function lengthOf(chunks: readonly Uint8Array[]): number {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  return total;
}

/** Applies `splices` to `bytes`. Throws `E_INTERNAL` when two splices overlap (a caller bug). @internal */
export function applySplices(bytes: Uint8Array, splices: readonly Splice[]): SpliceResult {
  const deltas = new Map<number, number>();
  const ancestors = new Map<number, { span: MessageSpan; parents: readonly MessageSpan[] }>();
  for (const splice of splices) {
    const delta = lengthOf(splice.chunks) - (splice.end - splice.start);
    splice.enclosing.forEach((span, depth) => {
      deltas.set(span.lengthStart, (deltas.get(span.lengthStart) ?? 0) + delta);
      if (!ancestors.has(span.lengthStart)) ancestors.set(span.lengthStart, { span, parents: splice.enclosing.slice(0, depth) });
    });
  }
  const all: Splice[] = [...splices];
  const innermostFirst = [...ancestors.values()].sort((a, b) => b.parents.length - a.parents.length);
  for (const { span, parents } of innermostFirst) {
    const delta = deltas.get(span.lengthStart) ?? 0;
    if (delta === 0) continue;
    const prefix = encodeVarint(span.end - span.payloadStart + delta);
    const prefixDelta = prefix.length - (span.payloadStart - span.lengthStart);
    all.push({ start: span.lengthStart, end: span.payloadStart, chunks: [prefix], enclosing: parents });
    if (prefixDelta !== 0) for (const parent of parents) deltas.set(parent.lengthStart, (deltas.get(parent.lengthStart) ?? 0) + prefixDelta);
  }
  // Insertions sort before a replacement that starts at the same offset (they end the previous field).
  all.sort((a, b) => a.start - b.start || (a.end - a.start) - (b.end - b.start));
  const chunks: Uint8Array[] = [];
  let position = 0;
  for (const splice of all) {
    if (splice.start < position) {
      throw new InvarlockError('E_INTERNAL', `overlapping model splices at offset ${splice.start}`, { details: { offset: splice.start } });
    }
    if (splice.start > position) chunks.push(bytes.subarray(position, splice.start));
    for (const chunk of splice.chunks) if (chunk.length > 0) chunks.push(chunk);
    position = splice.end;
  }
  if (position < bytes.length) chunks.push(bytes.subarray(position));
  return { chunks, byteLength: lengthOf(chunks) };
}
