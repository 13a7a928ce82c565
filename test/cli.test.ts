/** The `gatehouse` command, run as a real process against this file's own database. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrations } from '../migrations/index.ts';
import { createEmptyPostgresDatabase, type TestDatabase } from './helpers/db.ts';

const MIGRATIONS = Object.keys(migrations);
import { runCli, type RunResult } from './helpers/processes.ts';

let env: Record<string, string>;
let pgDatabase: TestDatabase | null = null;
const dir = mkdtempSync(path.join(tmpdir(), 'gh-cli-'));

before(async () => {
  pgDatabase = await createEmptyPostgresDatabase();
  env = { NODE_ENV: 'development', DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn', ...(pgDatabase?.url ? { DATABASE_URL: pgDatabase.url } : {}) };
});
after(async () => pgDatabase?.close());

function cli(args: string[], input?: string): Promise<RunResult> {
  return runCli(args, env, input);
}

function csv(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('gatehouse CLI', () => {
  it('migrate applies the schema once; the second run is a no-op', async () => {
    const first = await cli(['migrate']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`Applied ${MIGRATIONS.length} migration\\(s\\): ${MIGRATIONS.join(', ')}`));
    const second = await cli(['migrate']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /up to date; nothing to apply/);
  });

  it('import-eligible adds, reports already-present, and refuses a file with invalid lines whole', async () => {
    const good = csv('good.csv', 'name,email\nAda,Ada@Example.org\nBob, bob@example.org \nAda again,ada@example.org\n\n');
    const first = await cli(['import-eligible', good, '--batch', 'spring']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /added: 2, already present: 0, invalid: 0/);

    const mixed = csv('mixed.csv', 'carol@example.org\nnot-an-address\nbob@example.org\nalso bad@example.org\n');
    const refused = await cli(['import-eligible', mixed]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /line 2: invalid address "not-an-address"/);
    assert.match(refused.stderr, /line 4: invalid address "also bad@example.org"/);
    assert.match(refused.stderr, /Nothing was imported/);

    const again = await cli(['import-eligible', csv('again.csv', 'carol@example.org\nbob@example.org\n')]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /added: 1, already present: 1/, 'carol was not written by the refused import');
  });

  it('create-admin reads the password from stdin; users, roles, grant and revoke work', async () => {
    const created = await cli(['create-admin', 'Root@Example.org', '--password-stdin'], 'a long enough passphrase\n');
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Created admin root@example.org/);
    const tooShort = await cli(['create-admin', 'short@example.org', '--password-stdin'], 'short\n');
    assert.equal(tooShort.code, 1);
    assert.match(tooShort.stderr, /at least 12 characters/);

    const role = await cli(['roles', 'create', 'editors', '--description', 'Editors']);
    assert.equal(role.code, 0, role.stderr);
    const badRole = await cli(['roles', 'create', 'Bad Name']);
    assert.equal(badRole.code, 1);
    const roles = await cli(['roles', 'list']);
    assert.match(roles.stdout, /admin\tAdministrator with full access/);
    assert.match(roles.stdout, /editors\tEditors/);

    assert.equal((await cli(['users', 'grant', 'root@example.org', 'editors'])).code, 0);
    const listed = await cli(['users', 'list', '--role', 'editors']);
    assert.match(listed.stdout, /root@example\.org\t[0-9a-f-]{36}\tactive\tadmin,editors/);
    const lastAdmin = await cli(['users', 'revoke', 'root@example.org', 'admin']);
    assert.equal(lastAdmin.code, 1);
    assert.match(lastAdmin.stderr, /last active admin/);
    assert.equal((await cli(['users', 'revoke', 'root@example.org', 'editors'])).code, 0);
    const unknown = await cli(['users', 'grant', 'nobody@example.org', 'editors']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No user with email nobody@example.org/);
  });
});
