/** What start-up says: where to go next, and what is wrong when it cannot start or will not work. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { nextSteps, startServer } from '../src/main.ts';

const SECRET = 's'.repeat(40);

describe('start-up messages', () => {
  it('the banner prints every address on PUBLIC_URL’s origin (where cookies, links and /docs writes work)', () => {
    const { config } = loadConfig({ NODE_ENV: 'development', PUBLIC_URL: 'http://localhost:8000', JWT_SECRET: SECRET, DATA_DIR: '/tmp/gh-banner-test' });
    const banner = nextSteps(config, 'http://127.0.0.1:8000');
    assert.match(banner, /listening on http:\/\/127\.0\.0\.1:8000 .*open it at http:\/\/localhost:8000/);
    assert.match(banner, /Sign in: {4}http:\/\/localhost:8000\/ui\//);
    assert.match(banner, /API docs: {3}http:\/\/localhost:8000\/docs/);
    assert.match(banner, /Readiness: {2}http:\/\/localhost:8000\/readyz/);
    assert.doesNotMatch(banner.split('\n').slice(1).join('\n'), /127\.0\.0\.1/);
  });

  it('a database it cannot reach: names DATABASE_URL (without the password) and what to check, not "migration unknown failed"', async () => {
    const loaded = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://gatehouse:hunter2@127.0.0.1:1/gatehouse',
      LOG_LEVEL: 'silent',
      DATABASE_POOL_SIZE: '1',
    });
    await assert.rejects(
      () => startServer(loaded),
      (error: Error) => {
        assert.match(error.message, /^cannot use the PostgreSQL database at postgres:\/\/gatehouse@127\.0\.0\.1:1\/gatehouse \(DATABASE_URL\): .*ECONNREFUSED/);
        assert.match(error.message, /Check that PostgreSQL runs there and that the role and database in DATABASE_URL exist/);
        assert.doesNotMatch(error.message, /hunter2|migration/);
        return true;
      },
    );
  });

  it('production without SMTP_URL warns that nobody can receive a link, and how to get a first admin in', () => {
    const base = { NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.org', JWT_SECRET: SECRET, DATABASE_URL: 'postgres://x@127.0.0.1/x' };
    const without = loadConfig(base);
    assert.match(without.warnings.join('\n'), /SMTP_URL is not set: .*nobody can receive a sign-in.*gatehouse create-admin you@example\.org --password-stdin/);
    const withMail = loadConfig({ ...base, SMTP_URL: 'smtp://127.0.0.1:2525' });
    assert.doesNotMatch(withMail.warnings.join('\n'), /SMTP_URL/);
  });
});
