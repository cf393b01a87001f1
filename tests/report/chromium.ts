/**
 * Headless Chromium for the HTML report tests and the fixture generator. Debian's package is
 * `chromium` (`apt-get install -y chromium`). The page is loaded from a file with networking,
 * sync and component updates off; console messages (a CSP violation is one) go to stderr as
 * `INFO:CONSOLE` lines, which `screenshotHtml` returns.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Chromium binary on PATH, or undefined when none is installed. */
export function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  }
  return undefined;
}

/** Screenshot of `htmlPath` at 1200×1600 into `pngPath`; returns the console lines Chromium logged. */
export function screenshotHtml(binary: string, htmlPath: string, pngPath: string): string[] {
  const profile = mkdtempSync(join(tmpdir(), 'invarlock-chromium-'));
  try {
    const result = spawnSync(
      binary,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        '--enable-logging=stderr',
        '--v=0',
        `--screenshot=${pngPath}`,
        '--window-size=1200,1600',
        `file://${htmlPath}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (result.error !== undefined) throw result.error;
    return `${result.stderr}\n${result.stdout}`.split('\n').filter((line) => line.includes(':CONSOLE'));
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Chromium's version line, for messages. */
export function chromiumVersion(binary: string): string {
  return execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}
