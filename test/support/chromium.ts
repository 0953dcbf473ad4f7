import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_PATH } from '../../src/devservices/chromium';

/** Debian's chromium, headless, quiet (no background networking, updates or sync): the browser tests' browser. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
