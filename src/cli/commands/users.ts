/** `create-admin`, `users list|grant|revoke`. */
import type { Command } from 'commander';
import { ensureAdmin } from '../../services/bootstrap.ts';
import { grantRole, revokeRole } from '../../services/memberships.ts';
import { requireUserByEmail, searchUsers } from '../../services/users.ts';
import { readStdin, withDatabase } from '../context.ts';

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
        console.log(`${created ? 'Created' : 'Updated'} admin ${user.email} (${user.uuid})${password === null ? '; signs in by magic link' : ''}`);
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
        const rows = await searchUsers(db, { emailContains: options.email?.toLowerCase(), role: options.role, limit: Math.max(1, Math.min(10_000, Number(options.limit) || 100)) });
        for (const row of rows) {
          if (options.json === true) console.log(JSON.stringify(row));
          else console.log(`${row.email}\t${row.uuid}\t${row.is_deleted ? 'deleted' : row.is_active ? 'active' : 'inactive'}\t${row.roles.join(',')}`);
        }
        if (options.json !== true) console.log(`${rows.length} user(s)`);
      });
    });

  users
    .command('grant')
    .argument('<email>')
    .argument('<role>')
    .action(async (email: string, role: string) => {
      await withDatabase(async ({ db }) => {
        const user = await requireUserByEmail(db, email);
        await grantRole(db, user.uuid, role, CLI_ACTOR);
        console.log(`Role ${role} assigned to ${user.email}`);
      });
    });

  users
    .command('revoke')
    .argument('<email>')
    .argument('<role>')
    .action(async (email: string, role: string) => {
      await withDatabase(async ({ db }) => {
        const user = await requireUserByEmail(db, email);
        await revokeRole(db, user.uuid, role, CLI_ACTOR);
        console.log(`Role ${role} removed from ${user.email}`);
      });
    });
}
