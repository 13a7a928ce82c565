/** `memberships renew <role> --until <date> <emails…>` (the yearly renewal) and `memberships expiring`. */
import type { Command } from 'commander';
import { fieldError } from '../../errors.ts';
import { findUsers } from '../../services/admin-users.ts';
import { renewMemberships } from '../../services/memberships.ts';
import { withDatabase } from '../context.ts';
import { out } from '../io.ts';

const CLI_ACTOR = { actor: 'system' } as const;

/** A date (`2027-01-31`, midnight UTC) or an ISO date-time. */
export function parseInstant(option: string, value: string): Date {
  const instant = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(instant.getTime())) throw fieldError([option], `"${value}" is not a date (use 2027-01-31 or an ISO date-time)`);
  return instant;
}

export function registerMembershipCommands(program: Command): void {
  const memberships = program.command('memberships').description('renew system memberships and find those about to expire');
  memberships
    .command('renew')
    .description('renew a role until a date for these users (granted where missing); all or nothing')
    .argument('<role>')
    .argument('<emails...>')
    .requiredOption('--until <date>', 'the new expiry (2027-01-31 is midnight UTC, or an ISO date-time)')
    .action(async (role: string, emails: string[], options: { until: string }) => {
      const expiresAt = parseInstant('until', options.until);
      await withDatabase(async ({ db }) => {
        const counts = await renewMemberships(db, { roleName: role, expiresAt, emails }, CLI_ACTOR);
        out(`Renewed ${counts.renewed} and granted ${counts.granted} ${role} memberships until ${expiresAt.toISOString()}`);
      });
    });
  memberships
    .command('expiring')
    .description('users with a membership expiring before a date')
    .requiredOption('--before <date>', 'the date (2027-01-31 or an ISO date-time)')
    .option('--role <name>', 'only memberships of this role')
    .option('--json', 'print JSON lines')
    .action(async (options: { before: string; role?: string; json?: boolean }) => {
      const expiringBefore = parseInstant('before', options.before);
      await withDatabase(async ({ db }) => {
        let afterEmail: string | undefined;
        for (;;) {
          const page = await findUsers(db, {
            expiringBefore,
            limit: 500,
            ...(options.role === undefined ? {} : { role: options.role }),
            ...(afterEmail === undefined ? {} : { afterEmail }),
          });
          for (const user of page) {
            const expiring = user.system.filter(
              (m) => m.expires_at !== null && m.expires_at !== undefined && (options.role === undefined || m.role === options.role),
            );
            const rows = expiring.map((m) => ({ email: user.email, role: m.role, expires_at: new Date(m.expires_at ?? 0).toISOString() }));
            for (const row of rows)
              if (new Date(row.expires_at) < expiringBefore) out(options.json === true ? JSON.stringify(row) : `${row.email}\t${row.role}\t${row.expires_at}`);
          }
          if (page.length < 500) return;
          afterEmail = page.at(-1)?.email;
        }
      });
    });
}
