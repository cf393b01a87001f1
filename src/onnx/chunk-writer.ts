/**
 * Protobuf wire-format encoding into a list of chunks: small fields are gathered in scratch
 * buffers, large byte payloads (weights) are referenced, not copied. Messages are built bottom-up
 * (a child writer's length is known before the parent writes its prefix).
 * @internal
 */
import { WIRE } from './wire-reader.js';

/** Payloads at least this long are referenced instead of copied into the scratch buffer. */
const REFERENCE_THRESHOLD = 1024;
const SCRATCH_BYTES = 4096;
const utf8 = new TextEncoder();

/** @internal */
export class ChunkWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(SCRATCH_BYTES);
  private used = 0;
  private flushedBytes = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.flushedBytes + this.used;
  }

  private ensure(count: number): void {
    if (this.used + count <= this.scratch.length) return;
    this.flush();
    if (count > this.scratch.length) this.scratch = new Uint8Array(count);
  }

  private flush(): void {
    if (this.used === 0) return;
    this.chunks.push(this.scratch.subarray(0, this.used));
    this.flushedBytes += this.used;
    this.scratch = new Uint8Array(SCRATCH_BYTES);
    this.used = 0;
  }

  /** Writes an unsigned varint (numbers up to 2^53, or a bigint for the full 64 bits). */
  varint(value: number | bigint): this {
    this.ensure(10);
    const out = this.scratch;
    if (typeof value === 'bigint') {
      let v = BigInt.asUintN(64, value);
      while (v >= 0x80n) {
        out[this.used++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      out[this.used++] = Number(v);
      return this;
    }
    if (value < 0) return this.varint(BigInt(value));
    let v = value;
    while (v >= 0x80) {
      out[this.used++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    out[this.used++] = v;
    return this;
  }

  /** Writes a field tag. */
  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  /** Writes raw bytes (referenced when large; the caller must not mutate them afterwards). */
  raw(bytes: Uint8Array): this {
    if (bytes.length >= REFERENCE_THRESHOLD) {
      this.flush();
      this.chunks.push(bytes);
      this.flushedBytes += bytes.length;
      return this;
    }
    this.ensure(bytes.length);
    this.scratch.set(bytes, this.used);
    this.used += bytes.length;
    return this;
  }

  /** Writes every chunk of another writer (a finished sub-message payload). */
  append(other: ChunkWriter): this {
    for (const chunk of other.finish()) this.raw(chunk);
    return this;
  }

  /** Writes a length-delimited field holding `payload`. */
  bytesField(field: number, payload: Uint8Array): this {
    return this.tag(field, WIRE.LEN).varint(payload.length).raw(payload);
  }

  /** Writes a string field (UTF-8). */
  stringField(field: number, value: string): this {
    return this.bytesField(field, utf8.encode(value));
  }

  /** Writes a varint field (int64 semantics: negatives as 10-byte two's complement). */
  varintField(field: number, value: number | bigint): this {
    return this.tag(field, WIRE.VARINT).varint(value);
  }

  /** Writes a fixed32 float field. */
  floatField(field: number, value: number): this {
    this.tag(field, WIRE.FIXED32);
    this.ensure(4);
    new DataView(this.scratch.buffer, this.scratch.byteOffset).setFloat32(this.used, value, true);
    this.used += 4;
    return this;
  }

  /** Writes a length-delimited field whose payload is another writer's content. */
  messageField(field: number, message: ChunkWriter): this {
    this.tag(field, WIRE.LEN).varint(message.length);
    return this.append(message);
  }

  /** The encoded bytes as a chunk list (the writer must not be used afterwards). */
  finish(): Uint8Array[] {
    this.flush();
    return this.chunks;
  }
}

/** The varint encoding of `value`. @internal */
export function encodeVarint(value: number): Uint8Array {
  return concatChunks(new ChunkWriter().varint(value).finish());
}

/** Concatenates chunks into one new array (never a view of a chunk). @internal */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * A fresh copy of `bytes` starting at offset 0 of its own buffer. (`Buffer#slice` returns a view,
 * not a copy, so `.slice()` cannot be trusted on bytes that may be Node Buffers.) @internal
 */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(bytes.subarray(start, end));
  return out;
}
