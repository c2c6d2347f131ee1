// The customer, for tools/demo.sh: opens the customer's window at a
// one-time URL (from `enforcer prompt --print`) in Debian's headless
// Chromium and answers the first prompt as a person would, printing what
// the window showed. With a password on stdin it is typed into the prompt's
// form (the user name is pre-filled); without, the customer allows after
// confirming.
//
//   node web/demo/customer-window.mjs URL [< password]
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const url = process.argv[2];
if (!url) {
  console.error('usage: customer-window.mjs URL [< password]');
  process.exit(2);
}
const password = process.stdin.isTTY ? '' : readFileSync(0, 'utf8').replace(/\n$/, '');
const browser = await chromium.launch({
  executablePath: process.env.CUSTODIAN_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage();
  await page.goto(url);
  const prompt = page.locator('section.prompt').first();
  await prompt.waitFor({ timeout: 20000 });
  console.log(`window: ${await prompt.locator('h2').textContent()}`);
  console.log(`window: ${await prompt.locator('p').first().textContent()}`);
  if (password) {
    await prompt.getByLabel('Password').fill(password);
    await prompt.getByRole('button', { name: 'Allow with my credentials' }).click();
  } else {
    await prompt.getByRole('button', { name: 'Allow' }).click();
    await prompt.getByRole('button', { name: 'Yes, allow' }).click();
  }
  console.log(`window: ${await page.getByRole('status').textContent()}`);
} finally {
  await browser.close();
}
