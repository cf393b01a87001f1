import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvarlockError } from '../../errors/index.js';
import { parseImageRef, type ImageRef } from '../inputs/image-ref.js';

/**
 * `runtime-images/images.json` in the Action's checkout: the digest-pinned runtime images of this
 * release, written by the release workflow after it pushes them (runtime-images.yml). A value of
 * null means no image has been published for this version yet.
 */
export const IMAGES_FILE = join('runtime-images', 'images.json');

/** Which default image a run needs. */
export type ImageFlavor = 'cuda' | 'cpu';

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The image to run: the `runtime-image` input when given, else this release's pinned image of the
 * flavor. Throws `E_ACTION_INPUT` when there is no pinned default (set `runtime-image`) or the
 * file's entry is not digest-pinned.
 */
export async function chooseRuntimeImage(options: { readonly input: string | null; readonly flavor: ImageFlavor; readonly actionRoot: string }): Promise<ImageRef> {
  if (options.input !== null) {
    const ref = parseImageRef(options.input);
    if (ref === null) throw new InvarlockError('E_ACTION_INPUT', `runtime-image '${options.input}' is not an image reference`, { details: { field: 'runtime-image' } });
    return ref;
  }
  const path = join(options.actionRoot, IMAGES_FILE);
  let value: unknown = null;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    value = null;
  }
  const entry = isRecord(value) && isRecord(value['images']) ? value['images'][options.flavor] : undefined;
  if (typeof entry !== 'string') {
    throw new InvarlockError('E_ACTION_INPUT', `this Action version pins no default ${options.flavor} runtime image`, {
      hint: 'Set runtime-image to a digest-pinned image (repository@sha256:…), or use execution-mode: host.',
      details: { field: 'runtime-image', file: IMAGES_FILE },
    });
  }
  const ref = parseImageRef(entry);
  if (ref === null || ref.digest === null) {
    throw new InvarlockError('E_ACTION_INPUT', `${IMAGES_FILE} holds an unpinned ${options.flavor} image '${entry}'`, { details: { field: 'runtime-image', file: IMAGES_FILE } });
  }
  return ref;
}
