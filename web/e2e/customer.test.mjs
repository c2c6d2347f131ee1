// The customer's window (web/customer, served by the enforcer's local API)
// in Debian's headless Chromium against a real admin center and a real
// enforcer: opened through `enforcer prompt` and the prompt notifier's
// one-time URL; approve after confirming, approve with the customer's own
// credentials (R7, R14), Windows credentials for a session with the R15
// notice and their revocation (R12), deny, end a grant, German; a request
// from another origin refused, the one-time code refused on reuse. No
// serious or critical axe-core violation; screenshots in
// $CUSTODIAN_SCREENSHOTS.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminCenter, kPassword, startEnforcer } from './admincenter.mjs';
import { accessible, Browser, shot as screenshot } from './browser.mjs';

let ac;
let browser;
let pc; // the customer's computer
let tina; // the technician's bearer token
let notifier; // the script the enforcer runs when a prompt arrives

before(async () => {
  ac = await AdminCenter.start();
  await ac.api('POST', '/v1/groups', {
    id: 'g-support', name: 'Support',
    permissions: { unattended_access: true, request_windows_credentials: true },
  });
  await ac.api('POST', '/v1/technicians', {
    name: 'tina', password: kPassword, group_id: 'g-support', time_zone: 'Europe/Berlin',
  });
  tina = await ac.token('tina', kPassword);
  // The notifier gets the prompt's text as its argument and the window's
  // one-time URL on stdin.
  notifier = join(ac.dir, 'notifier.sh');
  // The URL's file appears last, whole (renamed into place).
  writeFileSync(notifier,
    '#!/bin/sh\nprintf "%s\\n" "$1" > "$0.text"\ncat > "$0.tmp" && mv "$0.tmp" "$0.url"\n');
  chmodSync(notifier, 0o700);
  const { code } = await ac.api('POST', '/v1/enrollment-codes', { ttl_minutes: 5 });
  pc = await startEnforcer(ac, code, 'pc-anna', 'windows', 'Europe/Vienna', {
    window_dir: process.env.CUSTODIAN_WINDOW_DIR,
    prompt_notifier: ['/bin/sh', notifier],
    windows_user: 'anna',
    windows_domain: 'HOME',
    command_wait_seconds: 2,
  });
  browser = await Browser.launch();
});
after(async () => {
  await browser?.close();
  pc?.stop();
  ac?.stop();
});

const newPage = (locale = 'en-US') => browser.newPage(locale);
const shot = (page, name) => screenshot(page, `customer-${name}`);

// A one-time URL of the window as `enforcer prompt --print` gives it.
function promptUrl() {
  const env = { ...process.env };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const r = spawnSync(process.env.CUSTODIAN_ENFORCER, ['prompt', '--state-dir', pc.state, '--print'],
    { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  const m = /(http:\/\/127\.0\.0\.1:\d+\/#code=[A-Za-z0-9_-]+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  return m[1];
}
// The window opened at a fresh one-time URL, the code already off the address bar.
async function openWindow(locale) {
  const page = await newPage(locale);
  await page.goto(promptUrl());
  await page.waitForURL((u) => u.hash === '');
  return page;
}

// The window's card of the prompt `id` (an unattended or credential
// request's id), whatever else waits beside it.
const promptCard = (page, id) => page.locator(`section[aria-labelledby="prompt-${id}"]`);

// The technician's side, through the admin center's API.
async function openSession() {
  return (await ac.api('POST', '/v1/sessions', { endpoint_id: pc.id, type: 'applet' }, tina)).id;
}
async function requestUnattended(mode, days = 3) {
  const session = await openSession();
  const r = await ac.api('POST', `/v1/sessions/${session}/unattended-requests`,
    { credential_mode: mode, schedule: { kind: 'days', days, time_reference: 'customer' } }, tina);
  return r.id;
}
async function adminCenterState(collection, id, want) {
  for (let i = 0; i < 200; ++i) {
    const item = (await ac.api('GET', `/v1/${collection}`)).items.find((x) => x.id === id);
    if (item?.state === want) return want;
    await sleep(50);
  }
  return (await ac.api('GET', `/v1/${collection}`)).items.find((x) => x.id === id)?.state;
}

describe('the customer', () => {
  test('opens the window from the notifier and allows unattended access after confirming', async () => {
    const url = `${notifier}.url`;
    const request = await requestUnattended('at_connection');
    for (let i = 0; i < 200 && !existsSync(url); ++i) await sleep(50);
    assert.ok(existsSync(url), 'the notifier ran');
    assert.match(readFileSync(`${notifier}.text`, 'utf8'), /tina asks for unattended access/);
    const page = await newPage();
    await page.goto(readFileSync(url, 'utf8').trim());
    await page.waitForURL((u) => u.hash === '');
    assert.ok(!page.url().includes('code='), 'the code left the address bar');
    const prompt = promptCard(page, request);
    assert.equal(await prompt.getByRole('heading').textContent(), 'Unattended access for tina');
    // Exactly what approving creates, in the customer's zone (R7).
    await assert.doesNotReject(prompt.getByText(/3 days\)/).waitFor());
    assert.match(await prompt.textContent(), /Europe\/Vienna/);
    await accessible(page, 'prompt');
    await shot(page, 'prompt');
    await prompt.getByRole('button', { name: 'Allow' }).click();
    await prompt.getByRole('button', { name: 'Yes, allow' }).click();
    await assert.doesNotReject(
      page.getByRole('status').getByText('You allowed tina unattended access.').waitFor());
    const grants = page.getByRole('region', { name: 'Unattended access you allowed' });
    await assert.doesNotReject(grants.getByText(/tina/).waitFor());
    assert.equal(await adminCenterState('unattended-requests', request, 'approved'), 'approved');
    await accessible(page, 'grant');
    await shot(page, 'grant');

    // ...and ends it.
    await grants.getByRole('button', { name: 'End the access of tina' }).click();
    await assert.doesNotReject(
      page.getByRole('status').getByText('The unattended access of tina has ended.').waitFor());
    await assert.doesNotReject(grants.getByText('None is running.').waitFor());
    const grant = (await ac.api('GET', '/v1/grants')).items.find((g) => g.request_id === request);
    assert.equal(await adminCenterState('grants', grant.id, 'revoked'), 'revoked');
    await page.context().close();
  });

  test('allows access with their own credentials, only the password typed (R7, R14)', async () => {
    const page = await openWindow();
    const request = await requestUnattended('at_setup');
    const prompt = promptCard(page, request);
    await prompt.waitFor();
    assert.equal(await prompt.getByLabel('User name').inputValue(), 'anna');
    await prompt.getByLabel('Password').fill('Customer-Pa55');
    await prompt.getByRole('button', { name: 'Allow with my credentials' }).click();
    await assert.doesNotReject(
      page.getByRole('status').getByText('You allowed tina unattended access.').waitFor());
    const grants = page.getByRole('region', { name: 'Unattended access you allowed' });
    await assert.doesNotReject(grants.getByText(/with your credentials \(anna\)/).waitFor());
    assert.equal(await adminCenterState('unattended-requests', request, 'approved'), 'approved');
    // The password is nowhere on the page any more.
    assert.ok(!(await page.content()).includes('Customer-Pa55'));
    await grants.getByRole('button', { name: 'End the access of tina' }).click();
    await assert.doesNotReject(grants.getByText('None is running.').waitFor());
    await page.context().close();
  });

  test('gives Windows credentials for a session, reads the R15 notice and revokes them (R12)', async () => {
    const page = await openWindow();
    const session = await openSession();
    await ac.api('PATCH', `/v1/sessions/${session}`, { screen_viewing: true }, tina);
    for (let i = 0; i < 100; ++i) {
      const s = (await pc.local('GET', '/v1/overview')).body.sessions.find((x) => x.id === session);
      if (s?.screen_viewing) break;
      await sleep(50);
    }
    const asked = await ac.api('POST', `/v1/sessions/${session}/credential-requests`, {}, tina);
    const prompt = promptCard(page, asked.id);
    await prompt.waitFor();
    assert.equal(await prompt.getByRole('heading').textContent(), 'Your Windows credentials for tina');
    assert.match(await prompt.textContent(), /User name: anna · Domain: HOME/);
    await accessible(page, 'windows credentials');
    await shot(page, 'windows-credentials');
    await prompt.getByLabel('Password').fill('Customer-Pa55');
    await prompt.getByRole('button', { name: 'Allow with my credentials' }).click();
    await assert.doesNotReject(
      page.getByRole('status').getByText(/can now unlock or restart this computer/).waitFor());
    const stored = page.getByRole('region', { name: 'Your stored credentials' });
    await stored.getByRole('button', { name: 'Revoke my credentials' }).click();
    await assert.doesNotReject(
      page.getByRole('status').getByText(/Your credentials were deleted/).waitFor());
    await assert.doesNotReject(stored.getByText('None are stored.').waitFor());
    await page.context().close();
  });

  test('denies a request', async () => {
    const page = await openWindow();
    const request = await requestUnattended('at_connection');
    const prompt = promptCard(page, request);
    await prompt.getByRole('button', { name: 'Deny' }).click();
    await assert.doesNotReject(
      page.getByRole('status').getByText('You denied the request of tina.').waitFor());
    assert.equal(await adminCenterState('unattended-requests', request, 'denied'), 'denied');
    await page.context().close();
  });

  test('reads the window in German', async () => {
    const page = await openWindow('de-DE');
    const request = await requestUnattended('at_connection');
    await assert.doesNotReject(page.getByRole('heading', { name: 'Wartet auf Ihre Antwort' }).waitFor());
    const prompt = promptCard(page, request);
    await prompt.getByRole('heading', { name: 'Unbeaufsichtigter Zugriff für tina' }).waitFor();
    await assert.doesNotReject(prompt.getByText(/bittet um unbeaufsichtigten Zugriff/).waitFor());
    await accessible(page, 'German');
    await shot(page, 'german');
    await prompt.getByRole('button', { name: 'Ablehnen' }).click();
    await assert.doesNotReject(
      page.getByRole('status').getByText('Sie haben die Anfrage von tina abgelehnt.').waitFor());
    assert.equal(await adminCenterState('unattended-requests', request, 'denied'), 'denied');
    await page.context().close();
  });
});

describe('the window refuses', () => {
  test('the one-time code a second time', async () => {
    const url = promptUrl();
    const first = await newPage();
    await first.goto(url);
    await assert.doesNotReject(first.getByRole('heading', { name: 'Waiting for your answer' }).waitFor());
    const second = await newPage();
    await second.goto(url);
    await assert.doesNotReject(
      second.getByRole('alert').getByText(/This link was used already or has expired/).waitFor());
    await accessible(second, 'code spent');
    await first.context().close();
    await second.context().close();
  });

  test('requests from another origin, though the browser sends its cookie', async () => {
    // The customer has the window open (their browser holds its cookie)...
    const window = await openWindow();
    const request = await requestUnattended('at_connection');
    await promptCard(window, request).waitFor();
    const prompt = await pc.prompt((p) => p.id === request);
    // ...and visits a page of another origin on the same machine (the admin
    // center's port: same site, so SameSite lets the cookie go along).
    const other = await window.context().newPage();
    await other.goto(ac.url + '/v1/nothing');
    const code = new URL(promptUrl()).hash.slice('#code='.length);
    const statuses = await other.evaluate(async ({ origin, id, code }) => {
      // What a page may send anywhere without asking (no preflight).
      const send = (path, body) => fetch(origin + path, {
        method: 'POST', mode: 'no-cors', credentials: 'include',
        ...(body === undefined ? {} : { headers: { 'Content-Type': 'text/plain' }, body }),
      }).then(() => 'sent', () => 'failed');
      return [
        await send(`/v1/prompts/${id}/deny`), // no body: no media type to refuse
        await send('/v1/window/session', JSON.stringify({ code })),
        // Reading needs CORS, which the window's API never grants.
        await fetch(origin + '/v1/prompts', { credentials: 'include' }).then(() => 'read', () => 'blocked'),
      ];
    }, { origin: pc.origin, id: prompt.id, code });
    assert.deepEqual(statuses, ['sent', 'sent', 'blocked']);
    // Nothing happened: the prompt still waits, and the code is unspent.
    assert.ok(await pc.prompt((p) => p.id === request), 'the prompt still waits');
    const page = await newPage();
    await page.goto(`${pc.origin}/#code=${code}`);
    await assert.doesNotReject(page.getByRole('heading', { name: 'Waiting for your answer' }).waitFor());
    await promptCard(page, request).getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('status').waitFor();
    await window.context().close();
    await page.context().close();
  });

  test('nothing against its Content-Security-Policy', () => {
    assert.deepEqual(browser.policyViolations, []);
  });
});
