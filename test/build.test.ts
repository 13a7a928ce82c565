/**
 * The production build (`npm run build`, run by `npm start`): the bundles start and work as the
 * sources do, from inside the project (the pages' web/ folder and node_modules are found).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildDist, startFlags } from '../scripts/build.ts';
import { childEnv, ROOT, startServerProcess } from './helpers/processes.ts';

const outdir = path.join(ROOT, '.test-cache', `dist-${process.pid}`);
const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-build-'));
after(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the build', () => {
  it('starts with no configuration (but open sign-up), serves the API and the hosted pages, hashes passwords on its bundled worker, drains on SIGTERM; its CLI runs', async () => {
    await buildDist(outdir);
    // SIGNUP_MODE=open only so that a password account can be made without an eligible list; a
    // key prefix of its own, so that abuse-limit counters in a shared Redis (REDIS_URL in .ci/run)
    // are not those of earlier runs of this test.
    const env = {
      NODE_ENV: 'development',
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SIGNUP_MODE: 'open',
      REDIS_KEY_PREFIX: `gatehouse-build-test-${randomUUID()}:`,
    };
    const server = await startServerProcess(env, 60_000, [...startFlags(), path.join(outdir, 'main.js')]);
    try {
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      const shell = await (await fetch(`${server.url}/ui/`)).text();
      const script = /src="(\/ui\/assets\/app\.js\?v=[0-9a-f]+)"/.exec(shell)?.[1];
      assert.ok(script, 'the page shell names its bundled script');
      const asset = await fetch(`${server.url}${script}`);
      assert.equal(asset.status, 200);
      assert.ok((await asset.text()).length > 1000, 'the page code was bundled from web/');
      assert.equal((await fetch(`${server.url}/auth/me`)).status, 401);
      // A password sign-up hashes on the bundled hash worker (dist/hash-worker.js), then signs in with it.
      const account = { email: 'built@example.org', password: 'a built password 1' };
      const post = (url: string): Promise<Response> =>
        fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
      const registered = await post('/auth/register');
      assert.equal(registered.status, 201, await registered.text());
      assert.equal((await post('/auth/login')).status, 200);
      assert.match(server.output(), /listening on/);
    } finally {
      server.child.kill('SIGTERM');
    }
    assert.equal(await server.exited, 0);
    const cli = spawnSync(process.execPath, [path.join(outdir, 'cli.js'), 'roles', 'list'], {
      cwd: ROOT,
      env: childEnv({ NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
      encoding: 'utf8',
    });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /admin/);
    assert.match(cli.stdout, /sustainer/);
  });
});
