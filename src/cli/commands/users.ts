/** `create-admin`, `users list|show|add|grant|revoke`. */
import type { Command } from 'commander';
import type { Db } from '../../db/connect.ts';
import { AppError } from '../../errors.ts';
import { adminCreateUser, findUsers } from '../../services/admin-users.ts';
import { ensureAdmin } from '../../services/bootstrap.ts';
import { grantRole, revokeRole } from '../../services/memberships.ts';
import { allRoles } from '../../services/roles.ts';
import { publicUser, requireUserByEmail } from '../../services/users.ts';
import { effectiveRoles } from '../../services/user-view.ts';
import { withDatabase } from '../context.ts';
import { printOne, type OutputOptions } from '../output.ts';
import { out, readStdin } from '../io.ts';
import { parseInstant } from './memberships.ts';

/** The role, or an error that says it is the role (not the user) that is missing, and which exist. */
async function requireRoleName(db: Db, name: string): Promise<string> {
  const names = (await allRoles(db)).map((role) => role.name);
  if (!names.includes(name)) throw new AppError('role_not_found', { message: 'role_unknown_cli', params: { name, roles: names.join(', ') } });
  return name;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const CLI_ACTOR = { actor: 'system' } as const;

export function registerUserCommands(program: Command): void {
  program
    .command('create-admin')
    .description('make an email eligible, create its user if needed, and grant it the admin role')
    .argument('<email>')
    .option('--password-stdin', 'read a password for the account from standard input')
    .action(async (email: string, options: { passwordStdin?: boolean }) => {
      const password = options.passwordStdin === true ? await readStdin() : null;
      await withDatabase(async ({ db }) => {
        const { user, created } = await ensureAdmin(db, email, password);
        out(`${created ? 'Created' : 'Updated'} admin ${user.email} (${user.uuid})${password === null ? '; signs in by magic link' : ''}`);
      });
    });

  const users = program.command('users').description('list users and manage their roles');
  users
    .command('list')
    .option('--email <text>', 'only emails containing this text')
    .option('--role <name>', 'only users holding this role')
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'print JSON lines')
    .action(async (options: { email?: string; role?: string; limit: string; json?: boolean }) => {
      await withDatabase(async ({ db }) => {
        // The admin API's search (the same filters and order as GET /admin/users).
        const found = await findUsers(db, { email: options.email, role: options.role, limit: Math.max(1, Math.min(10_000, Number(options.limit) || 100)) });
        const rows = found.map((user) => ({
          uuid: user.uuid,
          email: user.email,
          name: user.name,
          is_active: user.is_active,
          roles: effectiveRoles(user.system).sort(),
        }));
        for (const row of rows) {
          if (options.json === true) out(JSON.stringify(row));
          else out(`${row.email}\t${row.uuid}\t${row.is_active ? 'active' : 'inactive'}\t${row.roles.join(',')}`);
        }
        if (options.json !== true) out(`${rows.length} user(s)`);
      });
    });

  users
    .command('show')
    .argument('<email>')
    .option('--json', 'print the user public view as JSON')
    .action(async (email: string, options: OutputOptions) => {
      await withDatabase(async ({ db }) => {
        const user = await publicUser(db, (await requireUserByEmail(db, email)).uuid);
        const memberships = user.memberships.map((m) => (m.type === 'system' ? `${m.role} (${m.status})` : `${m.membership_role} of ${m.organizer_name}`));
        printOne(options, user, `${user.email}\t${user.uuid}\t${user.name ?? ''}\n${memberships.join('\n') || '(no memberships)'}`);
      });
    });

  users
    .command('add')
    .description('create a user now (verified, no mail sent); it signs in by magic link, or with --password-stdin')
    .argument('<email>')
    .option('--name <name>')
    .option('--role <name>', 'a system role to grant (repeatable; without any: member)', collect, [])
    .option('--password-stdin', 'read a password for the account from standard input')
    .option('--json', 'print the user as JSON')
    .action(async (email: string, options: OutputOptions & { name?: string; role: string[]; passwordStdin?: boolean }) => {
      const password = options.passwordStdin === true ? await readStdin() : undefined;
      await withDatabase(async ({ db }) => {
        const created = await adminCreateUser(
          db,
          { email, name: options.name ?? null, password, roleNames: options.role.length > 0 ? options.role : undefined },
          CLI_ACTOR,
        );
        const view = { uuid: created.uuid, email: created.email, name: created.name };
        printOne(options, view, `Created user ${view.email} (${view.uuid})`);
      });
    });

  users
    .command('grant')
    .argument('<email>')
    .argument('<role>')
    .option('--until <date>', 'the membership expires then (2027-01-31 is midnight UTC, or an ISO date-time); without it, never')
    .action(async (email: string, role: string, options: { until?: string }) => {
      const expiresAt = options.until === undefined ? null : parseInstant('until', options.until);
      await withDatabase(async ({ db }) => {
        const user = await requireUserByEmail(db, email);
        await grantRole(db, user.uuid, await requireRoleName(db, role), CLI_ACTOR, expiresAt);
        out(`Role ${role} assigned to ${user.email}${expiresAt === null ? '' : ` until ${expiresAt.toISOString()}`}`);
      });
    });

  users
    .command('revoke')
    .argument('<email>')
    .argument('<role>')
    .action(async (email: string, role: string) => {
      await withDatabase(async ({ db }) => {
        const user = await requireUserByEmail(db, email);
        await revokeRole(db, user.uuid, await requireRoleName(db, role), CLI_ACTOR);
        out(`Role ${role} removed from ${user.email}`);
      });
    });
}
