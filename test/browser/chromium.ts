import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, which the browser tests drive through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      // CI runs as root, where Chromium refuses to start sandboxed.
      args: ['--no-sandbox'],
      timeout: 30_000,
    });
  } catch (error) {
    throw new Error(
      `Chromium could not start from ${CHROMIUM}; the browser test needs it ` +
        `(Debian: apt-get install chromium). ${String(error)}`,
      { cause: error },
    );
  }
}
