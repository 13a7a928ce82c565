/** The bench's workloads. Each returns what the report prints. */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import type { DbHandle } from '../src/db/connect.ts';
import { hashPassword } from '../src/security/passwords.ts';
import { load, medianResult, type LoadResult } from './lib/load.ts';
import { ROOT, sampleRss, type Service } from './lib/processes.ts';
import { PASSWORD } from './lib/setup.ts';

export interface Settings {
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  readonly users: number;
}

/** A/B/C/A/B/C…: alternating runs (after one warm-up each) so drift shows up in all; medians. */
export async function alternateAll(settings: Settings, runners: readonly (() => Promise<LoadResult>)[]): Promise<LoadResult[]> {
  for (const run of runners) await run();
  const runs = runners.map((): LoadResult[] => []);
  for (let round = 0; round < settings.rounds; round++) {
    for (const [i, run] of runners.entries()) runs[i]?.push(await run());
  }
  return runs.map((results) => medianResult(results));
}

/** A/B/A/B…; medians reported. */
export async function alternate(settings: Settings, a: () => Promise<LoadResult>, b: () => Promise<LoadResult>): Promise<{ a: LoadResult; b: LoadResult }> {
  const [ma, mb] = await alternateAll(settings, [a, b]);
  if (ma === undefined || mb === undefined) throw new Error('alternate: missing results');
  return { a: ma, b: mb };
}

function get(url: string, headers: Record<string, string>, seconds: number, service?: Service): () => Promise<LoadResult> {
  const pid = service?.child.pid;
  return () => load({ url, headers, seconds, ...(pid === undefined ? {} : { pid }) });
}

export interface W1Result {
  readonly cookie: { a: LoadResult; b: LoadResult };
  readonly bearer: { a: LoadResult; b: LoadResult };
  /** The baseline with the synchronous node:crypto HS256 check (bench/baseline/server.ts). */
  readonly strictBaseline: LoadResult;
  readonly peakRssMb: number;
}

export async function w1(
  settings: Settings,
  gatehouse: Service,
  baselines: { jose: Service; hmac: Service },
  auth: { bearer: string; cookie: string },
): Promise<W1Result> {
  const pid = gatehouse.child.pid ?? 0;
  const rss = sampleRss(pid);
  const bearerHeaders = { authorization: `Bearer ${auth.bearer}` };
  await load({ url: `${gatehouse.url}/auth/me`, headers: bearerHeaders, seconds: settings.warmupSeconds });
  const [ours, jose, hmac] = await alternateAll(settings, [
    get(`${gatehouse.url}/auth/me`, bearerHeaders, settings.seconds, gatehouse),
    get(`${baselines.jose.url}/me`, bearerHeaders, settings.seconds, baselines.jose),
    get(`${baselines.hmac.url}/me`, bearerHeaders, settings.seconds, baselines.hmac),
  ]);
  if (ours === undefined || jose === undefined || hmac === undefined) throw new Error('w1: missing results');
  const cookie = await alternate(
    settings,
    get(`${gatehouse.url}/auth/me`, { cookie: auth.cookie }, settings.seconds),
    get(`${baselines.jose.url}/me`, bearerHeaders, settings.seconds),
  );
  return { cookie, bearer: { a: ours, b: jose }, strictBaseline: hmac, peakRssMb: rss.stop() };
}

export interface RawArgon2 {
  readonly perSecond: number;
  /** CPU per verify of this process (its libuv pool does the hashing). */
  readonly cpuMs: number;
}

/** Raw argon2id verify throughput at the same parameters, `concurrency` verifies in flight. */
export async function rawArgon2(seconds: number, concurrency: number): Promise<RawArgon2> {
  const hash = await hashPassword(PASSWORD);
  let done = 0;
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        await verify(hash, PASSWORD);
        done++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { perSecond: done / ((Date.now() - started) / 1000), cpuMs: (used.user + used.system) / 1000 / done };
}

/**
 * Raw argon2id at its best on this machine: with 50 in flight (the login load's count) libuv's 4
 * threads share the cores, and argon2's 19 MiB working sets evict each other; with one verify per
 * core each hash costs less CPU. The faster of the two is the baseline.
 */
async function bestRawArgon2(seconds: number): Promise<{ best: RawArgon2; fifty: RawArgon2; perCore: RawArgon2 }> {
  const fifty = await rawArgon2(seconds, 50);
  const perCore = await rawArgon2(seconds, availableParallelism());
  return { best: fifty.perSecond >= perCore.perSecond ? fifty : perCore, fifty, perCore };
}

/** POST /login over many distinct users, each from its own client IP (TRUST_PROXY=1 in the bench). */
export interface W2Result {
  /** 50 connections: a burst, which must be served (no 503). */
  readonly login: LoadResult;
  /** 4 connections: the same sign-ins without a line. */
  readonly login4: LoadResult;
  /** The baseline: the better of the two raw measurements (median over rounds). */
  readonly argon2PerSecond: number;
  readonly argon2CpuMs: number;
  readonly raw: { readonly fifty: RawArgon2; readonly perCore: RawArgon2 };
}

export async function w2(settings: Settings, gatehouse: Service): Promise<W2Result> {
  const pid = gatehouse.child.pid;
  let next = 0;
  const login = (connections: number): Promise<LoadResult> =>
    load({
      connections,
      url: `${gatehouse.url}/auth/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      seconds: settings.seconds,
      ...(pid === undefined ? {} : { pid }),
      perRequest: () => {
        const i = next++;
        return {
          body: JSON.stringify({ email: `u${i % settings.users}@bench.example.org`, password: PASSWORD }),
          headers: { 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
        };
      },
    });
  const raws: { best: RawArgon2; fifty: RawArgon2; perCore: RawArgon2 }[] = [];
  const loginRuns: LoadResult[] = [];
  const login4Runs: LoadResult[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    loginRuns.push(await login(50));
    login4Runs.push(await login(4));
    raws.push(await bestRawArgon2(settings.seconds));
  }
  const mid = <T>(values: T[], key: (v: T) => number): T => [...values].sort((x, y) => key(x) - key(y))[Math.floor(values.length / 2)] as T;
  const best = mid(raws, (r) => r.best.perSecond);
  return {
    login: medianResult(loginRuns),
    login4: medianResult(login4Runs),
    argon2PerSecond: best.best.perSecond,
    argon2CpuMs: best.best.cpuMs,
    raw: { fifty: best.fifty, perCore: best.perCore },
  };
}

/** POST /authenticate with fresh built-in tokens, one request per token. */
export async function w3(gatehouse: Service, tokens: readonly string[]): Promise<LoadResult> {
  let next = 0;
  return load({
    url: `${gatehouse.url}/v1/auth/authenticate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    seconds: 0,
    amount: tokens.length,
    perRequest: () => {
      const i = next++;
      return { body: JSON.stringify({ token: tokens[i % tokens.length] }), headers: { 'x-forwarded-for': `172.16.${(i >> 8) & 255}.${i & 255}` } };
    },
  });
}

function run(command: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}`))));
  });
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Bulk eligibility import: the API in 100,000-address requests, the CLI on a CSV, and COPY. */
export async function w4(
  gatehouse: Service,
  db: DbHandle,
  databaseUrl: string,
  apiKey: string,
  emails: readonly string[],
  csvFile: string,
): Promise<{ bulkMs: number; cliMs: number; copyMs: number; copySameShapeMs: number }> {
  const clear = async (): Promise<void> => {
    await sql`truncate eligible_emails`.execute(db.db);
  };
  await clear();
  const bulkMs = await timed(async () => {
    for (let start = 0; start < emails.length; start += 100_000) {
      const res = await fetch(`${gatehouse.url}/v1/auth/admin/eligible-emails/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ emails: emails.slice(start, start + 100_000), batch_id: 'bench' }),
      });
      if (res.status !== 201) throw new Error(`bulk request answered ${res.status}: ${await res.text()}`);
    }
  });
  await clear();
  const cliMs = await timed(() =>
    run(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'import-eligible', csvFile, '--batch', 'bench'], {
      DATABASE_URL: databaseUrl,
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      PUBLIC_URL: 'https://bench.gatehouse.test',
    }),
  );
  await sql`drop table if exists copy_scratch`.execute(db.db);
  await sql`create table copy_scratch (email text not null, batch_id text, constraint copy_scratch_email_key unique (email))`.execute(db.db);
  const copyMs = await timed(() => run('psql', [databaseUrl, '-q', '-c', `\\copy copy_scratch(email) from '${csvFile}' with (format csv, header true)`], {}));
  await sql`drop table copy_scratch`.execute(db.db);
  // The physical limit for our table: COPY of the same rows (batch_id 'bench', as the imports
  // write) into a table of eligible_emails' own shape (uuid primary key with its default,
  // created_at, the batch index, the lower-case check).
  await sql`create table copy_scratch (like eligible_emails including all)`.execute(db.db);
  await sql`alter table copy_scratch alter column batch_id set default 'bench'`.execute(db.db);
  const copySameShapeMs = await timed(() =>
    run('psql', [databaseUrl, '-q', '-c', `\\copy copy_scratch(email) from '${csvFile}' with (format csv, header true)`], {}),
  );
  await sql`drop table copy_scratch`.execute(db.db);
  return { bulkMs, cliMs, copyMs, copySameShapeMs };
}

export async function w5(settings: Settings, gatehouse: Service, bearer: string): Promise<{ admin: LoadResult; me: LoadResult }> {
  const result = await alternate(
    settings,
    get(`${gatehouse.url}/v1/auth/admin/roles`, { authorization: `Bearer ${bearer}` }, settings.seconds),
    get(`${gatehouse.url}/auth/me`, { authorization: `Bearer ${bearer}` }, settings.seconds),
  );
  return { admin: result.a, me: result.b };
}
