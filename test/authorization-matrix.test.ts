/**
 * The authorization matrix, built from the registered route table: every admin and organizer
 * route × every kind of caller. A new route without a guard (or an organizer route without its
 * action) fails this suite. "allowed" means the guard let the request through: whatever the
 * route then answers (200, 404 for the dummy ids, 422 for the empty body), it is not 401/403.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { findRoleByName } from '../src/queries/roles.ts';
import { ORGANIZER_PERMISSIONS, type OrganizerAction, type OrganizerStanding } from '../src/services/organizer-permissions.ts';
import type { RouteAccess } from '../src/http/route-contract.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';

const API_KEY = 'k'.repeat(40);
let t: TestApp;
let orgA: string;
const headers = new Map<string, Record<string, string>>();

type Caller =
  | 'none'
  | 'member'
  | 'suspended admin'
  | 'deactivated admin'
  | 'admin of another organizer'
  | 'organizer owner'
  | 'organizer admin'
  | 'organizer member'
  | 'system admin'
  | 'API key'
  | 'wrong API key';

const CALLERS: Caller[] = [
  'none',
  'member',
  'suspended admin',
  'deactivated admin',
  'admin of another organizer',
  'organizer owner',
  'organizer admin',
  'organizer member',
  'system admin',
  'API key',
  'wrong API key',
];

/** Each caller's standing in organizer A, as the permission table understands it. */
const STANDING_IN_A: Partial<Record<Caller, OrganizerStanding>> = {
  'organizer owner': 'owner',
  'organizer admin': 'admin',
  'organizer member': 'member',
  'system admin': 'system_admin',
};

function expectedAdmin(caller: Caller): 'allowed' | 401 | 403 {
  if (caller === 'system admin' || caller === 'API key') return 'allowed';
  if (caller === 'none' || caller === 'wrong API key') return 401;
  return 403;
}

function expectedOrganizer(caller: Caller, action: OrganizerAction): 'allowed' | 401 | 403 {
  // The API key is for /admin/* only; organizer routes need a user.
  if (caller === 'none' || caller === 'API key' || caller === 'wrong API key') return 401;
  const standing = STANDING_IN_A[caller];
  return standing !== undefined && ORGANIZER_PERMISSIONS[standing].has(action) ? 'allowed' : 403;
}

before(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silent', API_KEY } });
  const db = t.database.db;
  const [a, b] = await db
    .insertInto('organizers')
    .values([{ name: 'Org A' }, { name: 'Org B' }])
    .returning('uuid')
    .execute();
  orgA = a?.uuid ?? '';
  const orgB = b?.uuid ?? '';
  const admin = await findRoleByName(db, 'admin');
  assert.ok(admin);

  const member = await createUser(db, 'm-member@example.org', { roles: ['member'] });
  const suspended = await createUser(db, 'm-suspended@example.org', { roles: ['admin'] });
  const deactivated = await createUser(db, 'm-deactivated@example.org', { roles: ['admin'] });
  const otherOrgAdmin = await createUser(db, 'm-other@example.org', { roles: ['member'] });
  const owner = await createUser(db, 'm-owner@example.org', { roles: ['member'] });
  const orgAdmin = await createUser(db, 'm-orgadmin@example.org', { roles: ['member'] });
  const orgMember = await createUser(db, 'm-orgmember@example.org', { roles: ['member'] });
  const sysAdmin = await createUser(db, 'm-sysadmin@example.org', { roles: ['admin'] });
  await db
    .insertInto('organizer_memberships')
    .values([
      { user_uuid: owner.uuid, organizer_uuid: orgA, role: 'owner' },
      { user_uuid: orgAdmin.uuid, organizer_uuid: orgA, role: 'admin' },
      { user_uuid: orgMember.uuid, organizer_uuid: orgA, role: 'member' },
      { user_uuid: otherOrgAdmin.uuid, organizer_uuid: orgB, role: 'owner' },
    ])
    .execute();

  const bearer = async (email: string): Promise<Record<string, string>> => (await login(t.app, email)).bearer;
  headers.set('none', {});
  headers.set('member', await bearer(member.email));
  headers.set('suspended admin', await bearer(suspended.email));
  headers.set('deactivated admin', await bearer(deactivated.email));
  headers.set('admin of another organizer', await bearer(otherOrgAdmin.email));
  headers.set('organizer owner', await bearer(owner.email));
  headers.set('organizer admin', await bearer(orgAdmin.email));
  headers.set('organizer member', await bearer(orgMember.email));
  headers.set('system admin', await bearer(sysAdmin.email));
  headers.set('API key', { 'x-api-key': API_KEY });
  headers.set('wrong API key', { 'x-api-key': 'k'.repeat(39) + 'x' });
  // After signing in: suspension and deactivation must bite on the next request.
  await db.updateTable('system_memberships').set({ is_suspended: true }).where('user_uuid', '=', suspended.uuid).where('role_id', '=', admin.id).execute();
  await db.updateTable('users').set({ is_active: false }).where('uuid', '=', deactivated.uuid).execute();
});
after(async () => t.close());

function organizerActionOf(access: RouteAccess | null): OrganizerAction {
  if (access === null || typeof access !== 'object') throw new Error(`not an organizer route: ${String(access)}`);
  return access.organizer;
}

function concrete(url: string): string {
  return url
    .replace(':user_id', randomUUID())
    .replace(':user_uuid', randomUUID())
    .replace(':role_name', 'no-such-role')
    .replace(':name', 'no-such-role')
    .replace(':email', 'nobody%40example.org')
    .replace(':id', orgA);
}

describe('authorization matrix (from the registered route table)', () => {
  it('covers every admin and organizer route: admin routes need an admin, organizer routes name a known action', () => {
    const guarded = t.app.gatehouse.routes.filter((r) => /\/(admin|organizers)\b/.test(r.url) && r.method !== 'HEAD');
    assert.ok(guarded.length >= 30, `only ${guarded.length} routes found`);
    for (const route of guarded) {
      if (!route.url.includes('/organizers/')) {
        assert.equal(route.access, 'admin', `${route.method} ${route.url} is not admin-only`);
        continue;
      }
      const access = route.access;
      assert.ok(access !== null && typeof access === 'object', `${route.method} ${route.url} has no organizer action`);
      assert.ok(ORGANIZER_PERMISSIONS.system_admin.has(access.organizer), `${route.method} ${route.url}: unknown action ${access.organizer}`);
    }
  });

  it('every route × every caller gets the expected answer', async () => {
    const failures: string[] = [];
    const guarded = t.app.gatehouse.routes.filter((r) => /\/(admin|organizers)\b/.test(r.url) && r.method !== 'HEAD');
    for (const route of guarded) {
      for (const caller of CALLERS) {
        const expected = route.url.includes('/organizers/') ? expectedOrganizer(caller, organizerActionOf(route.access)) : expectedAdmin(caller);
        const res = await t.app.inject({
          method: route.method as 'GET',
          url: concrete(route.url),
          headers: headers.get(caller) ?? {},
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
        });
        const ok = expected === 'allowed' ? res.statusCode !== 401 && res.statusCode !== 403 && res.statusCode < 500 : res.statusCode === expected;
        if (!ok) failures.push(`${route.method} ${route.url} as ${caller}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 120)}`);
      }
    }
    assert.deepEqual(failures, []);
  });
});
