import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stageShardPartials } from '../../src/action/evaluate/shard-collect.js';
import { removeDirs, tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => removeDirs(dirs));

describe('stageShardPartials', () => {
  it('collects partial results from artifact folders, flat and in path order, skipping symlinks', async () => {
    const dir = tempDir();
    dirs.push(dir);
    for (const i of [2, 1, 3]) {
      mkdirSync(join(dir, 'in', `shard-${i}`), { recursive: true });
      writeFileSync(join(dir, 'in', `shard-${i}`, 'shard.partial.json'), `{"i":${i}}`);
    }
    writeFileSync(join(dir, 'secret.partial.json'), '{}');
    symlinkSync(join(dir, 'secret.partial.json'), join(dir, 'in', 'evil.partial.json'));
    writeFileSync(join(dir, 'in', 'notes.txt'), 'ignored');
    const staged = await stageShardPartials(join(dir, 'in'), join(dir, 'stage'));
    expect(staged.sources).toEqual(['shard-1/shard.partial.json', 'shard-2/shard.partial.json', 'shard-3/shard.partial.json']);
    expect(readdirSync(join(dir, 'stage'))).toEqual(['shard-0001.partial.json', 'shard-0002.partial.json', 'shard-0003.partial.json']);
  });

  it('fails with E_FILE_NOT_FOUND when there is nothing to aggregate', async () => {
    const dir = tempDir();
    dirs.push(dir);
    await expect(stageShardPartials(dir, join(dir, 'stage'))).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND', details: { field: 'aggregate' } });
    await expect(stageShardPartials(join(dir, 'missing'), join(dir, 'stage'))).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
  });
});
