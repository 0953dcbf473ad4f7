import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from '../../src/devservices/chromium';

/** Debian's chromium, headless, quiet (no background networking, updates or sync): the browser tests' browser. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

/**
 * A tenant admin signs in to the console as a browser does: the tenant's
 * name, *Continue with SSO*, the demo IdP's own login page (email and name),
 * back on the console's first page, the approvals.
 */
export async function consoleSignIn(page: Page, appUrl: string, tenant: string, person: { email: string; name: string }): Promise<void> {
  await page.goto(`${appUrl}/console`);
  await page.fill('input[name=tenant]', tenant);
  await page.click('text=Continue with SSO');
  await page.waitForURL(/127\.0\.0\.1:\d+\/sso/);
  await page.fill('input[name=email]', person.email);
  await page.fill('input[name=name]', person.name);
  await page.click('button[type=submit]');
  await page.waitForURL(`${appUrl}/console/t/${tenant}/approvals`);
}
