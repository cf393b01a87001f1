import { InvarlockError, isInvarlockError } from '../../errors/index.js';
import { resolveHubDatasetFile, type ResolvedHubDatasetFile } from '../../hub/index.js';
import type { LoadDatasetOptions, WikitextSplit } from './types.js';

/** Where the hub publishes WikiText-2 raw: a dataset repository and the config folder inside it. */
export const WIKITEXT2_HUB = Object.freeze({ repo: 'Salesforce/wikitext', config: 'wikitext-2-raw-v1', column: 'text' } as const);

/** The parquet file of a WikiText-2 raw split in {@link WIKITEXT2_HUB}'s repository. */
export function wikitext2HubPath(split: WikitextSplit): string {
  return `${WIKITEXT2_HUB.config}/${split}-00000-of-00001.parquet`;
}

/**
 * Resolves a WikiText-2 raw split to its parquet file in the hub cache, downloading it when
 * `options.network` is `allow` (see `resolveHubDatasetFile`). The revision is pinned to a commit.
 *
 * @throws `E_NETWORK_DISALLOWED` when the split is not cached and network is denied (details.repo,
 *   revision, file, cacheDir, split; the hint names --allow-network and --dataset-path);
 *   `E_DOWNLOAD` for hub errors and hash mismatches.
 */
export async function resolveWikitext2Split(split: WikitextSplit, revision: string, options: LoadDatasetOptions): Promise<ResolvedHubDatasetFile> {
  const path = wikitext2HubPath(split);
  try {
    return await resolveHubDatasetFile(
      { repo: WIKITEXT2_HUB.repo, revision, path },
      {
        ...(options.network === undefined ? {} : { network: options.network }),
        ...(options.hubCacheDir === undefined ? {} : { cacheDir: options.hubCacheDir }),
        ...(options.hubUrl === undefined ? {} : { hubUrl: options.hubUrl }),
        ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
      },
    );
  } catch (error) {
    if (!isInvarlockError(error, 'E_NETWORK_DISALLOWED')) throw error;
    // The hub's hint covers downloads; a dataset can also come from a local copy of the raw text.
    const cacheDir = error.details['cacheDir'];
    throw new InvarlockError('E_NETWORK_DISALLOWED', `wikitext2 (${split} split) is not in the hub cache and network access is not allowed`, {
      details: { ...error.details, split },
      hint:
        'Allow the download with --allow-network (CLI), `allow-network: true` (Action) or `allow_network: true` (config file); ' +
        `or give a local copy of the raw split (wiki.${split === 'validation' ? 'valid' : split}.raw of the WikiText-2 raw release) with --dataset-path ` +
        `(config: dataset.path); or pre-fetch it with \`huggingface-cli download ${WIKITEXT2_HUB.repo} ${path} --repo-type dataset --revision ${revision}` +
        (typeof cacheDir === 'string' ? ` --cache-dir ${cacheDir}\`.` : '`.'),
      cause: error,
    });
  }
}
