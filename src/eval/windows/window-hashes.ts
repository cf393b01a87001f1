import { createHash } from 'node:crypto';
import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

/** The bytes of `ids` as uint32 little-endian, whatever the machine's byte order. */
export function idsToLittleEndianBytes(ids: Uint32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength);
  const out = new Uint8Array(ids.length * 4);
  const view = new DataView(out.buffer);
  ids.forEach((id, i) => view.setUint32(i * 4, id, true));
  return out;
}

/** sha256 (hex) of a window's ids as uint32 little-endian. */
export function hashWindowIds(ids: Uint32Array): string {
  return createHash('sha256').update(idsToLittleEndianBytes(ids)).digest('hex');
}

/** sha256 (hex) over the raw 32-byte digests of `windowHashes` (hex), in order. An empty arm hashes no bytes. */
export function hashArm(windowHashes: readonly string[]): string {
  const hash = createHash('sha256');
  for (const h of windowHashes) hash.update(Buffer.from(h, 'hex'));
  return hash.digest('hex');
}

/** `dataset_hash`: sha256 (hex) over the raw preview arm hash followed by the raw final arm hash. */
export function hashDataset(previewHash: string, finalHash: string): string {
  return createHash('sha256').update(Buffer.from(previewHash, 'hex')).update(Buffer.from(finalHash, 'hex')).digest('hex');
}
