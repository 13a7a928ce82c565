/** Users and sign-ins for tests, through the same queries and routes the service uses. */
import assert from 'node:assert/strict';
import type { App } from '../../src/app.ts';
import type { Db } from '../../src/db/connect.ts';
import { grantSystemRole } from '../../src/queries/memberships.ts';
import { findRoleByName, insertRole } from '../../src/queries/roles.ts';
import { insertUser } from '../../src/queries/users.ts';
import { hashPassword } from '../../src/security/passwords.ts';

export const PASSWORD = 'correct horse battery staple';
export const ORIGIN = 'http://localhost:8000';

export interface TestUser {
  readonly uuid: string;
  readonly email: string;
}

export async function createUser(db: Db, email: string, options: { password?: string | null; roles?: string[] } = {}): Promise<TestUser> {
  const password = options.password === undefined ? PASSWORD : options.password;
  const user = await insertUser(db, {
    email,
    passwordHash: password === null ? null : await hashPassword(password),
    authProvider: 'local',
    isEmailVerified: true,
  });
  assert.ok(user, `user ${email} exists already`);
  for (const name of options.roles ?? []) {
    const role = (await findRoleByName(db, name)) ?? (await insertRole(db, name, null));
    assert.ok(role);
    await grantSystemRole(db, user.uuid, role.id);
  }
  return { uuid: user.uuid, email: user.email };
}

export interface SignedIn {
  readonly cookies: Record<string, string>;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly bearer: { authorization: string };
}

export async function login(app: App, email: string, password = PASSWORD, prefix = '/auth'): Promise<SignedIn> {
  const res = await app.inject({ method: 'POST', url: `${prefix}/login`, payload: { email, password } });
  assert.equal(res.statusCode, 200, res.body);
  const cookies = Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
  const accessToken = cookies.access_token ?? cookies['__Host-access_token'] ?? '';
  const refreshToken = cookies.refresh_token ?? cookies['__Host-refresh_token'] ?? '';
  return { cookies, accessToken, refreshToken, bearer: { authorization: `Bearer ${accessToken}` } };
}
