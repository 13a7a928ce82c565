/**
 * @gatehouse/verify as a service behind Gatehouse uses it: a real Gatehouse listening on a port
 * (HS256, ES256 and EdDSA), and for each of Fastify, Express and Hono a real HTTP server of that
 * framework guarding its routes with the package's three lines (verifier, guards, route option).
 * Every answer of a refusal is `{detail, code}` with Gatehouse's codes.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createVerifier, type Verifier } from '@gatehouse/verify';
import { insertOrganizer, upsertOrganizerMembership } from '../src/queries/organizers.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';
import { FRAMEWORKS, type FrameworkServer } from './helpers/framework-servers.ts';

const SECRET = 's'.repeat(40);

interface Fixture {
  readonly t: TestApp;
  readonly verifier: Verifier;
  readonly tokens: Record<'admin' | 'member' | 'owner' | 'orgAdmin' | 'orgMember', string>;
  readonly organizer: string;
  readonly otherOrganizer: string;
}

async function gatehouseWith(algorithm: 'HS256' | 'ES256' | 'EdDSA'): Promise<Fixture> {
  const t = await createTestApp({ env: { JWT_ALGORITHM: algorithm, JWT_SECRET: SECRET, LOG_LEVEL: 'silent' } });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const db = t.database.db;
  const organizer = (await insertOrganizer(db, 'Riverside Runners')).uuid;
  const otherOrganizer = (await insertOrganizer(db, 'Hill Walkers')).uuid;
  const users = {
    admin: await createUser(db, 'admin@example.org', { roles: ['admin', 'member'] }),
    member: await createUser(db, 'member@example.org', { roles: ['member'] }),
    owner: await createUser(db, 'owner@example.org', { roles: ['member'] }),
    orgAdmin: await createUser(db, 'org-admin@example.org', { roles: ['member'] }),
    orgMember: await createUser(db, 'org-member@example.org', { roles: ['member'] }),
  };
  await upsertOrganizerMembership(db, organizer, users.owner.uuid, 'owner');
  await upsertOrganizerMembership(db, organizer, users.orgAdmin.uuid, 'admin');
  await upsertOrganizerMembership(db, organizer, users.orgMember.uuid, 'member');
  await upsertOrganizerMembership(db, otherOrganizer, users.orgMember.uuid, 'admin');
  const tokens = Object.fromEntries(
    await Promise.all(Object.entries(users).map(async ([key, user]) => [key, (await login(t.app, user.email)).accessToken] as const)),
  ) as Fixture['tokens'];
  // The three lines a service writes, the first of them here: the verifier for this deployment.
  const verifier =
    algorithm === 'HS256'
      ? createVerifier({ issuer: t.config.publicUrl, secret: SECRET })
      : createVerifier({ issuer: t.config.publicUrl, jwksUrl: `${base}/.well-known/jwks.json` });
  return { t, verifier, tokens, organizer, otherOrganizer };
}

async function get(
  server: FrameworkServer,
  path: string,
  token?: string,
  as: 'bearer' | 'cookie' = 'bearer',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers[as === 'bearer' ? 'authorization' : 'cookie'] = as === 'bearer' ? `Bearer ${token}` : `theme=dark; access_token=${token}`;
  const res = await fetch(`${server.url}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

for (const algorithm of ['HS256', 'ES256', 'EdDSA'] as const) {
  describe(`@gatehouse/verify against Gatehouse with ${algorithm}`, () => {
    let f: Fixture;
    const servers: FrameworkServer[] = [];
    before(async () => {
      f = await gatehouseWith(algorithm);
      for (const start of Object.values(FRAMEWORKS)) servers.push(await start(f.verifier));
    });
    after(async () => {
      await Promise.all(servers.map((server) => server.close()));
      await f.t.close();
    });

    for (const name of Object.keys(FRAMEWORKS)) {
      const server = (): FrameworkServer => servers.find((s) => s.name === name) as FrameworkServer;

      it(`${name}: authenticates from the bearer header or the cookie, and refuses no token or a bad one with 401 {detail, code}`, async () => {
        const me = await get(server(), '/whoami', f.tokens.orgMember);
        assert.equal(me.status, 200);
        assert.deepEqual(me.body.roles, ['member']);
        assert.deepEqual(me.body.organizers, { [f.organizer]: 'member', [f.otherOrganizer]: 'admin' });
        assert.equal(me.body.source, 'token');
        assert.equal((await get(server(), '/whoami', f.tokens.member, 'cookie')).status, 200);
        assert.deepEqual(await get(server(), '/whoami'), { status: 401, body: { detail: 'Not authenticated', code: 'not_authenticated' } });
        const forged = `${f.tokens.member.slice(0, -6)}AAAAAA`;
        assert.deepEqual(await get(server(), '/whoami', forged), { status: 401, body: { detail: 'Invalid authentication token', code: 'invalid_token' } });
      });

      it(`${name}: requireSystemRole admits the role and answers 403 missing_role otherwise`, async () => {
        assert.equal((await get(server(), '/admin', f.tokens.admin)).status, 200);
        const refused = await get(server(), '/admin', f.tokens.member);
        assert.equal(refused.status, 403);
        assert.equal(refused.body.code, 'missing_role');
        assert.equal((await get(server(), '/admin')).status, 401);
      });

      it(`${name}: requireOrganizerRole ranks owner ≥ admin ≥ member, per organizer`, async () => {
        const events = (who: keyof Fixture['tokens'], organizer = f.organizer): Promise<number> =>
          get(server(), `/organizers/${organizer}/events`, f.tokens[who]).then((res) => res.status);
        assert.equal(await events('owner'), 200, 'an owner is at least an admin');
        assert.equal(await events('orgAdmin'), 200);
        assert.equal(await events('orgMember'), 403, 'a member is not an admin');
        assert.equal(await events('orgMember', f.otherOrganizer), 200, 'but is an admin of the other organizer');
        assert.equal(await events('admin'), 403, 'a system admin holds no organizer role by that');
        assert.equal((await get(server(), `/organizers/${f.organizer}/read`, f.tokens.orgMember)).status, 200, 'any membership reads');
        assert.equal((await get(server(), `/organizers/${f.organizer}/read`, f.tokens.member)).status, 403);
      });
    }
  });
}
