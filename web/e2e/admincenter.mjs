// A real admin center for the end-to-end tests: `admincenter init` in a
// fresh folder, then `admincenter run` on a free loopback port with the
// built console; its API called with the master admin's bearer token to
// set up what the browser then sees.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const kPassword = 'a long enough password';

export class AdminCenter {
  static async start() {
    const binary = process.env.CUSTODIAN_ADMINCENTER;
    const consoleDir = process.env.CUSTODIAN_CONSOLE_DIR;
    if (!binary || !consoleDir) {
      throw new Error('set CUSTODIAN_ADMINCENTER and CUSTODIAN_CONSOLE_DIR (ctest does)');
    }
    const dir = mkdtempSync(join(tmpdir(), 'custodian-console-e2e-'));
    const data = join(dir, 'data');
    const init = spawnSync(binary, ['init', '--data-dir', data], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`admincenter init failed: ${init.stderr}`);
    const ac = new AdminCenter(dir, init.stdout.trim());
    const log = join(dir, 'run.err');
    ac.process = spawn(
      'sh',
      ['-c', `exec "$0" run --data-dir "$1" --listen 127.0.0.1:0 --console-dir "$2" 2>"$3"`,
        binary, data, consoleDir, log],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 500; ++i) {
      const m = /listening","detail":"(http:\/\/127\.0\.0\.1:\d+)/.exec(readLog(log));
      if (m) {
        ac.url = m[1];
        return ac;
      }
      await sleep(20);
    }
    ac.stop();
    throw new Error(`admincenter did not start: ${readLog(log)}`);
  }

  constructor(dir, masterToken) {
    this.dir = dir;
    this.masterToken = masterToken;
    this.url = '';
    this.process = null;
  }

  // One API call as the master admin (or the holder of `token`); the
  // parsed answer (or null).
  async api(method, path, body, token = this.masterToken) {
    const r = await fetch(this.url + path, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.status === 204 ? null : r.json();
  }

  // A bearer token of `name`'s, signed in with `password`.
  async token(name, password) {
    return (await this.api('POST', '/v1/tokens', { name, password }, '')).token;
  }

  stop() {
    this.process?.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readLog(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

// The real enforcer, enrolled with `code` into a folder of `ac`'s, then
// running (polling every second) with `config` as its configuration file,
// if given. local() calls its local API with the token from its state
// folder; stop() ends it.
export async function startEnforcer(ac, code, name, os = 'linux', zone = 'Europe/Berlin',
  config = undefined) {
  const binary = process.env.CUSTODIAN_ENFORCER;
  if (!binary) throw new Error('set CUSTODIAN_ENFORCER (ctest does)');
  const state = join(ac.dir, `enforcer-${name}`);
  const enroll = spawnSync(binary, ['enroll', '--admin-center', ac.url, '--code', code,
    '--state-dir', state, '--name', name, '--os', os, '--time-zone', zone],
  { encoding: 'utf8' });
  if (enroll.status !== 0) throw new Error(`enforcer enroll failed: ${enroll.stderr}`);
  const log = join(ac.dir, `enforcer-${name}.err`);
  const configFile = join(ac.dir, `enforcer-${name}.json`);
  writeFileSync(configFile, JSON.stringify(config ?? {}));
  const run = spawn('sh', ['-c',
    'exec "$0" run --state-dir "$1" --poll-interval 1 --config "$3" 2>"$2"',
    binary, state, log, configFile], { stdio: 'ignore' });
  const token = readFileSync(join(state, 'local-api-token'), 'utf8').trim();
  let local = '';
  for (let i = 0; i < 500 && !local; ++i) {
    const m = /listening","detail":"(http:\/\/127\.0\.0\.1:\d+)/.exec(readLog(log));
    if (m) local = m[1];
    else await sleep(20);
  }
  if (!local) throw new Error(`the enforcer did not start: ${readLog(log)}`);
  return {
    id: enroll.stdout.trim(),
    state,
    origin: local,
    async local(method, path, body) {
      const r = await fetch(local + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    // The first prompt the customer sees that `match` accepts, waited for
    // up to 10 s; undefined when none came.
    async prompt(match = () => true) {
      for (let i = 0; i < 100; ++i) {
        const found = (await this.local('GET', '/v1/prompts')).body?.items?.find(match);
        if (found) return found;
        await sleep(100);
      }
      return undefined;
    },
    stop: () => run.kill('SIGTERM'),
  };
}
