import { existsSync } from 'node:fs';

/** Debian's Chromium: Playwright's own browser download cannot work on these machines. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What playwright-core's `chromium.launch()` takes for the browser tests. Throws when the
 * browser is missing: never a silent skip (CI installs it with scripts/quickstart.sh setup).
 */
export function chromiumLaunchOptions(): { executablePath: string; args: string[] } {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `${CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install -y chromium)`,
    );
  return {
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}
