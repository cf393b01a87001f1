/** Temporary model directories assembled from synthetic graphs and JSON files. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A fresh temporary directory (removed by {@link removeTempDirs}). */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `invarlock-adapters-${label}-`));
  made.push(dir);
  return dir;
}

/** Writes files (bytes, or JSON values) into a new temporary directory; `copyFrom` seeds it with another directory. */
export function modelDir(label: string, files: Readonly<Record<string, Uint8Array | object | string>>, copyFrom?: string): string {
  const dir = tempDir(label);
  if (copyFrom !== undefined) cpSync(copyFrom, dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content instanceof Uint8Array ? content : typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
