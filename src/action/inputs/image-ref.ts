/** A container image reference split into its parts. */
export interface ImageRef {
  /** Registry and repository, e.g. `ghcr.io/invarlock/invarlock-cuda`. */
  readonly repository: string;
  readonly tag: string | null;
  /** `sha256:<64 hex>` or null when the reference is not pinned. */
  readonly digest: string | null;
}

const REPOSITORY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Parses `repository[:tag][@sha256:…]` (the Docker reference grammar, lower-case repository).
 * Returns null when the text is not a valid reference.
 */
export function parseImageRef(text: string): ImageRef | null {
  const at = text.indexOf('@');
  const namePart = at >= 0 ? text.slice(0, at) : text;
  const digest = at >= 0 ? text.slice(at + 1) : null;
  if (digest !== null && !DIGEST.test(digest)) return null;
  const lastSlash = namePart.lastIndexOf('/');
  const colon = namePart.indexOf(':', lastSlash + 1);
  const repository = colon >= 0 ? namePart.slice(0, colon) : namePart;
  const tag = colon >= 0 ? namePart.slice(colon + 1) : null;
  if (!REPOSITORY.test(repository)) return null;
  if (tag !== null && !TAG.test(tag)) return null;
  return { repository, tag, digest };
}

/** The reference that runs exactly the image with this digest: `repository@sha256:…`. */
export function pinnedRef(ref: ImageRef, digest: string): string {
  return `${ref.repository}@${digest}`;
}

/** Formats a reference back to text. */
export function formatImageRef(ref: ImageRef): string {
  return `${ref.repository}${ref.tag === null ? '' : `:${ref.tag}`}${ref.digest === null ? '' : `@${ref.digest}`}`;
}
