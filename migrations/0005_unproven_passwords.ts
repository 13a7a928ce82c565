/**
 * users.password_unproven: the password was chosen by someone who had not proven the address
 * (self-registration before its verification). The first proof of the address by a mailed link
 * removes such a password and the sessions made with it (account pre-hijacking, docs/auth.md).
 * Passwords set by an admin or the operator are not a stranger's guess and stay false.
 * Existing rows: a local, unverified account with a password that no admin or operator created
 * (no `user.create` / `admin.ensure` audit row) was self-registered.
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS: readonly string[] = [
  `alter table users add column password_unproven boolean not null default false`,
  `update users u set password_unproven = true
   where u.auth_provider = 'local' and not u.is_email_verified and u.password_hash is not null
     and not exists (
       select 1 from audit_log a where a.target = u.uuid::text and a.action in ('user.create', 'admin.ensure'))`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}
