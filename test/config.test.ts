import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, parseDuration, readEnvironment, saveDevSecret } from '../src/config.ts';

const SECRET = 'x'.repeat(32);
const PROD = { NODE_ENV: 'production', JWT_SECRET: SECRET, PUBLIC_URL: 'https://auth.example.org' };

function refuses(env: Record<string, string>, variable: string): void {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => error instanceof ConfigError && error.message.startsWith(`${variable}:`) && error.message.includes('Fix:'),
  );
}

describe('config', () => {
  it('runs in development with nothing set: defaults, and a generated secret kept under DATA_DIR', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gh-config-'));
    const first = loadConfig({ DATA_DIR: dataDir });
    assert.equal(first.config.nodeEnv, 'development');
    assert.equal(first.config.databaseUrl, null);
    assert.equal(first.config.signupMode, 'allowlist');
    assert.equal(first.config.jwtAlgorithm, 'HS256');
    assert.equal(first.config.accessTokenTtl, 900);
    assert.equal(first.config.sessionTtl, 7 * 86400);
    assert.equal(first.config.port, 8000);
    assert.equal(first.config.host, '127.0.0.1');
    assert.deepEqual(first.config.authRoutePrefixes, ['/v1/auth', '/auth']);
    assert.equal(first.config.jwtSecretSource, 'dev-file');
    assert.ok(Buffer.byteLength(first.config.jwtSecret) >= 32);
    assert.match(first.warnings.join('\n'), /JWT_SECRET is not set/);
    const file = path.join(dataDir, 'dev-jwt-secret');
    // Loading writes nothing; the caller that starts the service keeps the secret.
    assert.equal(existsSync(file), false, 'parsing wrote no file');
    saveDevSecret(first);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    // The second start reuses the same secret (sessions survive restarts) and does not warn again.
    const second = loadConfig({ DATA_DIR: dataDir });
    assert.equal(second.config.jwtSecret, first.config.jwtSecret);
    assert.equal(readFileSync(file, 'utf8').trim(), first.config.jwtSecret);
    assert.equal(second.warnings.length, 0);
  });

  it('is frozen, all the way down', () => {
    const { config } = loadConfig({ NODE_ENV: 'test', CORS_ORIGINS: 'https://a.example' });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.corsOrigins));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  it('accepts a valid production configuration', () => {
    const { config } = loadConfig({
      ...PROD,
      DATABASE_URL: 'postgres://u@db/gh',
      API_KEY: 'k'.repeat(32),
      TRUST_PROXY: '1',
      CORS_ORIGINS: 'https://app.example.org',
    });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.trustProxy, 1);
    assert.deepEqual(config.corsOrigins, ['https://app.example.org']);
  });

  it('refuses production without a JWT secret, or with a short one', () => {
    refuses({ NODE_ENV: 'production', PUBLIC_URL: 'https://a.example' }, 'JWT_SECRET');
    refuses({ ...PROD, JWT_SECRET: 'short-secret' }, 'JWT_SECRET');
  });

  it('refuses other unsafe production values, naming the variable', () => {
    refuses({ ...PROD, PUBLIC_URL: '' }, 'PUBLIC_URL');
    refuses({ ...PROD, PUBLIC_URL: 'http://auth.example.org' }, 'PUBLIC_URL');
    refuses({ ...PROD, API_KEY: 'too-short' }, 'API_KEY');
    refuses({ ...PROD, CORS_ORIGINS: 'http://app.example.org' }, 'CORS_ORIGINS');
  });

  it('refuses invalid values in any environment', () => {
    refuses({ CORS_ORIGINS: '*' }, 'CORS_ORIGINS');
    refuses({ TRUST_PROXY: 'true' }, 'TRUST_PROXY');
    refuses({ TRUST_PROXY: 'not-an-ip' }, 'TRUST_PROXY');
    refuses({ SIGNUP_MODE: 'everyone' }, 'SIGNUP_MODE');
    refuses({ JWT_ALGORITHM: 'none' }, 'JWT_ALGORITHM');
    refuses({ ACCESS_TOKEN_TTL: 'soon' }, 'ACCESS_TOKEN_TTL');
    refuses({ PORT: '70000' }, 'PORT');
    refuses({ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL');
    refuses({ SMTP_URL: 'http://mail' }, 'SMTP_URL');
    refuses({ STYTCH_PROJECT_ID: 'project-test-1' }, 'STYTCH_SECRET');
    refuses({ BOOTSTRAP_ADMIN_EMAIL: 'not an email' }, 'BOOTSTRAP_ADMIN_EMAIL');
    refuses({ AUTH_ROUTE_PREFIXES: 'auth/' }, 'AUTH_ROUTE_PREFIXES');
    refuses({ NODE_ENV: 'staging' }, 'NODE_ENV');
  });

  it('parses durations with units', () => {
    assert.equal(parseDuration('X', '900'), 900);
    assert.equal(parseDuration('X', '15m'), 900);
    assert.equal(parseDuration('X', '7d'), 604800);
    assert.throws(() => parseDuration('X', '0'), ConfigError);
  });

  it('reads .env, with the real environment taking precedence', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gh-env-'));
    writeFileSync(path.join(dir, '.env'), 'SIGNUP_MODE=open\nPORT=9000\n');
    const env = readEnvironment(dir, { PORT: '9100' });
    assert.equal(env.SIGNUP_MODE, 'open');
    assert.equal(env.PORT, '9100');
  });

  it('keeps Stytch off unless both credentials are set; STYTCH_ENV may be a URL', () => {
    assert.equal(loadConfig({ NODE_ENV: 'test' }).config.stytch, null);
    const { config } = loadConfig({ NODE_ENV: 'test', STYTCH_PROJECT_ID: 'p', STYTCH_SECRET: 's', STYTCH_ENV: 'http://127.0.0.1:9999/' });
    assert.deepEqual(config.stytch, { projectId: 'p', secret: 's', env: 'http://127.0.0.1:9999/' });
  });
});

describe('RATE_LIMIT_*: abuse limits an operator sets', () => {
  const dev = { NODE_ENV: 'test', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gh-limits-')) };

  it('unset: the documented defaults; set: per account, then per IP, with s/m/h/d windows', () => {
    const defaults = loadConfig(dev).config.rateLimits;
    assert.deepEqual(defaults.login, { perAccount: { limit: 10, window: 900 }, perIp: { limit: 50, window: 300 } });
    const set = loadConfig({ ...dev, RATE_LIMIT_LOGIN: '3/1h, 200/10m', RATE_LIMIT_MAGIC_LINK_SEND: '2/90,9/2d' }).config.rateLimits;
    assert.deepEqual(set.login, { perAccount: { limit: 3, window: 3600 }, perIp: { limit: 200, window: 600 } });
    assert.deepEqual(set.magic_link_send, { perAccount: { limit: 2, window: 90 }, perIp: { limit: 9, window: 172800 } });
    assert.deepEqual(set.register, defaults.register, 'the others keep their defaults');
  });

  it('a bad value stops start-up naming the variable and the fix', () => {
    for (const bad of ['10', '10/15m', '0/15m,5/5m', 'ten/15m,5/5m', '10/15x,5/5m', '10/15m,5/5m,1/1m'])
      refuses({ ...dev, RATE_LIMIT_LOGIN: bad }, 'RATE_LIMIT_LOGIN');
    refuses({ ...dev, RATE_LIMIT_PASSWORD_CHANGE: '1/0s,1/1s' }, 'RATE_LIMIT_PASSWORD_CHANGE');
  });
});
