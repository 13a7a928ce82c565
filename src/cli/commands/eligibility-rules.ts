/** `eligibility-rules add|list|remove`: domains whose addresses may sign up (docs/lifecycle.md). */
import type { Command } from 'commander';
import { createEligibilityRule, eligibilityRules, removeEligibilityRule } from '../../services/eligibility-rules.ts';
import { withDatabase } from '../context.ts';
import { out } from '../io.ts';
import { parseInstant } from './memberships.ts';

const CLI_ACTOR = { actor: 'system' } as const;

export function registerEligibilityRuleCommands(program: Command): void {
  const rules = program.command('eligibility-rules').description('admit every address of a domain');
  rules
    .command('add')
    .argument('<domain>')
    .option('--subdomains', 'its subdomains too')
    .option('--until <date>', 'the rule expires then (2027-01-31 is midnight UTC, or an ISO date-time)')
    .option('--note <text>')
    .action(async (domain: string, options: { subdomains?: boolean; until?: string; note?: string }) => {
      const expiresAt = options.until === undefined ? null : parseInstant('until', options.until);
      await withDatabase(async ({ db }) => {
        const rule = await createEligibilityRule(
          db,
          { domain, includeSubdomains: options.subdomains === true, expiresAt, note: options.note ?? null },
          CLI_ACTOR,
        );
        out(
          `Added ${rule.domain}${rule.include_subdomains ? ' and its subdomains' : ''}${expiresAt === null ? '' : ` until ${expiresAt.toISOString()}`}: ${rule.id}`,
        );
      });
    });
  rules
    .command('list')
    .option('--json', 'print JSON lines')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(async ({ db }) => {
        for (const rule of await eligibilityRules(db, null, 10_000)) {
          const row = { ...rule, expires_at: rule.expires_at?.toISOString() ?? null, created_at: rule.created_at.toISOString() };
          out(
            options.json === true
              ? JSON.stringify(row)
              : `${row.domain}\t${row.include_subdomains ? 'subdomains' : '-'}\t${row.expires_at ?? 'never'}\t${row.id}`,
          );
        }
      });
    });
  rules
    .command('remove')
    .argument('<id>')
    .action(async (id: string) => {
      await withDatabase(async ({ db }) => {
        await removeEligibilityRule(db, id, CLI_ACTOR);
        out(`Removed ${id}`);
      });
    });
}
