/**
 * The data-layer contract: the same suite on PGlite (default) and PostgreSQL (DATABASE_URL).
 * It pins down what the rest of the code relies on from the database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AppError } from '../src/errors.ts';
import { insertAudit } from '../src/queries/audit.ts';
import { eligibleAmong, insertEligibleChunk, insertNewEligibleEmails, isEmailEligible, lockEligibleEmailsForImport } from '../src/queries/eligibility.ts';
import { uuidV7Batch } from '../src/db/uuid-v7.ts';
import { grantSystemRole } from '../src/queries/memberships.ts';
import { DEFAULT_ROLES, findRoleByName, listRoles, seedDefaultRoles } from '../src/queries/roles.ts';
import { findUserByEmail, insertUser } from '../src/queries/users.ts';
import { adminListUsers } from '../src/queries/user-views.ts';
import { checkEmails, importEligibleEmails } from '../src/services/eligibility.ts';
import { revokeRole } from '../src/services/memberships.ts';
import { createTestDatabase, insertPlainUser, waitForLockWaiter, type TestDatabase } from './helpers/db.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => t.close());

async function rejects(work: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(work, (error: Error) => pattern.test(error.message));
}

describe(`data layer contract (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('seeds the four default roles with the seed descriptions, idempotently', async () => {
    assert.equal(await seedDefaultRoles(t.db), 0, 'already seeded by the test database');
    const roles = await listRoles(t.db);
    for (const role of DEFAULT_ROLES) {
      assert.equal(roles.find((r) => r.name === role.name)?.description, role.description);
    }
    await Promise.all([seedDefaultRoles(t.db), seedDefaultRoles(t.db), seedDefaultRoles(t.db)]);
    assert.equal((await listRoles(t.db)).length, roles.length);
  });

  it('stores emails lower-cased only, and once', async () => {
    await rejects(insertUser(t.db, { email: 'Upper@Example.org', authProvider: 'local', isEmailVerified: false }), /users_email_lower/);
    await insertPlainUser(t.db, 'once@example.org');
    assert.equal(await insertUser(t.db, { email: 'once@example.org', authProvider: 'local', isEmailVerified: false }), null);
  });

  it('returns timestamps as Date, ids as UUID strings, JSON as values', async () => {
    const user = await findUserByEmail(t.db, 'once@example.org');
    assert.ok(user);
    assert.ok(user.created_at instanceof Date);
    assert.match(user.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(user.config, {});
    await insertAudit(t.db, { actor: 'system', action: 'test.json', target: user.uuid, before: { a: [1, 'x'] }, after: null });
    const row = await t.db.selectFrom('audit_log').select(['before', 'after', 'created_at']).where('action', '=', 'test.json').executeTakeFirstOrThrow();
    assert.deepEqual(row.before, { a: [1, 'x'] });
    assert.ok(row.created_at instanceof Date);
  });

  it('keeps the audit log append-only', async () => {
    await insertAudit(t.db, { actor: 'system', action: 'test.append', target: null });
    await rejects(t.db.updateTable('audit_log').set({ action: 'forged' }).where('action', '=', 'test.append').execute(), /append-only/);
    await rejects(t.db.deleteFrom('audit_log').where('action', '=', 'test.append').execute(), /append-only/);
  });

  it('refuses role names outside the spec pattern', async () => {
    await rejects(t.db.insertInto('roles').values({ name: 'Bad Name', description: null }).execute(), /check/);
  });

  it('cascades a user delete to memberships, and keeps (user, role) unique', async () => {
    const uuid = await insertPlainUser(t.db, 'cascade@example.org');
    const member = await findRoleByName(t.db, 'member');
    assert.ok(member);
    await grantSystemRole(t.db, uuid, member.id);
    await grantSystemRole(t.db, uuid, member.id);
    const count = async (): Promise<number> =>
      (
        await t.db
          .selectFrom('system_memberships')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('user_uuid', '=', uuid)
          .executeTakeFirstOrThrow()
      ).n;
    assert.equal(await count(), 1);
    await t.db.deleteFrom('users').where('uuid', '=', uuid).execute();
    assert.equal(await count(), 0);
  });

  it('inserts eligible emails set-based, skipping those already present', async () => {
    assert.equal(await insertEligibleChunk(t.db, ['e1@example.org', 'e2@example.org'], 'b1'), 2);
    assert.equal(await insertEligibleChunk(t.db, ['e2@example.org', 'e3@example.org'], 'b2'), 1);
    assert.equal(await isEmailEligible(t.db, 'e3@example.org'), true);
    const e2 = await t.db.selectFrom('eligible_emails').select('batch_id').where('email', '=', 'e2@example.org').executeTakeFirstOrThrow();
    assert.equal(e2.batch_id, 'b1', 'an existing address keeps its batch');
  });

  it('writes an import all-or-nothing: a failure after the first chunk leaves nothing', async () => {
    const emails = Array.from({ length: 25_000 }, (_, i) => `bulk${i}@example.org`);
    await assert.rejects(
      importEligibleEmails(t.db, emails, 'atomic', {
        actor: 'system',
        chunkSize: 10_000,
        onProgress: () => {
          throw new Error('stop after the first chunk');
        },
      }),
      /stop after the first chunk/,
    );
    assert.equal(await isEmailEligible(t.db, 'bulk0@example.org'), false);
    const outcome = await importEligibleEmails(t.db, emails, 'atomic', { actor: 'system', chunkSize: 10_000 });
    assert.deepEqual(outcome, { added: 25_000, already_present: 0 });
    assert.deepEqual(await importEligibleEmails(t.db, emails, 'atomic', { actor: 'system' }), { added: 0, already_present: 25_000 });
  });

  it('imports chunks optimistically: a chunk that meets a present address is undone and looked up, and only new ones are written', async () => {
    await insertEligibleChunk(t.db, ['opt5@example.org', 'opt25@example.org'], 'earlier');
    const emails = Array.from({ length: 30 }, (_, i) => `opt${i}@example.org`);
    // Chunk 0 (opt0-9) holds a present address in its middle, so its COPY fails after opt0-4.
    const outcome = await importEligibleEmails(t.db, emails, 'optimistic', { actor: 'system', chunkSize: 10 });
    assert.deepEqual(outcome, { added: 28, already_present: 2 });
    const rows = await t.db.selectFrom('eligible_emails').select(['email', 'batch_id']).where('email', 'like', 'opt%@example.org').execute();
    assert.equal(rows.length, 30, 'every address once: nothing of the undone COPY stayed');
    assert.deepEqual(
      rows
        .filter((row) => row.batch_id === 'earlier')
        .map((row) => row.email)
        .sort(),
      ['opt25@example.org', 'opt5@example.org'],
    );
    assert.deepEqual(await importEligibleEmails(t.db, emails, 'optimistic', { actor: 'system', chunkSize: 10 }), { added: 0, already_present: 30 });
  });

  it('aborts an import whole on any error other than a present address', async () => {
    const emails = ['whole1@example.org', 'whole2@example.org', 'Whole3@Example.org']; // the last breaks the lower-case check
    await assert.rejects(
      importEligibleEmails(t.db, emails, 'whole', { actor: 'system', chunkSize: 2 }),
      (error: Error & { code?: string }) => error.code === '23514',
    );
    assert.equal(await isEmailEligible(t.db, 'whole1@example.org'), false, 'the first chunk went with the transaction');
  });

  it('gives eligible emails time-ordered UUIDv7 ids, from imports and from the column default', async () => {
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const batch = uuidV7Batch(1000, Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    assert.equal(new Set(batch).size, 1000);
    assert.ok(batch.every((id) => v7.test(id)));
    assert.equal(parseInt(batch[0]!.replace('-', '').slice(0, 12), 16), Date.UTC(2026, 0, 2, 3, 4, 5, 6), 'the first 48 bits are the milliseconds');
    const before = Date.now();
    await importEligibleEmails(t.db, ['v7a@example.org', 'v7b@example.org'], 'v7', { actor: 'system' });
    await insertEligibleChunk(t.db, ['v7c@example.org'], 'v7');
    const rows = await t.db.selectFrom('eligible_emails').select('id').where('batch_id', '=', 'v7').execute();
    assert.equal(rows.length, 3);
    for (const { id } of rows) {
      assert.match(id, v7);
      const ms = parseInt(id.replace('-', '').slice(0, 12), 16);
      assert.ok(Math.abs(ms - before) < 60_000, `${id} carries the time it was made`);
    }
  });

  it(
    'makes other writers of the list wait for an import, so its COPY never meets a duplicate',
    { skip: process.env.DATABASE_URL ? false : 'PGlite has one connection: writers are serialized anyway' },
    async () => {
      let lockTaken!: () => void;
      const locked = new Promise<void>((resolve) => (lockTaken = resolve));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const importing = t.db.transaction().execute(async (trx) => {
        await lockEligibleEmailsForImport(trx);
        lockTaken();
        await held;
        assert.equal((await eligibleAmong(trx, ['race@example.org'])).size, 0);
        await insertNewEligibleEmails(trx, { ids: uuidV7Batch(1), emails: ['race@example.org'] }, 'import');
      });
      await locked;
      let racingDone = false;
      const racing = insertEligibleChunk(t.db, ['race@example.org'], 'single').finally(() => (racingDone = true));
      // PostgreSQL says when the racing writer blocks on the import's lock.
      await waitForLockWaiter(t.db);
      const waited = !racingDone;
      release();
      await importing;
      assert.equal(waited, true, 'the other writer waits while the import holds the lock');
      assert.equal(await racing, 0, 'and then finds the address present');
      const row = await t.db.selectFrom('eligible_emails').select('batch_id').where('email', '=', 'race@example.org').executeTakeFirstOrThrow();
      assert.equal(row.batch_id, 'import');
    },
  );

  it('folds duplicates and reports invalid entries with their positions', () => {
    const checked = checkEmails([
      { raw: ' A@Example.org ', position: 1 },
      { raw: 'a@example.org', position: 2 },
      { raw: 'no-at-sign', position: 3 },
      { raw: 'x@y', position: 4 },
    ]);
    assert.deepEqual(checked.emails, ['a@example.org']);
    assert.deepEqual(
      checked.invalid.map((i) => i.position),
      [3, 4],
    );
  });

  it('never interleaves two transactions (PGlite has one connection)', async () => {
    const failing = t.db.transaction().execute(async (trx) => {
      await insertEligibleChunk(trx, ['rolled-back@example.org'], 'tx');
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('roll back');
    });
    const committing = t.db.transaction().execute(async (trx) => {
      await insertEligibleChunk(trx, ['committed@example.org'], 'tx');
    });
    await assert.rejects(failing, /roll back/);
    await committing;
    assert.equal(await isEmailEligible(t.db, 'committed@example.org'), true, 'the other transaction committed');
    assert.equal(await isEmailEligible(t.db, 'rolled-back@example.org'), false);
  });

  it('lets only one of two concurrent removals of the last two admins succeed', async () => {
    const admin = await findRoleByName(t.db, 'admin');
    assert.ok(admin);
    const a = await insertPlainUser(t.db, 'admin-a@example.org');
    const b = await insertPlainUser(t.db, 'admin-b@example.org');
    await grantSystemRole(t.db, a, admin.id);
    await grantSystemRole(t.db, b, admin.id);
    const results = await Promise.allSettled([revokeRole(t.db, a, 'admin', { actor: 'system' }), revokeRole(t.db, b, 'admin', { actor: 'system' })]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected');
    assert.ok(refused?.status === 'rejected' && refused.reason instanceof AppError && refused.reason.code === 'last_admin');
  });

  it('lists users by email with keyset pagination and a role filter', async () => {
    const page1 = await adminListUsers(t.db, { limit: 2 });
    const page2 = await adminListUsers(t.db, { limit: 2, afterEmail: page1.at(-1)?.email });
    assert.equal(page1.length, 2);
    assert.ok(page2.every((u) => u.email > (page1.at(-1)?.email ?? '')));
    const admins = await adminListUsers(t.db, { limit: 10, role: 'admin' });
    assert.deepEqual(admins.map((u) => u.email).filter((e) => e.startsWith('admin-')).length, 1);
    const literal = await adminListUsers(t.db, { limit: 10, email: '%' });
    assert.equal(literal.length, 0, '% is matched literally');
  });
});
