/**
 * The way into a fresh install: an email that becomes eligible, a user and an admin, at start-up
 * (BOOTSTRAP_ADMIN_EMAIL) or from the CLI (`gatehouse create-admin`). Idempotent.
 */
import type { Db } from '../db/connect.ts';
import type { UserRow } from '../db/schema.ts';
import { AppError, fieldError } from '../errors.ts';
import { insertAudit } from '../queries/audit.ts';
import { emitUserEvent, withMembershipEvents } from './webhook-events.ts';
import { insertEligibleChunk } from '../queries/eligibility.ts';
import { grantSystemRole } from '../queries/memberships.ts';
import { findRoleByName } from '../queries/roles.ts';
import { findUserByEmail, insertUser, setPasswordHash } from '../queries/users.ts';
import { hashPassword, passwordLengthProblem } from '../security/passwords.ts';
import { isValidEmail, normalizeEmail } from './email-address.ts';

export interface EnsureAdminResult {
  readonly user: UserRow;
  readonly created: boolean;
}

/**
 * Makes `email` eligible, creates the user if needed (with a password when one is given), and
 * grants the admin role. A deleted user is refused: reviving it is a deliberate admin act.
 */
export async function ensureAdmin(db: Db, rawEmail: string, password: string | null, actor = 'system'): Promise<EnsureAdminResult> {
  const email = normalizeEmail(rawEmail);
  if (!isValidEmail(email)) throw fieldError(['email'], 'value is not a valid email address', 'value_error.email');
  if (password !== null) {
    const problem = passwordLengthProblem(password);
    if (problem !== null) throw fieldError(['password'], problem);
  }
  // Hash before the transaction: argon2 takes tens of milliseconds, locks should not wait on it.
  const passwordHash = password === null ? null : await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    await insertEligibleChunk(trx, [email], 'bootstrap');
    let user = await findUserByEmail(trx, email);
    let created = false;
    if (user === null) {
      user = await insertUser(trx, { email, passwordHash, authProvider: 'local', isEmailVerified: false });
      if (user === null) throw new AppError('email_taken');
      created = true;
    } else if (user.is_deleted) {
      throw new AppError('user_inactive', { message: 'user_deleted', params: { email } });
    } else if (passwordHash !== null) {
      await setPasswordHash(trx, user.uuid, passwordHash);
    }
    const admin = await findRoleByName(trx, 'admin');
    if (admin === null) throw new AppError('role_not_found', { message: 'admin_role_missing' });
    const uuid = user.uuid;
    await withMembershipEvents(trx, [uuid], async () => {
      await grantSystemRole(trx, uuid, admin.id);
      if (created) await emitUserEvent(trx, 'user.created', uuid);
    });
    await insertAudit(trx, { actor, action: 'admin.ensure', target: user.uuid, after: { email, created, password_set: passwordHash !== null } });
    return { user, created };
  });
}
