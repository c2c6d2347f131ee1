// The console's flows in Debian's headless Chromium (never a downloaded
// browser) against a real admin center on loopback: each role signs in and
// sees what the API lets it see, a validation error lands at its field,
// German, a session that ended, CSRF refused, and no serious or critical
// axe-core violation on any screen. Every screen is kept as a screenshot
// in $CUSTODIAN_SCREENSHOTS (build/…/console-screenshots).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminCenter, kPassword, startEnforcer } from './admincenter.mjs';
import { accessible, Browser, shot } from './browser.mjs';

let ac;
let browser;

before(async () => {
  ac = await AdminCenter.start();
  await ac.api('POST', '/v1/groups', {
    id: 'g-support', name: 'Support',
    permissions: { unattended_access: true, request_windows_credentials: true },
    unattended: { max_days: 30 },
  });
  await ac.api('POST', '/v1/groups', { id: 'g-tier2', name: 'Tier 2', parent_id: 'g-support' });
  await ac.api('POST', '/v1/technicians', {
    name: 'tina', password: kPassword, group_id: 'g-tier2', time_zone: 'Europe/Berlin',
  });
  await ac.api('POST', '/v1/auditors', { name: 'udo', password: kPassword });
  await ac.api('POST', '/v1/admins', { name: 'alice', password: kPassword, scopes: ['g-support'] });
  await ac.api('PATCH', '/v1/admins/' + (await ac.api('GET', '/v1/admins')).items.find(
    (a) => a.name === 'admin').id, { password: kPassword });
  browser = await Browser.launch();
});
after(async () => {
  await browser?.close();
  ac?.stop();
});

// A fresh browser profile (no cookies) speaking `locale`.
const newPage = (locale = 'en-US') => browser.newPage(locale, ac.url);
async function signIn(page, name, { locale = 'en' } = {}) {
  await page.goto('/');
  const labels = locale === 'de' ? ['Name', 'Passwort', 'Anmelden'] : ['Name', 'Password', 'Sign in'];
  await page.getByLabel(labels[0]).fill(name);
  await page.getByLabel(labels[1]).fill(kPassword);
  await page.getByRole('button', { name: labels[2] }).click();
}
// The status a GET of `path` gets from the page, with its cookie.
const statusAsPage = (page, path) =>
  page.evaluate(async (p) => (await fetch(p)).status, path);

describe('the master admin', () => {
  test('signs in, sees the group tree and creates a group', async () => {
    const page = await newPage();
    await page.goto('/');
    await accessible(page, 'sign-in');
    await shot(page, 'sign-in');
    await signIn(page, 'admin');
    await page.getByRole('link', { name: 'Groups' }).click();
    const tree = page.getByRole('list', { name: 'Technician groups' });
    await assert.doesNotReject(tree.getByText('Tier 2').waitFor());
    assert.deepEqual(await tree.locator('.name').allTextContents(), ['Support', 'Tier 2']);
    assert.equal(new URL(page.url()).pathname, '/groups');
    await accessible(page, 'groups');
    await shot(page, 'groups');

    // The API's JSON pointer puts the error at its field.
    const form = page.getByRole('form', { name: 'Create group' });
    await form.getByLabel('ID').fill('not a valid id!');
    await form.getByLabel('Name').fill('Field service');
    await form.getByRole('button', { name: 'Create group' }).click();
    const id = form.getByLabel('ID');
    await assert.doesNotReject(page.locator('#id-error').waitFor());
    assert.equal(await id.getAttribute('aria-invalid'), 'true');
    assert.equal(await id.getAttribute('aria-describedby'), 'id-error');
    assert.match(await page.locator('#id-error').textContent(), /./);
    await accessible(page, 'groups with a validation error');
    await shot(page, 'groups-validation-error');

    await id.fill('g-field');
    await form.getByRole('button', { name: 'Create group' }).click();
    await assert.doesNotReject(page.getByRole('status').getByText('Group Field service created.').waitFor());
    await assert.doesNotReject(tree.getByText('Field service').waitFor());
    assert.ok((await ac.api('GET', '/v1/groups/g-field')).name === 'Field service');

    // The editor: what is in effect and where it comes from; set, inherit.
    await tree.getByRole('button', { name: 'Tier 2' }).click();
    const editor = page.getByRole('region', { name: 'Group Tier 2' });
    const permissions = editor.getByRole('table', { name: 'Permissions' });
    const unattended = permissions.getByRole('row', { name: /^Unattended access/ });
    await assert.doesNotReject(unattended.getByRole('cell', { name: 'group g-support' }).waitFor());
    assert.match(await unattended.textContent(), /allowed/);
    await editor.getByLabel('Unattended access in this group').selectOption('deny');
    await assert.doesNotReject(unattended.getByRole('cell', { name: 'set here' }).waitFor());
    assert.match(await unattended.textContent(), /not allowed/);
    await accessible(page, 'group editor');
    await shot(page, 'group-editor');
    const edit = editor.getByRole('form', { name: 'Edit the group' });
    await edit.getByLabel('Day cap (empty: inherit)').fill('0');
    await edit.getByRole('button', { name: 'Save' }).click();
    await assert.doesNotReject(page.locator('#group-max-days-error').waitFor());
    await edit.getByLabel('Day cap (empty: inherit)').fill('10');
    await edit.getByRole('button', { name: 'Save' }).click();
    await assert.doesNotReject(editor.getByText('Day cap for unattended access: 10 (set here).').waitFor());
    // The group narrows the authentication modes, then inherits them again.
    const modes = editor.getByRole('group', { name: 'Authentication modes for unattended access' });
    await modes.getByLabel("The customer's Windows credentials, given once").click();
    await assert.doesNotReject(modes.getByText(/^In effect: Administrator credentials at each connection \(set here\)\.$/).waitFor());
    await modes.getByRole('button', { name: 'Inherit the modes' }).click();
    await assert.doesNotReject(modes.getByText(/\(the global settings\)\.$/).waitFor());
    await editor.getByLabel('Unattended access in this group').selectOption('inherit');
    await assert.doesNotReject(unattended.getByRole('cell', { name: 'group g-support' }).waitFor());
    assert.equal((await ac.api('GET', '/v1/groups/g-tier2')).unattended.max_days, 10);
    await edit.getByLabel('Day cap (empty: inherit)').fill('');
    await edit.getByRole('button', { name: 'Save' }).click();
    await assert.doesNotReject(
      editor.getByText('Day cap for unattended access: 30 (group g-support).').waitFor(),
    );

    // A reload keeps the session and the screen.
    await page.reload();
    await assert.doesNotReject(tree.getByText('Field service').waitFor());
    await page.context().close();
  });
});

describe('endpoints', () => {
  test('an enrollment code from the console enrolls a real enforcer, shown with its bundle', async () => {
    const page = await newPage();
    await signIn(page, 'admin');
    await page.getByRole('link', { name: 'Endpoints' }).click();
    await assert.doesNotReject(page.getByText('No endpoint has enrolled yet.').waitFor());
    await page.getByRole('button', { name: 'Create an enrollment code' }).click();
    const code = await page.getByTestId('enrollment-code').textContent();
    const enforcer = await startEnforcer(ac, code, 'kiosk-7');
    try {
      const row = page.getByRole('row', { name: /kiosk-7/ });
      for (let i = 0; i < 100 && !(await row.getByText(/\(current\)/).count()); ++i) {
        await page.waitForTimeout(200);
        await page.reload();
      }
      assert.match(await row.textContent(), /linux.*Europe\/Berlin.*version \d+ \(current\)/);
      await accessible(page, 'endpoints');
      await shot(page, 'endpoints');
    } finally {
      enforcer.stop();
    }
    await page.context().close();
  });
});

describe('the technician console', () => {
  test('checks a request with the policy, sends it, follows the answer and connects', async () => {
    const { code } = await ac.api('POST', '/v1/enrollment-codes', { ttl_minutes: 5 });
    const pc = await startEnforcer(ac, code, 'pc-anna', 'windows', 'America/New_York');
    try {
      const page = await newPage();
      await signIn(page, 'tina');
      await page.getByRole('link', { name: 'Sessions' }).click();
      const open = page.getByRole('form', { name: 'Open a support session' });
      await open.getByLabel('Endpoint ID').fill(pc.id);
      await open.getByRole('button', { name: 'Open session' }).click();
      const request = page.getByRole('form', { name: `Unattended access to ${pc.id}` });
      await request.waitFor();

      // The seed's refusal, seen before sending: customer credentials for 20 days (R6).
      await request.getByLabel("The customer's Windows credentials, given once").check();
      await request.getByLabel('Days', { exact: true }).fill('20');
      await request.getByRole('button', { name: 'Check with the policy' }).click();
      const answer = request.getByRole('status', { name: "The policy's answer" });
      await assert.doesNotReject(answer.getByText('The policy refuses this request:').waitFor());
      assert.match(await answer.textContent(), /R6/);
      await accessible(page, 'technician request refused');
      await shot(page, 'technician-request-refused');

      await request.getByLabel('Administrator credentials at each connection').check();
      await request.getByLabel('Days', { exact: true }).fill('7');
      await request.getByRole('button', { name: 'Check with the policy' }).click();
      await assert.doesNotReject(answer.getByText(/The policy allows this request/).waitFor());
      await request.getByRole('button', { name: 'Request' }).click();
      await assert.doesNotReject(request.getByText(/^Request ureq_.* sent to the customer\.$/).waitFor());
      const requests = page.getByRole('list', { name: 'Requests' });
      await assert.doesNotReject(requests.getByText('waiting for the customer').waitFor());

      // The customer approves on their computer; the console follows.
      const prompt = await pc.prompt();
      assert.ok(prompt, 'the customer was asked');
      assert.equal((await pc.local('POST', `/v1/prompts/${prompt.id}/approve`, {})).status, 200);
      await assert.doesNotReject(requests.getByText('approved').waitFor());
      const grants = page.getByRole('list', { name: 'Grants' });
      await grants.getByRole('button', { name: 'Connect' }).click();
      const connections = page.getByRole('list', { name: 'Connections' });
      await assert.doesNotReject(
        connections.getByText(/waiting for administrator credentials on the endpoint|^active$/).waitFor(),
      );
      await accessible(page, 'technician connected');
      await shot(page, 'technician-connected');

      // Windows credentials: refused without screen viewing (R13), then
      // given by the customer, then applied.
      const windows = page.getByRole('region', { name: `Windows credentials on ${pc.id}` });
      await windows.getByRole('button', { name: 'Ask the customer for Windows credentials' }).click();
      await assert.doesNotReject(windows.getByRole('alert').getByText(/R13/).waitFor());
      // Checked once the admin center has it (the box shows the session's state).
      const viewing = windows.getByLabel('Screen viewing is on');
      await viewing.click();
      for (let i = 0; i < 100 && !(await viewing.isChecked()); ++i) await sleep(50);
      assert.ok(await viewing.isChecked());
      await windows.getByRole('button', { name: 'Ask the customer for Windows credentials' }).click();
      await assert.doesNotReject(windows.getByText('Windows credentials: waiting for the customer').waitFor());
      const asked = (await ac.api('GET', '/v1/credential-requests')).items.find((c) => c.state === 'pending');
      assert.ok(await pc.prompt((p) => p.id === asked.id), 'the customer was asked for credentials');
      assert.equal(
        (await pc.local('POST', `/v1/prompts/${asked.id}/approve`, { password: 'Customer-Pa55' })).status,
        200,
      );
      await assert.doesNotReject(windows.getByText('Windows credentials: stored on the endpoint').waitFor());
      await windows.getByRole('button', { name: 'Unlock with them' }).click();
      await assert.doesNotReject(windows.getByRole('status').getByText(/^Unlock: /).waitFor());
      await accessible(page, 'technician windows credentials');
      await shot(page, 'technician-windows-credentials');
      await page.context().close();
    } finally {
      pc.stop();
    }
  });
});

describe('access', () => {
  test('the master admin sees the grant in both zones and revokes it; an auditor only looks', async () => {
    const page = await newPage();
    await signIn(page, 'admin');
    await page.getByRole('link', { name: 'Access' }).click();
    const grants = page.getByRole('table', { name: 'Grants' });
    const row = grants.getByRole('row', { name: /tina/ });
    await row.waitFor();
    assert.match(await row.textContent(), /\(America\/New_York\).*\(Europe\/Berlin\)/);
    // 7 days from today: one period on the 14-day timeline.
    assert.equal(
      await row.getByRole('img').getAttribute('aria-label'),
      'Periods of use in the next 14 days: 1',
    );
    await accessible(page, 'access');
    await shot(page, 'access');
    await row.getByRole('button', { name: /Revoke grant/ }).click();
    await assert.doesNotReject(row.getByRole('cell', { name: 'revoked' }).waitFor());
    await page.context().close();

    const auditor = await newPage();
    await signIn(auditor, 'udo');
    await auditor.getByRole('link', { name: 'Access' }).click();
    await auditor.getByRole('table', { name: 'Grants' }).getByRole('row', { name: /revoked/ }).waitFor();
    assert.equal(await auditor.getByRole('button', { name: /Revoke grant/ }).count(), 0);
    await auditor.context().close();
  });
});

describe('the audit log', () => {
  test('an auditor filters it, pages through it, opens a record and downloads it', async () => {
    const page = await newPage();
    await signIn(page, 'udo');
    await page.getByRole('link', { name: 'Audit' }).click();
    await assert.doesNotReject(page.getByRole('status').getByText(/The chain verifies/).waitFor());
    const events = page.getByRole('table', { name: 'Audit events' });
    await events.waitFor();
    const total = (await ac.api('GET', '/v1/audit/checkpoint')).seq;
    assert.match(await page.getByText(/^Events 1–/).textContent(), new RegExp(`of \\d+`));
    if (total > 25) {
      await page.getByRole('button', { name: 'Next' }).click();
      await assert.doesNotReject(page.getByText('Page 2 of').waitFor());
    }
    await accessible(page, 'audit');
    await shot(page, 'audit');

    const filters = page.getByRole('form', { name: 'Filter events' });
    await filters.getByLabel('Action').fill('group.create');
    await filters.getByRole('button', { name: 'Show events' }).click();
    await assert.doesNotReject(events.getByRole('cell', { name: 'group:g-tier2' }).waitFor());
    const actions = await events.locator('tbody tr td:nth-child(4)').allTextContents();
    assert.ok(actions.length >= 2 && actions.every((a) => a === 'group.create'), actions.join());
    await events.getByRole('button', { name: /The whole record of event/ }).first().click();
    const record = JSON.parse(await page.locator('pre').first().textContent());
    assert.equal(record.action, 'group.create');
    assert.match(record.hash, /^[0-9a-f]{64}$/);

    // The download takes the filters shown.
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'CSV' }).click();
    const csv = await (await download).path();
    const { readFileSync } = await import('node:fs');
    assert.match(readFileSync(csv, 'utf8').split('\n')[0], /^seq,id,ts,actor_kind/);
    await page.context().close();
  });

  test('is not offered to a scoped admin, and its API refuses them', async () => {
    const page = await newPage();
    await signIn(page, 'alice');
    await page.getByRole('link', { name: 'People' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Audit' }).count(), 0);
    assert.equal(await statusAsPage(page, '/v1/audit/events'), 403);
    await page.context().close();
  });
});

describe('people', () => {
  test('the master admin adds a technician, disables and enables them', async () => {
    const page = await newPage();
    await signIn(page, 'admin');
    await page.getByRole('link', { name: 'People' }).click();
    for (const heading of ['Technicians', 'Admins', 'Auditors']) {
      await assert.doesNotReject(page.getByRole('heading', { name: heading }).waitFor());
    }
    const form = page.getByRole('form', { name: 'Add to Technicians' });
    await form.getByLabel('Name').fill('tom');
    await form.getByLabel('Password').fill(kPassword);
    await form.getByLabel('Time zone').fill('Europe/Berlin');
    await form.getByLabel('Group').fill('g-nowhere');
    await form.getByRole('button', { name: 'Add to Technicians' }).click();
    const group = form.getByLabel('Group');
    await assert.doesNotReject(page.locator('#create-technicians-group-error').waitFor());
    assert.equal(await group.getAttribute('aria-invalid'), 'true');
    await group.fill('g-tier2');
    await form.getByRole('button', { name: 'Add to Technicians' }).click();
    await assert.doesNotReject(form.getByRole('status').getByText('tom added.').waitFor());
    const technicians = page.getByRole('table', { name: 'Technicians' });
    const tom = technicians.getByRole('row', { name: /tom/ });
    await assert.doesNotReject(tom.getByRole('cell', { name: 'active' }).waitFor());
    await accessible(page, 'people');
    await shot(page, 'people');

    await page.getByRole('button', { name: 'Disable tom' }).click();
    await assert.doesNotReject(tom.getByRole('cell', { name: 'disabled' }).waitFor());
    const refused = await newPage();
    await signIn(refused, 'tom');
    await assert.doesNotReject(
      refused.getByRole('alert').getByText('The name or password is wrong.').waitFor(),
    );
    await refused.context().close();
    await page.getByRole('button', { name: 'Enable tom' }).click();
    await assert.doesNotReject(tom.getByRole('cell', { name: 'active' }).waitFor());

    // A password too short is refused at its field; a good one lets tom in.
    await page.getByRole('button', { name: 'Set the password of tom' }).click();
    const reset = page.getByRole('form', { name: 'Set the password of tom' });
    await reset.getByLabel('New password').fill('short');
    await reset.getByRole('button', { name: 'Set password' }).click();
    await assert.doesNotReject(reset.getByRole('alert').waitFor());
    await reset.getByLabel('New password').fill('a brand new long password');
    await reset.getByRole('button', { name: 'Set password' }).click();
    await assert.doesNotReject(tom.getByRole('button', { name: 'Set the password of tom' }).getByText('Password set').waitFor());
    const tomPage = await newPage();
    await tomPage.goto('/');
    await tomPage.getByLabel('Name').fill('tom');
    await tomPage.getByLabel('Password').fill('a brand new long password');
    await tomPage.getByRole('button', { name: 'Sign in' }).click();
    await assert.doesNotReject(tomPage.getByRole('heading', { name: 'Welcome, tom' }).waitFor());
    await tomPage.context().close();
    await page.context().close();
  });

  test('a scoped admin manages technicians only', async () => {
    const page = await newPage();
    await signIn(page, 'alice');
    await page.getByRole('link', { name: 'People' }).click();
    await assert.doesNotReject(page.getByRole('heading', { name: 'Technicians' }).waitFor());
    assert.equal(await page.getByRole('heading', { name: 'Admins' }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'Auditors' }).count(), 0);
    assert.equal(await statusAsPage(page, '/v1/admins'), 403);
    await page.context().close();
  });
});

describe('a technician', () => {
  test('sees no Groups screen and is refused the API behind it', async () => {
    const page = await newPage();
    await signIn(page, 'tina');
    await assert.doesNotReject(page.getByRole('heading', { name: 'Welcome, tina' }).waitFor());
    assert.equal(await page.getByRole('link', { name: 'Groups' }).count(), 0);
    assert.equal(await statusAsPage(page, '/v1/groups'), 403);
    // Typing the screen's address opens the start page instead.
    await page.goto('/groups');
    await assert.doesNotReject(page.getByRole('heading', { name: 'Welcome, tina' }).waitFor());
    await accessible(page, 'technician home');
    await shot(page, 'technician-home');
    await page.context().close();
  });
});

describe('an auditor', () => {
  test('sees the groups but cannot edit them', async () => {
    const page = await newPage();
    await signIn(page, 'udo');
    await page.getByRole('link', { name: 'Groups' }).click();
    await assert.doesNotReject(page.getByText('Tier 2').waitFor());
    assert.equal(await page.getByRole('form', { name: 'Create group' }).count(), 0);
    const status = await page.evaluate(async () => {
      const me = await (await fetch('/v1/console/session')).json();
      const r = await fetch('/v1/groups', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
        body: JSON.stringify({ name: 'Sneaky' }),
      });
      return r.status;
    });
    assert.equal(status, 403);
    await page.context().close();
  });
});

describe('the session', () => {
  test('refuses a state change without its CSRF token', async () => {
    const page = await newPage();
    await signIn(page, 'admin');
    await page.getByRole('link', { name: 'Groups' }).waitFor();
    const answer = await page.evaluate(async () => {
      const r = await fetch('/v1/groups', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: 'g-csrf', name: 'Forged' }),
      });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(answer.status, 403);
    assert.match(answer.body.detail, /CSRF/);
    await assert.rejects(ac.api('GET', '/v1/groups/g-csrf'));
    await page.context().close();
  });

  test('that ended says so and asks to sign in again', async () => {
    const page = await newPage();
    await signIn(page, 'admin');
    await page.getByRole('link', { name: 'Groups' }).waitFor();
    // Its token revoked elsewhere (the cookie is HttpOnly; the test's
    // browser context may read it).
    const cookie = (await page.context().cookies()).find((c) => c.name === 'custodian_session');
    assert.ok(cookie.httpOnly);
    assert.equal(cookie.sameSite, 'Strict');
    await ac.api('DELETE', `/v1/tokens/${cookie.value.split('.')[0]}`);
    await page.getByRole('link', { name: 'Groups' }).click();
    await assert.doesNotReject(
      page.getByRole('status').getByText('Your session has expired. Sign in again.').waitFor(),
    );
    await shot(page, 'session-expired');
    await page.context().close();
  });

  test('ends with signing out', async () => {
    const page = await newPage();
    await signIn(page, 'udo');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await assert.doesNotReject(page.getByRole('status').getByText('You have signed out.').waitFor());
    assert.equal(await statusAsPage(page, '/v1/console/session'), 401);
    await page.context().close();
  });
});

describe('by keyboard alone', () => {
  test('signing in and opening a screen need no mouse', async () => {
    const page = await newPage();
    await page.goto('/');
    await page.getByLabel('Name').waitFor();
    await page.keyboard.press('Tab'); // the first control is the name field
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'name');
    await page.keyboard.type('udo');
    await page.keyboard.press('Tab');
    await page.keyboard.type(kPassword);
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Groups' }).waitFor();
    // Tab to the Groups link and follow it with Enter.
    for (let i = 0; i < 10; ++i) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Groups') break;
    }
    await page.keyboard.press('Enter');
    await assert.doesNotReject(page.getByRole('heading', { name: 'Technician groups' }).waitFor());
    await page.context().close();
  });
});

describe('in German', () => {
  test('the console follows the browser and can be switched back', async () => {
    const page = await newPage('de-DE');
    await page.goto('/');
    await assert.doesNotReject(page.getByRole('heading', { name: 'Bei Custodian anmelden' }).waitFor());
    await signIn(page, 'admin', { locale: 'de' });
    await page.getByRole('link', { name: 'Gruppen' }).click();
    await assert.doesNotReject(page.getByRole('heading', { name: 'Technikergruppen' }).waitFor());
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
    await accessible(page, 'groups (de)');
    await shot(page, 'groups-de');
    await page.getByLabel('Sprache').selectOption('en');
    await assert.doesNotReject(page.getByRole('heading', { name: 'Technician groups' }).waitFor());
    await page.context().close();
  });
});

describe('settings', () => {
  test('the master admin changes a lifetime (errors at the field) and rotates and retires keys', async () => {
    const page = await newPage();
    await signIn(page, 'admin');
    await page.getByRole('link', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Settings' });
    const ttl = form.getByLabel('Minutes the customer has to answer');
    await ttl.fill('0');
    await form.getByRole('button', { name: 'Save' }).click();
    await assert.doesNotReject(page.locator('#request-ttl-error').waitFor());
    await ttl.fill('15');
    await form.getByRole('button', { name: 'Save' }).click();
    await assert.doesNotReject(form.getByRole('status').getByText('Settings saved.').waitFor());
    assert.equal((await ac.api('GET', '/v1/settings')).unattended.request_ttl_minutes, 15);

    const keys = page.getByRole('table', { name: 'Signing keys' });
    const first = (await ac.api('GET', '/v1/policy/keys')).items[0].key_id;
    await page.getByRole('button', { name: 'Rotate: a new signing key' }).click();
    const old = keys.getByRole('row', { name: new RegExp(first) });
    await assert.doesNotReject(old.getByText('listed (still trusted)').waitFor());
    assert.equal(await keys.getByText('signing', { exact: true }).count(), 1);
    await accessible(page, 'settings');
    await shot(page, 'settings');
    await old.getByRole('button', { name: `Retire key ${first}` }).click();
    await assert.doesNotReject(old.getByText('retired').waitFor());
    await page.context().close();

    const auditor = await newPage();
    await signIn(auditor, 'udo');
    await auditor.getByRole('link', { name: 'Audit' }).waitFor();
    assert.equal(await auditor.getByRole('link', { name: 'Settings' }).count(), 0);
    await auditor.context().close();
  });
});

test('no page broke the Content-Security-Policy', () => {
  assert.deepEqual(browser.policyViolations, []);
});
