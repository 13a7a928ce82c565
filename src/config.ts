/**
 * Configuration: read once from the environment (and `.env`, which the environment overrides)
 * into a frozen, typed object. Every field is validated; a bad value stops start-up with a
 * message that names the variable and says how to fix it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { parseOperations, type OperationsConfig } from './config-operations.ts';
import { parseRateLimits, type RateLimits } from './config-limits.ts';
import { ConfigError, parseDuration, type Env } from './config-parse.ts';

export type NodeEnv = 'development' | 'production' | 'test';
export type SignupMode = 'allowlist' | 'open' | 'closed';
export type JwtAlgorithm = 'HS256' | 'EdDSA' | 'ES256';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** Fastify's trustProxy: false, a hop count, or the addresses/CIDRs of trusted proxies. */
export type TrustProxy = false | number | string[];

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly jwtSecret: string;
  readonly jwtSecretSource: 'env' | 'dev-file' | 'ephemeral';
  readonly jwtAlgorithm: JwtAlgorithm;
  /** Seconds. */
  readonly accessTokenTtl: number;
  /** Seconds. */
  readonly sessionTtl: number;
  readonly stytch: { readonly projectId: string; readonly secret: string; readonly env: string } | null;
  readonly apiKey: string | null;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly publicUrl: string;
  readonly allowedRedirectUrls: readonly string[];
  readonly corsOrigins: readonly string[];
  readonly signupMode: SignupMode;
  readonly bootstrapAdminEmail: string | null;
  readonly redisUrl: string | null;
  readonly trustProxy: TrustProxy;
  readonly authRoutePrefixes: readonly string[];
  /** Where the hosted pages live (UI_PATH, default /ui); null when UI_PATH=off. */
  readonly uiPath: string | null;
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  readonly operations: OperationsConfig;
  /** Abuse limits per action (RATE_LIMIT_*). */
  readonly rateLimits: RateLimits;
}

export { ConfigError, parseDuration, type Env };

export interface LoadedConfig {
  readonly config: Config;
  /** Things worth a warning at start-up (e.g. the generated dev secret). */
  readonly warnings: readonly string[];
}

const MIN_SECRET_BYTES = 32;
const DEV_SECRET_FILE = 'dev-jwt-secret';
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Merges `.env` (if present in cwd) under the real environment: the environment wins. */
export function readEnvironment(cwd: string = process.cwd(), env: Env = process.env): Env {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return env;
  const fromFile = parseEnv(readFileSync(file, 'utf8'));
  return { ...fromFile, ...env };
}


function oneOf<T extends string>(variable: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
  if (raw === undefined || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(variable, `"${raw}" is not allowed`, `use one of ${allowed.join(', ')}`);
}

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseUrl(variable: string, raw: string, protocols: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `"${raw}" is not a URL`, `use an absolute URL such as ${protocols[0]}//host`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(variable, `protocol ${url.protocol} is not supported`, `use ${protocols.join(' or ')}`);
  }
  return url;
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 8000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('PORT', `"${raw}" is not a port`, 'use a whole number from 0 to 65535');
  }
  return port;
}

/** TRUST_PROXY: unset/false, a hop count, or trusted proxy addresses. `true` would trust anyone. */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') {
    throw new ConfigError('TRUST_PROXY', '"true" would let any client forge its IP with X-Forwarded-For', 'set the number of proxy hops (1) or their addresses (10.0.0.1,10.0.0.0/8, loopback)');
  }
  if (/^\d+$/.test(raw)) return Number(raw);
  const names = new Set(['loopback', 'linklocal', 'uniquelocal']);
  const entries = list(raw);
  for (const entry of entries) {
    const address = entry.split('/')[0] ?? '';
    if (!names.has(entry) && isIP(address) === 0) {
      throw new ConfigError('TRUST_PROXY', `"${entry}" is not an IP address, CIDR or known name`, 'use a hop count or IPs/CIDRs (or loopback, linklocal, uniquelocal)');
    }
  }
  return entries;
}

function parseOrigins(variable: string, raw: string | undefined, production: boolean): string[] {
  return list(raw).map((entry) => {
    if (entry === '*') {
      throw new ConfigError(variable, '"*" cannot be used with credentialed (cookie) requests', 'list the exact origins, e.g. https://app.example.org');
    }
    const url = parseUrl(variable, entry, ['https:', 'http:']);
    if (production && url.protocol !== 'https:' && !isLocalHost(url.hostname)) {
      throw new ConfigError(variable, `${entry} is not https`, 'use https origins in production');
    }
    return url.origin;
  });
}

function isLocalHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

function parsePrefixes(raw: string | undefined): string[] {
  const prefixes = raw === undefined || raw.trim() === '' ? ['/v1/auth', '/auth'] : list(raw);
  for (const prefix of prefixes) {
    if (!/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/.test(prefix)) {
      throw new ConfigError('AUTH_ROUTE_PREFIXES', `"${prefix}" is not a path prefix`, 'use paths such as /v1/auth,/auth (leading slash, no trailing slash)');
    }
  }
  return prefixes;
}

function parseUiPath(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return '/ui';
  if (raw.trim() === 'off') return null;
  const uiPath = raw.trim();
  if (!/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/.test(uiPath)) throw new ConfigError('UI_PATH', `"${uiPath}" is not a path`, 'use a path such as /ui or /account (leading slash, no trailing slash), or off');
  return uiPath;
}

/** The JWT secret: from the environment, else (outside production) a generated one. */
function resolveJwtSecret(
  env: Env,
  nodeEnv: NodeEnv,
  dataDir: string,
  warnings: string[],
): { secret: string; source: Config['jwtSecretSource'] } {
  const raw = env.JWT_SECRET;
  if (raw !== undefined && raw !== '') {
    if (Buffer.byteLength(raw, 'utf8') < MIN_SECRET_BYTES) {
      throw new ConfigError('JWT_SECRET', `is ${Buffer.byteLength(raw, 'utf8')} bytes; at least ${MIN_SECRET_BYTES} are needed`, 'generate one with: node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))"');
    }
    return { secret: raw, source: 'env' };
  }
  if (nodeEnv === 'production') {
    throw new ConfigError('JWT_SECRET', 'is required in production', 'set JWT_SECRET to at least 32 random bytes, e.g. node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))"');
  }
  if (nodeEnv === 'test') {
    // Tests must not write files they do not own: an in-memory secret is enough.
    return { secret: randomBytes(32).toString('base64url'), source: 'ephemeral' };
  }
  const file = path.join(dataDir, DEV_SECRET_FILE);
  if (existsSync(file)) {
    return { secret: readFileSync(file, 'utf8').trim(), source: 'dev-file' };
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  warnings.push(`JWT_SECRET is not set: generated a development secret in ${file}. Set JWT_SECRET in production.`);
  return { secret, source: 'dev-file' };
}

function parseStytch(env: Env): Config['stytch'] {
  const projectId = env.STYTCH_PROJECT_ID ?? '';
  const secret = env.STYTCH_SECRET ?? '';
  if (projectId === '' && secret === '') return null;
  if (projectId === '' || secret === '') {
    const missing = projectId === '' ? 'STYTCH_PROJECT_ID' : 'STYTCH_SECRET';
    throw new ConfigError(missing, 'is required when the other Stytch credential is set', 'set both STYTCH_PROJECT_ID and STYTCH_SECRET, or neither');
  }
  const stytchEnv = env.STYTCH_ENV === undefined || env.STYTCH_ENV === '' ? 'test' : env.STYTCH_ENV;
  if (stytchEnv !== 'test' && stytchEnv !== 'live') parseUrl('STYTCH_ENV', stytchEnv, ['https:', 'http:']);
  return { projectId, secret, env: stytchEnv };
}

function parseEmail(variable: string, raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  const email = raw.trim().toLowerCase();
  if (!EMAIL_SHAPE.test(email)) throw new ConfigError(variable, `"${raw}" is not an email address`, 'use an address such as admin@example.org');
  return email;
}

function parseOptionalUrl(variable: string, raw: string | undefined, protocols: readonly string[]): string | null {
  if (raw === undefined || raw === '') return null;
  parseUrl(variable, raw, protocols);
  return raw;
}

function parseApiKey(raw: string | undefined, production: boolean): string | null {
  if (raw === undefined || raw === '') return null;
  if (production && raw.length < 32) {
    throw new ConfigError('API_KEY', `is ${raw.length} characters; at least 32 are needed in production`, 'generate one with: node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))"');
  }
  return raw;
}

function parsePublicUrl(raw: string | undefined, port: number, production: boolean): string {
  if (raw === undefined || raw === '') {
    if (production) throw new ConfigError('PUBLIC_URL', 'is required in production (magic links point at it)', 'set PUBLIC_URL to the https URL users reach, e.g. https://auth.example.org');
    return `http://localhost:${port}`;
  }
  const url = parseUrl('PUBLIC_URL', raw, ['https:', 'http:']);
  if (production && url.protocol !== 'https:') {
    throw new ConfigError('PUBLIC_URL', 'must be https in production (cookies are Secure)', 'serve Gatehouse behind TLS and set PUBLIC_URL=https://…');
  }
  return url.origin + url.pathname.replace(/\/$/, '');
}

/** Reads and validates every setting. Pure but for the dev secret file under DATA_DIR. */
export function loadConfig(env: Env = readEnvironment()): LoadedConfig {
  const warnings: string[] = [];
  const nodeEnv = oneOf<NodeEnv>('NODE_ENV', env.NODE_ENV, ['development', 'production', 'test'], 'development');
  const production = nodeEnv === 'production';
  const databaseUrl = parseOptionalUrl('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']);
  const dataDir = path.resolve(env.DATA_DIR === undefined || env.DATA_DIR === '' ? './data' : env.DATA_DIR);
  const { secret, source } = resolveJwtSecret(env, nodeEnv, dataDir, warnings);
  const port = parsePort(env.PORT);
  const publicUrl = parsePublicUrl(env.PUBLIC_URL, port, production);
  if (production && databaseUrl === null) {
    warnings.push('DATABASE_URL is not set: running on embedded PGlite in DATA_DIR. Use PostgreSQL for more than one instance.');
  }
  if (production && (env.SMTP_URL === undefined || env.SMTP_URL === '')) {
    warnings.push(
      'SMTP_URL is not set: mail goes to the log only (without its links), so nobody can receive a sign-in, verification or reset link. Set SMTP_URL; until then the first admin needs a password: gatehouse create-admin you@example.org --password-stdin',
    );
  }

  const config: Config = {
    nodeEnv,
    databaseUrl,
    dataDir,
    jwtSecret: secret,
    jwtSecretSource: source,
    jwtAlgorithm: oneOf<JwtAlgorithm>('JWT_ALGORITHM', env.JWT_ALGORITHM, ['HS256', 'EdDSA', 'ES256'], 'HS256'),
    accessTokenTtl: parseDuration('ACCESS_TOKEN_TTL', env.ACCESS_TOKEN_TTL ?? '15m'),
    sessionTtl: parseDuration('SESSION_TTL', env.SESSION_TTL ?? '7d'),
    stytch: parseStytch(env),
    apiKey: parseApiKey(env.API_KEY, production),
    smtpUrl: parseOptionalUrl('SMTP_URL', env.SMTP_URL, ['smtp:', 'smtps:']),
    mailFrom: env.MAIL_FROM === undefined || env.MAIL_FROM === '' ? 'Gatehouse <no-reply@localhost>' : env.MAIL_FROM,
    publicUrl,
    allowedRedirectUrls: list(env.ALLOWED_REDIRECT_URLS).map((entry) => parseUrl('ALLOWED_REDIRECT_URLS', entry, ['https:', 'http:']).href),
    corsOrigins: parseOrigins('CORS_ORIGINS', env.CORS_ORIGINS, production),
    signupMode: oneOf<SignupMode>('SIGNUP_MODE', env.SIGNUP_MODE, ['allowlist', 'open', 'closed'], 'allowlist'),
    bootstrapAdminEmail: parseEmail('BOOTSTRAP_ADMIN_EMAIL', env.BOOTSTRAP_ADMIN_EMAIL),
    redisUrl: parseOptionalUrl('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:']),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    authRoutePrefixes: parsePrefixes(env.AUTH_ROUTE_PREFIXES),
    uiPath: parseUiPath(env.UI_PATH),
    port,
    host: env.HOST === undefined || env.HOST === '' ? (production ? '0.0.0.0' : '127.0.0.1') : env.HOST,
    logLevel: oneOf<LogLevel>('LOG_LEVEL', env.LOG_LEVEL, ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], nodeEnv === 'test' ? 'silent' : 'info'),
    operations: parseOperations(env),
    rateLimits: parseRateLimits(env),
  };
  return Object.freeze({ config: deepFreeze(config), warnings: Object.freeze(warnings) });
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (inner !== null && typeof inner === 'object' && !Object.isFrozen(inner)) deepFreeze(inner as object);
  }
  return Object.freeze(value);
}
