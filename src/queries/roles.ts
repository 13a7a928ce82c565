/** SQL for roles. */
import type { Db } from '../db/connect.ts';
import type { RoleRow } from '../db/schema.ts';

/** The four roles of the Tagline seed, with its descriptions. `admin` and `member` are built in. */
export const DEFAULT_ROLES: readonly { name: string; description: string }[] = [
  { name: 'admin', description: 'Administrator with full access' },
  { name: 'member', description: 'Basic JLLA member' },
  { name: 'active', description: 'Active JLLA member' },
  { name: 'sustainer', description: 'Sustainer JLLA member' },
];

export const BUILTIN_ROLES: ReadonlySet<string> = new Set(['admin', 'member']);

/** Idempotent and race-safe: concurrent seeders all succeed, each role exists once. */
export async function seedDefaultRoles(db: Db): Promise<number> {
  const result = await db
    .insertInto('roles')
    .values(DEFAULT_ROLES.map((role) => ({ name: role.name, description: role.description })))
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

export async function listRoles(db: Db): Promise<RoleRow[]> {
  return db.selectFrom('roles').selectAll().orderBy('name').execute();
}

export async function findRoleByName(db: Db, name: string): Promise<RoleRow | null> {
  return (await db.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst()) ?? null;
}

/** Inserts a role; returns null when the name is taken. */
export async function insertRole(db: Db, name: string, description: string | null): Promise<RoleRow | null> {
  const row = await db
    .insertInto('roles')
    .values({ name, description })
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

export async function deleteRole(db: Db, name: string): Promise<boolean> {
  const result = await db.deleteFrom('roles').where('name', '=', name).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function findRolesByNames(db: Db, names: readonly string[]): Promise<RoleRow[]> {
  if (names.length === 0) return [];
  return db
    .selectFrom('roles')
    .selectAll()
    .where('name', 'in', [...names])
    .execute();
}
