/**
 * A fresh, migrated, seeded database per test file: PGlite by default, or a new database on the
 * PostgreSQL server of DATABASE_URL (dropped at the end).
 *
 * Booting PGlite and running the migrations costs ~4 s; restoring a dumped data dir ~0.5 s.
 * So the first file that needs one builds a template, keyed by a hash of the migration
 * sources, and every file after it restores that template.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql, type LogEvent } from 'kysely';
import pg from 'pg';
import { openPGliteInstance, openPostgres, type Db, type DbHandle, type DbKind, type PoolStats } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { seedDefaultRoles } from '../../src/queries/roles.ts';
import { insertUser } from '../../src/queries/users.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TestDatabase {
  readonly db: Db;
  readonly kind: DbKind;
  /** For PostgreSQL: the URL of this file's own database (child processes can use it). */
  readonly url: string | null;
  /** The pool's connection counts (null on PGlite), for /metrics. */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
}

export interface TestDatabaseOptions {
  readonly onQuery?: (event: LogEvent) => void;
  /** Leave the schema empty (to test migrations themselves). */
  readonly migrate?: boolean;
}

function migrationsHash(): string {
  const dir = path.join(ROOT, 'migrations');
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(path.join(dir, file)));
  hash.update(readFileSync(path.join(ROOT, 'src/queries/roles.ts')));
  return hash.digest('hex').slice(0, 16);
}

async function pgliteTemplate(): Promise<Blob> {
  const dir = path.join(tmpdir(), 'gatehouse-test-templates');
  const file = path.join(dir, `pglite-${migrationsHash()}.tar`);
  if (!existsSync(file)) {
    const pglite = await PGlite.create();
    const handle = openPGliteInstance(pglite);
    await migrateToLatest(handle.db);
    await seedDefaultRoles(handle.db);
    const dump = await pglite.dumpDataDir('none');
    mkdirSync(dir, { recursive: true });
    // Write then rename: concurrent test files never read a half-written template.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
    await handle.close();
  }
  return new Blob([readFileSync(file)]);
}

async function createPglite(options: TestDatabaseOptions): Promise<TestDatabase> {
  const pglite = options.migrate === false ? await PGlite.create() : await PGlite.create({ loadDataDir: await pgliteTemplate() });
  const handle = openPGliteInstance(pglite, { onQuery: options.onQuery });
  return { db: handle.db, kind: 'pglite', url: null, poolStats: () => null, close: () => handle.close() };
}

async function createPostgres(serverUrl: string, options: TestDatabaseOptions): Promise<TestDatabase> {
  const name = `gatehouse_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle: DbHandle = openPostgres(url.href, { onQuery: options.onQuery, poolSize: 5 });
  if (options.migrate !== false) {
    await migrateToLatest(handle.db);
    await seedDefaultRoles(handle.db);
  }
  return {
    db: handle.db,
    kind: 'postgres',
    url: url.href,
    poolStats: handle.poolStats,
    async close(): Promise<void> {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl !== undefined && serverUrl !== '') return createPostgres(serverUrl, options);
  return createPglite(options);
}

/** Creates an empty PostgreSQL database for tests that need a URL of their own (or null on PGlite). */
export async function createEmptyPostgresDatabase(): Promise<TestDatabase | null> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl === undefined || serverUrl === '') return null;
  return createPostgres(serverUrl, { migrate: false });
}

/** A plain local user (no password, unverified) straight through the query layer; its uuid. */
export async function insertPlainUser(db: Db, email: string): Promise<string> {
  const user = await insertUser(db, { email, authProvider: 'local', isEmailVerified: false });
  if (user === null) throw new Error(`${email} exists already`);
  return user.uuid;
}

/**
 * Resolves once a session of this database waits for a lock (PostgreSQL's own view of it), so a
 * test can prove "the other writer waits" without guessing how long to sleep. Fails after 10 s.
 */
export async function waitForLockWaiter(db: Db): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`.execute(db);
    if ((rows[0]?.waiting ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error('no session came to wait for a lock within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
