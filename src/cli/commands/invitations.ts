/**
 * `invitations send|import|list|batch|revoke`: club invitations from the command line. The CLI
 * queues the mails (in the same transaction as the invitations); the service's workers send them,
 * now if it runs, else when it next starts.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/connect.ts';
import { createMailQueue, invitationMailer, MAIL_QUEUE } from '../../jobs/mail-queue.ts';
import { createJobQueue } from '../../jobs/queue.ts';
import { emailEntriesFromCsvLines } from '../../services/csv-emails.ts';
import { createInvitationService, type InvitationService } from '../../services/invitations.ts';
import type { EmailEntry } from '../../services/eligibility.ts';
import { withDatabase } from '../context.ts';
import { findOrganizerArg, roleArg } from './organizers.ts';
import { err, out } from '../io.ts';

const CLI_ACTOR = { actor: 'system' } as const;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The invitation service with a queue that only queues (no workers in the CLI). */
async function withInvitations<T>(work: (service: InvitationService, context: { config: Config; db: Db }) => Promise<T>): Promise<T> {
  return withDatabase(async ({ config, db }: { config: Config; db: Db }) => {
    const queue = createJobQueue(db, (error) => err(`job queue: ${error.message}`), { maintain: false });
    await queue.start();
    try {
      await queue.createQueue(MAIL_QUEUE);
      return await work(createInvitationService(db, { config, mail: invitationMailer(createMailQueue(queue, config.jwtSecret)) }), { config, db });
    } finally {
      await queue.stop();
    }
  });
}

async function fileEntries(file: string): Promise<EmailEntry[]> {
  const entries: EmailEntry[] = [];
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const entry of emailEntriesFromCsvLines(lines)) entries.push(entry);
  return entries;
}

export function registerInvitationCommands(program: Command): void {
  const invitations = program.command('invitations').description('invite people to the club (the running service mails them)');
  invitations
    .command('send')
    .argument('<email>')
    .option('--role <name>', 'a role it grants (repeatable; default member)', collect, [])
    .option('--days <n>', 'days the link works (1–90; default 14)')
    .option('--message <text>', 'a note in the mail')
    .option('--organizer <uuid or name>', 'invite to this organizer instead of the club (with --as)')
    .option('--as <role>', 'the organizer role it grants: owner, admin or member', 'member')
    .action(async (email: string, options: { role: string[]; days?: string; message?: string; organizer?: string; as: string }) => {
      await withInvitations(async (service, context) => {
        if (options.organizer !== undefined) {
          const organizer = await findOrganizerArg(context, options.organizer);
          const invitation = await service.inviteToOrganizer(organizer, 'system_admin', { email, role: roleArg(options.as) }, CLI_ACTOR);
          out(`Invited ${invitation.email} to ${organizer.name} as ${invitation.organizer_role ?? ''} until ${invitation.expires_at}: ${invitation.id}`);
          return;
        }
        const invitation = await service.inviteToClub(
          email,
          { roleNames: options.role, message: options.message ?? null, ...(options.days === undefined ? {} : { expiresInDays: Number(options.days) }) },
          CLI_ACTOR,
        );
        out(`Invited ${invitation.email} (${invitation.role_names.join(', ')}) until ${invitation.expires_at}: ${invitation.id}`);
      });
    });
  invitations
    .command('import')
    .description('invite the addresses of a CSV file (an `email` column, or one address a line), all or nothing')
    .argument('<file>')
    .requiredOption('--batch <id>', 'the campaign id (batch_id)')
    .option('--role <name>', 'a role it grants (repeatable; default member)', collect, [])
    .option('--days <n>', 'days the links work (1–90; default 14)')
    .action(async (file: string, options: { batch: string; role: string[]; days?: string }) => {
      const entries = await fileEntries(file);
      await withInvitations(async (service) => {
        const outcome = await service.inviteManyToClub(
          entries,
          'line',
          { roleNames: options.role, batchId: options.batch, ...(options.days === undefined ? {} : { expiresInDays: Number(options.days) }) },
          CLI_ACTOR,
        );
        out(`Invited ${outcome.invited}; already members ${outcome.already_members}; already invited ${outcome.already_invited} (batch ${options.batch})`);
      });
    });
  invitations
    .command('batch')
    .description("a campaign's counts")
    .argument('<batch_id>')
    .option('--json', 'print JSON')
    .action(async (batchId: string, options: { json?: boolean }) => {
      await withInvitations(async (service) => {
        const counts = await service.batch(batchId);
        out(
          options.json === true
            ? JSON.stringify(counts)
            : Object.entries(counts)
                .map(([name, value]) => `${name}\t${value}`)
                .join('\n'),
        );
      });
    });
  invitations
    .command('list')
    .option('--batch <id>')
    .option('--status <status>', 'pending, accepted, expired or revoked')
    .option('--json', 'print JSON lines')
    .action(async (options: { batch?: string; status?: 'pending' | 'accepted' | 'expired' | 'revoked'; json?: boolean }) => {
      await withInvitations(async (service) => {
        const rows = await service.list({
          limit: 10_000,
          ...(options.batch === undefined ? {} : { batchId: options.batch }),
          ...(options.status === undefined ? {} : { status: options.status }),
        });
        for (const row of rows)
          out(options.json === true ? JSON.stringify(row) : `${row.email}\t${row.status}\t${row.role_names.join(',')}\t${row.expires_at}\t${row.id}`);
      });
    });
  invitations
    .command('revoke')
    .argument('<id>')
    .action(async (id: string) => {
      await withInvitations(async (service) => {
        await service.revoke(id, CLI_ACTOR);
        out(`Revoked ${id}: its link no longer works`);
      });
    });
}
