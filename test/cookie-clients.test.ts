/**
 * Cookie clients that are not browsers, with a real cookie jar: curl, against a listening
 * Gatehouse. The ActiFlow flow — login, /me, refresh, logout, login again — works as
 * docs/auth.md documents it (cookie-authenticated writes send `X-Requested-With` or `Origin`),
 * stale cookies never get a sign-in refused, and logout leaves nothing in the jar.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, PASSWORD } from './helpers/auth.ts';

const run = promisify(execFile);
let t: TestApp;
let base = '';
const dir = mkdtempSync(path.join(tmpdir(), 'gh-curl-'));

before(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silent' } });
  await createUser(t.database.db, 'curl@example.org');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
after(async () => t.close());

interface CurlAnswer {
  readonly status: number;
  readonly body: { code?: string; detail?: string; [key: string]: unknown } | null;
}

/** One curl call with the jar at `jar` (read and written, as `curl -b jar -c jar` does). */
async function curl(jar: string, method: string, url: string, options: { json?: unknown; headers?: string[] } = {}): Promise<CurlAnswer> {
  const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '-b', jar, '-c', jar, '-X', method, `${base}${url}`];
  for (const header of options.headers ?? []) args.push('-H', header);
  if (options.json !== undefined) args.push('-H', 'content-type: application/json', '--data', JSON.stringify(options.json));
  const { stdout } = await run('curl', args);
  const cut = stdout.lastIndexOf('\n');
  const text = stdout.slice(0, cut);
  return { status: Number(stdout.slice(cut + 1)), body: text === '' ? null : (JSON.parse(text) as CurlAnswer['body']) };
}

/** The cookies in a curl jar that still hold a value (Netscape format; HttpOnly lines start with #HttpOnly_). */
function jarCookies(jar: string): string[] {
  let text = '';
  try {
    text = readFileSync(jar, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.startsWith('#HttpOnly_') || (line !== '' && !line.startsWith('#')))
    .map((line) => line.split('\t'))
    .filter((fields) => (fields[6] ?? '') !== '')
    .map((fields) => fields[5] ?? '');
}

async function liveSessions(): Promise<number> {
  const live = await sql<{
    n: number;
  }>`select count(*)::int as n from sessions s join users u on u.uuid = s.user_uuid where u.email = 'curl@example.org' and s.revoked_at is null`.execute(
    t.database.db,
  );
  return live.rows[0]?.n ?? -1;
}

describe('curl with a cookie jar', () => {
  it('the ActiFlow flow: login, /me, refresh, logout, login again', async () => {
    const jar = path.join(dir, 'flow.txt');
    const login = await curl(jar, 'POST', '/auth/login', { json: { email: 'curl@example.org', password: PASSWORD } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.deepEqual(jarCookies(jar).sort(), ['access_token', 'refresh_token']);
    assert.equal((await curl(jar, 'GET', '/auth/me')).body?.email, 'curl@example.org');

    const bare = await curl(jar, 'POST', '/auth/refresh');
    assert.equal(bare.status, 403, 'a cookie write with no Origin and no X-Requested-With');
    assert.equal(bare.body?.code, 'csrf_rejected');
    assert.match(String(bare.body?.detail), /no Origin header.*X-Requested-With/);

    const refreshed = await curl(jar, 'POST', '/auth/refresh', { headers: ['X-Requested-With: curl'] });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal((await curl(jar, 'GET', '/auth/me')).status, 200);

    const logout = await curl(jar, 'POST', '/auth/logout', { headers: [`Origin: ${t.config.publicUrl}`] });
    assert.equal(logout.status, 204);
    assert.deepEqual(jarCookies(jar), [], 'logout removed every cookie from the jar');
    assert.equal((await curl(jar, 'GET', '/auth/me')).status, 401);

    const again = await curl(jar, 'POST', '/auth/login', { json: { email: 'curl@example.org', password: PASSWORD } });
    assert.equal(again.status, 200);
  });

  it('stale cookies in the jar never get a sign-in refused (no Origin sent)', async () => {
    const jar = path.join(dir, 'stale.txt');
    writeFileSync(
      jar,
      [
        '# Netscape HTTP Cookie File',
        `#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\trefresh_token\tstale.0.abc`,
        `#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\taccess_token\tstale`,
        '',
      ].join('\n'),
    );
    const login = await curl(jar, 'POST', '/auth/login', { json: { email: 'curl@example.org', password: PASSWORD } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
  });

  it('logout with an expired access token still ends the session through the refresh cookie, and clears both', async () => {
    const jar = path.join(dir, 'expired.txt');
    const before = await liveSessions();
    assert.equal((await curl(jar, 'POST', '/auth/login', { json: { email: 'curl@example.org', password: PASSWORD } })).status, 200);
    // The access token is past use: drop it from the jar, as a browser drops an expired cookie.
    writeFileSync(
      jar,
      readFileSync(jar, 'utf8')
        .split('\n')
        .filter((line) => !line.includes('\taccess_token\t'))
        .join('\n'),
    );
    const logout = await curl(jar, 'POST', '/auth/logout', { headers: ['X-Requested-With: curl'] });
    assert.equal(logout.status, 204);
    assert.deepEqual(jarCookies(jar), []);
    assert.equal(await liveSessions(), before, 'the session this login made has ended');
  });

  it('a logout with dead cookies answers 401 and still clears them', async () => {
    const jar = path.join(dir, 'dead.txt');
    writeFileSync(jar, ['# Netscape HTTP Cookie File', `#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\trefresh_token\tdead.0.abc`, ''].join('\n'));
    const logout = await curl(jar, 'POST', '/auth/logout', { headers: ['X-Requested-With: curl'] });
    assert.equal(logout.status, 401);
    assert.deepEqual(jarCookies(jar), []);
  });
});
