import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { compileSchema, sha256Hex } from '../../contracts/index.js';
import type { LoadedModel, ModelSnapshot, SnapshotRegion } from '../types.js';
import { liveBytesOf, liveRegions, snapshotError } from './snapshot-regions.js';

/** Name of the manifest file in a chunked snapshot directory. */
export const SNAPSHOT_MANIFEST = 'snapshot-manifest.json';

/** One chunk file of a chunked snapshot. */
interface ChunkEntry {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** The manifest written beside the chunks. */
interface SnapshotManifest {
  readonly format: 'invarlock-snapshot';
  readonly version: 1;
  readonly chunkBytes: number;
  readonly regions: readonly SnapshotRegion[];
  readonly chunks: readonly ChunkEntry[];
}

/**
 * Streams the bytes of the weights `keys` (all when omitted) into `dir` as chunk files of at most
 * `chunkBytes` each (regions laid end to end), then writes a manifest with the sha256 of every
 * chunk and region. Memory use is one chunk's hash state, not the snapshot's size.
 * @throws InvarlockError `E_SNAPSHOT` when the directory or a file cannot be written.
 */
export function takeChunkedSnapshot(model: LoadedModel, keys: readonly string[] | undefined, dir: string, chunkBytes: number): Extract<ModelSnapshot, { kind: 'chunked' }> {
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0) throw snapshotError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  const live = liveRegions(model, keys);
  const chunks: ChunkEntry[] = [];
  try {
    fs.mkdirSync(dir, { recursive: true });
    let fd: number | undefined;
    let written = 0;
    let hash = createHash('sha256');
    const close = (): void => {
      if (fd === undefined) return;
      fs.closeSync(fd);
      chunks.push({ file: chunkName(chunks.length), bytes: written, sha256: hash.digest('hex') });
      fd = undefined;
    };
    for (const { bytes } of live) {
      let done = 0;
      while (done < bytes.length) {
        if (fd === undefined) {
          fd = fs.openSync(join(dir, chunkName(chunks.length)), 'w');
          written = 0;
          hash = createHash('sha256');
        }
        const piece = bytes.subarray(done, done + Math.min(chunkBytes - written, bytes.length - done));
        writeAll(fd, piece);
        hash.update(piece);
        written += piece.length;
        done += piece.length;
        if (written === chunkBytes) close();
      }
    }
    close();
    const manifest: SnapshotManifest = { format: 'invarlock-snapshot', version: 1, chunkBytes, regions: live.map((l) => l.region), chunks };
    fs.writeFileSync(join(dir, SNAPSHOT_MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
  } catch (error) {
    throw snapshotError(`cannot write the snapshot to ${dir}: ${error instanceof Error ? error.message : String(error)}`, undefined, error);
  }
  return { kind: 'chunked', regions: live.map((l) => l.region), dir, manifestPath: join(dir, SNAPSHOT_MANIFEST) };
}

/**
 * Streams a chunked snapshot back into the model's buffers: each chunk is read once, its sha256
 * checked against the manifest before any of its bytes are used, and each region's sha256 checked
 * after it is restored.
 * @throws InvarlockError `E_SNAPSHOT` when the manifest or a chunk is missing, altered or does not fit the model.
 */
export function restoreChunkedSnapshot(model: LoadedModel, snapshot: Extract<ModelSnapshot, { kind: 'chunked' }>): void {
  const manifest = readManifest(snapshot.manifestPath);
  if (manifest.regions.length !== snapshot.regions.length || manifest.regions.some((r, i) => r.sha256 !== snapshot.regions[i]?.sha256)) {
    throw snapshotError(`the manifest ${snapshot.manifestPath} does not describe this snapshot`);
  }
  const targets = snapshot.regions.map((region) => ({ region, live: liveBytesOf(model, region), filled: 0 }));
  let current = 0;
  for (const chunk of manifest.chunks) {
    const bytes = readChunk(snapshot.dir, chunk);
    let used = 0;
    while (used < bytes.length) {
      const target = targets[current];
      if (target === undefined) throw snapshotError(`chunk ${chunk.file} holds more bytes than the regions`);
      const take = Math.min(target.region.length - target.filled, bytes.length - used);
      target.live.set(bytes.subarray(used, used + take), target.filled);
      target.filled += take;
      used += take;
      if (target.filled === target.region.length) {
        if (sha256Hex(target.live) !== target.region.sha256) throw snapshotError(`restored bytes of ${target.region.buffer} at ${target.region.offset} do not match the snapshot's sha256`, target.region);
        current++;
      }
    }
  }
  const short = targets.find((t) => t.filled !== t.region.length && t.region.length > 0);
  if (short !== undefined) throw snapshotError('the chunks hold fewer bytes than the regions', short.region);
}

function chunkName(index: number): string {
  return `chunk-${String(index).padStart(5, '0')}.bin`;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

const validateManifest = compileSchema<SnapshotManifest>({
  type: 'object',
  required: ['format', 'version', 'chunkBytes', 'regions', 'chunks'],
  properties: {
    format: { const: 'invarlock-snapshot' },
    version: { const: 1 },
    chunkBytes: { type: 'integer', minimum: 1 },
    regions: { type: 'array' },
    chunks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['file', 'bytes', 'sha256'],
        properties: { file: { type: 'string', pattern: '^chunk-[0-9]{5,}\\.bin$' }, bytes: { type: 'integer', minimum: 0 }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
      },
    },
  },
});

function readManifest(path: string): SnapshotManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (error) {
    throw snapshotError(`cannot read the snapshot manifest ${path}`, undefined, error);
  }
  return validateManifest(parsed, { source: path, code: 'E_SNAPSHOT' });
}

function readChunk(dir: string, chunk: ChunkEntry): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(join(dir, chunk.file));
  } catch (error) {
    throw snapshotError(`snapshot chunk ${chunk.file} cannot be read`, undefined, error);
  }
  if (bytes.length !== chunk.bytes || sha256Hex(bytes) !== chunk.sha256) throw snapshotError(`snapshot chunk ${chunk.file} was altered (size or sha256 differs from the manifest)`);
  return bytes;
}
