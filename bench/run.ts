/**
 * npm run bench: Gatehouse (production mode, PostgreSQL) and a bare-Fastify baseline as separate
 * processes, load from this process (autocannon), A/B alternation, medians, ratios measured in
 * the same run. BENCH_QUICK=1 for a short run. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, startService, type Service } from './lib/processes.ts';
import { buildDist, startFlags } from '../scripts/build.ts';
import { createUsers, mintTokens, openBenchDb, PASSWORD, recreateDatabase, writeCsv } from './lib/setup.ts';
import { startSmtpCapture } from '../test/fakes/smtp-capture.ts';
import { campaign } from './campaign.ts';
import { verifySdk } from './verify-sdk.ts';
import { webhooks } from './webhooks.ts';
import { w1, w2, w3, w4, w5, type Settings } from './workloads.ts';
import { load } from './lib/load.ts';
import { report, type BenchResults } from './report.ts';

const QUICK = process.env.BENCH_QUICK === '1';
/** BENCH_ONLY=w4 (or w1,w2,…): run just these workloads. */
const ONLY = process.env.BENCH_ONLY === undefined || process.env.BENCH_ONLY === '' ? null : process.env.BENCH_ONLY.split(',');
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECRET = 'bench-secret-'.padEnd(48, 'x');
const API_KEY = 'bench-api-key-'.padEnd(48, 'k');
const settings: Settings = QUICK ? { seconds: 2, warmupSeconds: 1, rounds: 2, users: 2000 } : { seconds: 10, warmupSeconds: 3, rounds: 2, users: 10_000 };
const ELIGIBLE = QUICK ? 200_000 : 1_000_000;
const TOKENS = QUICK ? 2000 : 10_000;

function gatehouseEnv(extra: Record<string, string>): Record<string, string> {
  // The defaults, as `npm start` runs: W2's 50 concurrent logins must be served, not shed.
  return {
    NODE_ENV: 'production',
    JWT_SECRET: SECRET,
    API_KEY,
    PUBLIC_URL: 'https://bench.gatehouse.test',
    TRUST_PROXY: '1',
    LOG_LEVEL: 'warn',
    // H1's receiver is on 127.0.0.1 in the bench process.
    WEBHOOK_ALLOW_PRIVATE: 'true',
    ...extra,
  };
}

async function signIn(gatehouse: Service, email: string): Promise<{ bearer: string; cookie: string }> {
  const res = await fetch(`${gatehouse.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.1' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  const access = res.headers.getSetCookie().find((c) => c.startsWith('__Host-access_token='));
  const value = access?.split(';')[0] ?? '';
  return { bearer: value.split('=')[1] ?? '', cookie: value };
}

function machineLine(): string {
  const pg = spawnSync('psql', [SERVER_URL, '-At', '-c', 'show server_version'], { encoding: 'utf8' }).stdout.trim();
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, PostgreSQL ${pg || 'unknown'}`;
}

async function pgliteW1(): Promise<{ rps: number; p50: number; p99: number; startupMs: number }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-pglite-'));
  const create = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'create-admin', 'u0@bench.example.org', '--password-stdin'], {
    cwd: ROOT,
    input: `${PASSWORD}\n`,
    env: { ...process.env, ...gatehouseEnv({ DATA_DIR: dataDir }), DATABASE_URL: '' },
    encoding: 'utf8',
  });
  if (create.status !== 0) throw new Error(`create-admin on PGlite failed: ${create.stderr}`);
  const gatehouse = await startService(
    'gatehouse-pglite',
    'dist/main.js',
    { ...gatehouseEnv({ DATA_DIR: dataDir }), DATABASE_URL: '' },
    '/readyz',
    startFlags(),
  );
  try {
    const auth = await signIn(gatehouse, 'u0@bench.example.org');
    await load({ url: `${gatehouse.url}/auth/me`, headers: { authorization: `Bearer ${auth.bearer}` }, seconds: settings.warmupSeconds });
    const result = await load({ url: `${gatehouse.url}/auth/me`, headers: { authorization: `Bearer ${auth.bearer}` }, seconds: settings.seconds });
    return { rps: result.rps, p50: result.p50, p99: result.p99, startupMs: gatehouse.startupMs };
  } finally {
    await gatehouse.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`Gatehouse bench${QUICK ? ' (BENCH_QUICK)' : ''}: ${machineLine()}`);
  const databaseUrl = await recreateDatabase(SERVER_URL, 'gatehouse_bench');
  // Gatehouse runs as `npm start` runs it: the build, with the start script's node flags.
  await buildDist();
  // Mail goes to a real SMTP server in this process (C1 counts what arrives), pooled, unthrottled.
  const smtp = await startSmtpCapture();
  const mailEnv = { SMTP_URL: `${smtp.url}?pool=true`, MAIL_RATE_PER_MINUTE: '10000000' };
  const gatehouse = await startService('gatehouse', 'dist/main.js', gatehouseEnv({ DATABASE_URL: databaseUrl, ...mailEnv }), '/readyz', startFlags());
  const db = openBenchDb(databaseUrl);
  const services: Service[] = [gatehouse];
  try {
    await createUsers(db, settings.users);
    const auth = await signIn(gatehouse, 'u0@bench.example.org');
    const meBody = await (await fetch(`${gatehouse.url}/auth/me`, { headers: { authorization: `Bearer ${auth.bearer}` } })).text();
    const baselineEnv = { DATABASE_URL: databaseUrl, JWT_SECRET: SECRET, BODY_SIZE: String(Buffer.byteLength(meBody)) };
    const baseline = await startService('baseline', 'bench/baseline/server.ts', { ...baselineEnv, VERIFY: 'jose' }, '/readyz');
    services.push(baseline);
    const strictBaseline = await startService('baseline-hmac', 'bench/baseline/server.ts', { ...baselineEnv, VERIFY: 'hmac' }, '/readyz');
    services.push(strictBaseline);

    const workloads = {
      w1: (): ReturnType<typeof w1> => w1(settings, gatehouse, { jose: baseline, hmac: strictBaseline }, auth),
      w5: (): ReturnType<typeof w5> => w5(settings, gatehouse, auth.bearer),
      w2: (): ReturnType<typeof w2> => w2(settings, gatehouse),
      w3: async (): ReturnType<typeof w3> => w3(gatehouse, await mintTokens(db, TOKENS)),
      w4: (): ReturnType<typeof w4> => {
        const csvFile = path.join(mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-')), 'eligible.csv');
        return w4(gatehouse, db, databaseUrl, API_KEY, writeCsv(csvFile, ELIGIBLE), csvFile);
      },
      pglite: pgliteW1,
      verify: (): ReturnType<typeof verifySdk> => verifySdk(QUICK ? 300 : 1_000, QUICK ? 2 : 8),
      campaign: (): ReturnType<typeof campaign> => campaign(gatehouse, API_KEY, smtp, QUICK ? 2_000 : 10_000),
      webhooks: (): ReturnType<typeof webhooks> => webhooks(gatehouse, API_KEY, QUICK ? 500 : 2_000),
    };
    if (ONLY !== null) {
      // A partial run (for working on one workload) prints its numbers and leaves RESULTS.md alone.
      for (const name of ONLY) {
        if (!(name in workloads)) throw new Error(`BENCH_ONLY: unknown workload ${name} (one of ${Object.keys(workloads).join(', ')})`);
        console.log(name, JSON.stringify(await workloads[name as keyof typeof workloads](), null, 2));
      }
      return;
    }
    console.log('W1 GET /me vs baseline …');
    const r1 = await workloads.w1();
    console.log('W5 GET /admin/roles vs /me …');
    const r5 = await workloads.w5();
    console.log('W2 POST /login vs raw argon2id …');
    const r2 = await workloads.w2();
    console.log('W3 POST /authenticate with fresh tokens …');
    const r3 = await workloads.w3();
    console.log(`W4 import ${ELIGIBLE.toLocaleString('en')} eligible addresses …`);
    const r4 = await workloads.w4();
    console.log('W1 on embedded PGlite …');
    const pglite = await workloads.pglite();
    console.log('V1 @gatehouse/verify verify() vs bare jose.jwtVerify …');
    const verify = await workloads.verify();
    console.log('C1 invitation campaign: CSV import and the mail queue …');
    const campaignResult = await workloads.campaign();
    console.log('H1 webhooks: the outbox on an admin write, and events from change to 2xx …');
    const webhookResult = await workloads.webhooks();

    const results: BenchResults = {
      date: new Date().toISOString(),
      machine: machineLine(),
      quick: QUICK,
      settings: { ...settings, eligible: ELIGIBLE, tokens: TOKENS, connections: 50 },
      startupMs: gatehouse.startupMs,
      w1: r1,
      w2: r2,
      w3: r3,
      w4: { ...r4, addresses: ELIGIBLE },
      w5: r5,
      pglite,
      verify,
      campaign: campaignResult,
      webhooks: webhookResult,
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    const text = report(results);
    // RESULTS.md holds a full run; a quick run is too short to replace it (bench/results/ is not committed).
    writeFileSync(path.join(ROOT, QUICK ? 'bench/results/quick.md' : 'bench/RESULTS.md'), text);
    console.log(`\n${text}`);
  } finally {
    await db.close();
    for (const service of services) await service.stop();
    await smtp.close();
  }
}

main().catch((error: unknown) => {
  console.error('bench failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
