// What the web UIs' end-to-end flows share: Debian's headless Chromium
// (never a downloaded browser), fresh profiles that record what a page
// reports against the Content-Security-Policy, the axe-core check, and
// screenshots kept in $CUSTODIAN_SCREENSHOTS (build/…/console-screenshots).
import AxeBuilder from '@axe-core/playwright';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const screenshots = process.env.CUSTODIAN_SCREENSHOTS ?? 'console-screenshots';

export class Browser {
  static async launch() {
    mkdirSync(screenshots, { recursive: true });
    return new Browser(await chromium.launch({
      executablePath: process.env.CUSTODIAN_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox'], // the tests may run as root
    }));
  }
  constructor(browser) {
    this.browser = browser;
    this.policyViolations = []; // what any page reported against the CSP
  }
  // A page of a fresh profile (no cookies) speaking `locale`.
  async newPage(locale = 'en-US', baseURL = undefined) {
    const context = await this.browser.newContext({ locale, baseURL });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) this.policyViolations.push(m.text());
    });
    return page;
  }
  close() {
    return this.browser.close();
  }
}

// No axe-core violation of impact serious or critical on the page as it is.
export async function accessible(page, screen) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help}`), [], `${screen} has axe violations`);
}

export const shot = (page, name) =>
  page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
