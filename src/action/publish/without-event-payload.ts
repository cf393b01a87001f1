/**
 * Loads a module with GITHUB_EVENT_PATH unset. `@actions/github` (and `@actions/artifact`, which
 * imports it) reads and parses the event payload when it loads: a malformed payload throws and a
 * FIFO blocks, before our own checked reading of it (context.ts) could turn that into an input
 * error. We never use their context, so they load without one (#13: a bad payload still ends in a
 * verdict and a completed check run).
 */
export async function withoutEventPayload<T>(load: () => Promise<T>): Promise<T> {
  const saved = process.env['GITHUB_EVENT_PATH'];
  delete process.env['GITHUB_EVENT_PATH'];
  try {
    return await load();
  } finally {
    if (saved !== undefined) process.env['GITHUB_EVENT_PATH'] = saved;
  }
}
