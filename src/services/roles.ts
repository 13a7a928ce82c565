/** Creating roles: the name rule of the spec, 409 for a taken name, an audit record. */
import type { Db } from '../db/connect.ts';
import type { RoleRow } from '../db/schema.ts';
import { AppError, fieldError } from '../errors.ts';
import { insertAudit } from '../queries/audit.ts';
import { insertRole, listRoles } from '../queries/roles.ts';
import type { Actor } from './memberships.ts';

export const ROLE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export async function createRole(db: Db, name: string, description: string | null, by: Actor): Promise<RoleRow> {
  if (!ROLE_NAME.test(name)) {
    throw fieldError(['name'], 'role names are lower-case letters, digits, _ and -, starting with a letter (at most 63)', 'value_error.str.regex');
  }
  return db.transaction().execute(async (trx) => {
    const role = await insertRole(trx, name, description);
    if (role === null) throw new AppError('role_exists', { message: 'role_exists_named', params: { name } });
    await insertAudit(trx, { ...by, action: 'role.create', target: role.id, after: { name, description } });
    return role;
  });
}

export async function allRoles(db: Db): Promise<RoleRow[]> {
  return listRoles(db);
}
