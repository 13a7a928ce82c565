/** Data for the bench: a fresh database, many users sharing one password hash, fresh tokens. */
import { writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { openPostgres, type DbHandle } from '../../src/db/connect.ts';
import { hashPassword } from '../../src/security/passwords.ts';
import { mintOneTimeToken } from '../../src/services/one-time-tokens.ts';

export const PASSWORD = 'bench horse battery staple';

export async function recreateDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** Users u0..uN-1@bench.example.org with the member role (u0 also admin), one shared hash. */
export async function createUsers(db: DbHandle, count: number): Promise<void> {
  const hash = await hashPassword(PASSWORD);
  await sql`
    insert into users (email, password_hash, auth_provider, is_email_verified)
    select 'u' || i || '@bench.example.org', ${hash}, 'local', true from generate_series(0, ${count - 1}) as i`.execute(db.db);
  await sql`
    insert into system_memberships (user_uuid, role_id)
    select u.uuid, r.id from users u cross join roles r where r.name = 'member' and u.email like '%@bench.example.org'`.execute(db.db);
  await sql`
    insert into system_memberships (user_uuid, role_id)
    select u.uuid, r.id from users u cross join roles r where r.name = 'admin' and u.email = 'u0@bench.example.org'`.execute(db.db);
}

/** Fresh login tokens, one per user, minted through Gatehouse's own code (not through mail). */
export async function mintTokens(db: DbHandle, count: number, concurrency = 16): Promise<string[]> {
  const tokens: string[] = new Array<string>(count);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const i = next++;
      tokens[i] = await mintOneTimeToken(db.db, `u${i}@bench.example.org`, 'login');
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tokens;
}

export function writeCsv(file: string, count: number): string[] {
  const emails = Array.from({ length: count }, (_, i) => `e${i}@eligible.bench.example.org`);
  writeFileSync(file, `email\n${emails.join('\n')}\n`);
  return emails;
}

export function openBenchDb(url: string): DbHandle {
  return openPostgres(url, { poolSize: 16 });
}
