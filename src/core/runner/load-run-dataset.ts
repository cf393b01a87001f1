import { loadDataset, type Dataset } from '../../eval/index.js';
import type { RunConfig } from '../config/index.js';

/** Where the dataset of a run is read from besides the config: relative paths, and the hub. */
export interface DatasetLocation {
  readonly cwd: string;
  readonly hubUrl?: string;
  readonly accessToken?: string;
}

/** Reads the run's dataset as the config names it (text documents or labelled examples). */
export function loadRunDataset(config: RunConfig, where: DatasetLocation): Promise<Dataset> {
  return loadDataset(config.dataset.provider, {
    cwd: where.cwd,
    split: config.dataset.split,
    dedupe: config.dataset.dedupe ? 'exact' : 'none',
    ...(config.dataset.path === null ? {} : { dataPath: config.dataset.path }),
    network: config.allowNetwork ? 'allow' : 'deny',
    ...(config.cacheDir === null ? {} : { hubCacheDir: config.cacheDir }),
    ...(where.hubUrl === undefined ? {} : { hubUrl: where.hubUrl }),
    ...(where.accessToken === undefined ? {} : { accessToken: where.accessToken }),
  });
}
