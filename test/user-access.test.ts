/**
 * user_access (migrations/0004_user_access.ts): the membership lists that /me and every guard
 * read are kept by triggers. These tests change memberships, roles and organizers every way the
 * code (or an operator with psql) can, and check the lists the principal read returns, on PGlite
 * and on PostgreSQL; on PostgreSQL also two concurrent writers for one user.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { migrations } from '../migrations/index.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { insertOrganizer, removeOrganizerMembership, renameOrganizer, upsertOrganizerMembership } from '../src/queries/organizers.ts';
import { grantSystemRole, revokeSystemRole, setMembershipFlags } from '../src/queries/memberships.ts';
import { loadUserWithMemberships, type UserWithMemberships } from '../src/queries/principal.ts';
import { deleteRole, findRoleByName, insertRole } from '../src/queries/roles.ts';
import { createTestDatabase, insertPlainUser, waitForLockWaiter, type TestDatabase } from './helpers/db.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => t.close());

async function roleId(name: string): Promise<string> {
  const role = await findRoleByName(t.db, name);
  assert.ok(role, name);
  return role.id;
}

async function lists(userUuid: string): Promise<Pick<UserWithMemberships, 'system' | 'organizers'>> {
  const user = await loadUserWithMemberships(t.db, userUuid);
  assert.ok(user, 'the user is readable with its lists');
  return { system: user.system, organizers: user.organizers };
}

function systemRoles(...entries: [string, boolean, boolean][]): { role: string; is_active: boolean; is_suspended: boolean; expires_at: null }[] {
  return entries.map(([role, is_active, is_suspended]) => ({ role, is_active, is_suspended, expires_at: null }));
}

describe(`user_access lists (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('follow grants, status flags, revocations and role renames and deletions', async () => {
    const user = await insertPlainUser(t.db, 'lists-roles@example.org');
    const bystander = await insertPlainUser(t.db, 'lists-bystander@example.org');
    assert.deepEqual(await lists(user), { system: [], organizers: [] }, 'a new user has empty lists');

    await grantSystemRole(t.db, user, await roleId('member'));
    await grantSystemRole(t.db, user, await roleId('admin'));
    await grantSystemRole(t.db, bystander, await roleId('member'));
    assert.deepEqual((await lists(user)).system, systemRoles(['admin', true, false], ['member', true, false]), 'sorted by role name');

    await setMembershipFlags(t.db, user, await roleId('admin'), { is_suspended: true });
    assert.deepEqual((await lists(user)).system, systemRoles(['admin', true, true], ['member', true, false]));

    await revokeSystemRole(t.db, user, await roleId('admin'));
    assert.deepEqual((await lists(user)).system, systemRoles(['member', true, false]), 'a revoked role is gone at once');

    const custom = await insertRole(t.db, 'lists-custom', null);
    assert.ok(custom);
    await grantSystemRole(t.db, user, custom.id);
    await sql`update roles set name = 'lists-renamed' where id = ${custom.id}`.execute(t.db);
    assert.deepEqual((await lists(user)).system, systemRoles(['lists-renamed', true, false], ['member', true, false]), 'a rename shows');
    await sql`update roles set description = 'only words' where id = ${custom.id}`.execute(t.db);
    assert.equal(await deleteRole(t.db, 'lists-renamed'), true);
    assert.deepEqual((await lists(user)).system, systemRoles(['member', true, false]), 'a deleted role (cascade) is gone');

    assert.deepEqual((await lists(bystander)).system, systemRoles(['member', true, false]), 'other users keep theirs');
  });

  it('follow organizer memberships, renames and deletions of organizers', async () => {
    const user = await insertPlainUser(t.db, 'lists-organizers@example.org');
    const beta = await insertOrganizer(t.db, 'Beta Club');
    const alpha = await insertOrganizer(t.db, 'Alpha Club');
    await upsertOrganizerMembership(t.db, beta.uuid, user, 'owner');
    await upsertOrganizerMembership(t.db, alpha.uuid, user, 'member');
    const entry = (organizer: { uuid: string }, name: string, role: string): Record<string, string> => ({
      organizer_uuid: organizer.uuid,
      organizer_name: name,
      membership_role: role,
    });
    assert.deepEqual((await lists(user)).organizers, [entry(alpha, 'Alpha Club', 'member'), entry(beta, 'Beta Club', 'owner')], 'sorted by organizer name');

    await renameOrganizer(t.db, alpha.uuid, 'Zeta Club');
    assert.deepEqual((await lists(user)).organizers, [entry(beta, 'Beta Club', 'owner'), entry(alpha, 'Zeta Club', 'member')]);

    await sql`update organizers set is_deleted = true where uuid = ${beta.uuid}`.execute(t.db);
    assert.deepEqual((await lists(user)).organizers, [entry(alpha, 'Zeta Club', 'member')], 'a deleted organizer drops out');
    await sql`update organizers set is_deleted = false where uuid = ${beta.uuid}`.execute(t.db);
    assert.equal((await lists(user)).organizers.length, 2, 'and comes back when restored');

    await removeOrganizerMembership(t.db, alpha.uuid, user);
    assert.deepEqual((await lists(user)).organizers, [entry(beta, 'Beta Club', 'owner')], 'a removed membership drops out');
    await sql`delete from organizers where uuid = ${beta.uuid}`.execute(t.db);
    assert.deepEqual((await lists(user)).organizers, [], 'an organizer deleted for good (cascade) too');
  });

  it('do not change when the change is rolled back', async () => {
    const user = await insertPlainUser(t.db, 'lists-rollback@example.org');
    await grantSystemRole(t.db, user, await roleId('member'));
    const adminRole = await roleId('admin');
    await assert.rejects(
      t.db.transaction().execute(async (trx) => {
        await grantSystemRole(trx, user, adminRole);
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.deepEqual((await lists(user)).system, systemRoles(['member', true, false]));
  });

  it(
    'hold both changes when two transactions change one user at once',
    { skip: process.env.DATABASE_URL ? false : 'PGlite has one connection: transactions never overlap' },
    async () => {
      const user = await insertPlainUser(t.db, 'lists-race@example.org');
      const [active, sustainer] = [await roleId('active'), await roleId('sustainer')];
      let granted!: () => void;
      const firstGranted = new Promise<void>((resolve) => (granted = resolve));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = t.db.transaction().execute(async (trx) => {
        await grantSystemRole(trx, user, active);
        granted();
        await held;
      });
      await firstGranted;
      // The second grant starts while the first is uncommitted: its snapshot cannot see 'active'.
      let secondDone = false;
      const second = t.db
        .transaction()
        .execute(async (trx) => grantSystemRole(trx, user, sustainer))
        .finally(() => (secondDone = true));
      await waitForLockWaiter(t.db);
      const waited = !secondDone;
      release();
      await Promise.all([first, second]);
      assert.equal(waited, true, 'the second refresh waits for the first transaction');
      assert.deepEqual((await lists(user)).system, systemRoles(['active', true, false], ['sustainer', true, false]), 'neither grant is lost');
    },
  );

  it('are filled for the users that exist when migration 0004 runs', async () => {
    const old = await createTestDatabase({ migrate: false });
    try {
      const migrator = new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } });
      const before = await migrator.migrateTo('0003_time_ordered_eligible_ids');
      assert.equal(before.error, undefined);
      const userUuid = await insertPlainUser(old.db, 'lists-upgrade@example.org');
      await sql`insert into roles (name) values ('member') on conflict do nothing`.execute(old.db);
      await sql`insert into system_memberships (user_uuid, role_id) select ${userUuid}, id from roles where name = 'member'`.execute(old.db);
      assert.ok((await migrateToLatest(old.db)).applied.includes('0004_user_access'));
      const loaded = await loadUserWithMemberships(old.db, userUuid);
      assert.deepEqual(loaded?.system, systemRoles(['member', true, false]));
      assert.deepEqual(loaded?.organizers, []);
    } finally {
      await old.close();
    }
  });
});
