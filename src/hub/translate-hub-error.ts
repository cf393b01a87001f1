import { HubApiError } from '@huggingface/hub';
import { InvarlockError } from '../errors/index.js';

/**
 * Turns an error thrown by `@huggingface/hub` (or by fetch underneath it) into `E_DOWNLOAD`, with
 * the HTTP status and URL in `details` and a hint for the usual causes. Our own errors pass through.
 */
export function translateHubError(error: unknown, repo: string, what: string): InvarlockError {
  if (error instanceof InvarlockError) return error;
  if (error instanceof HubApiError) {
    const status = error.statusCode;
    const hint =
      status === 401 || status === 403
        ? 'The repository is gated, private or does not exist: pass an access token (HF_TOKEN) that may read it, and accept its licence on the hub.'
        : status === 404
          ? 'Check the repository name, the revision and the file path.'
          : status === 429
            ? 'The hub is rate limiting: retry later, or pass an access token.'
            : 'Retry later, or pre-fetch the files into the cache.';
    return new InvarlockError('E_DOWNLOAD', `${what} for ${repo} failed with HTTP ${status}: ${error.message}`, {
      hint,
      details: { repo, status, url: error.url },
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new InvarlockError('E_DOWNLOAD', `${what} for ${repo} failed: ${reason}`, {
    hint: 'Check the network connection and the hub endpoint (HF_ENDPOINT), or pre-fetch the files into the cache.',
    details: { repo },
    cause: error,
  });
}
