/** `organizers list|create|members|add-member|remove-member`: what an admin does in the console, acting as the system. */
import type { Command } from 'commander';
import type { OrganizerRole } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { addOrganizerMember, createOrganizer, organizerMembers, organizersPage, removeOrganizerMember, requireOrganizer } from '../../services/organizers.ts';
import type { OrganizerRow } from '../../queries/organizers.ts';
import { requireUserByEmail } from '../../services/users.ts';
import { withDatabase, type CliContext } from '../context.ts';
import { printOne, printRows, type OutputOptions } from '../output.ts';
import { out } from '../io.ts';

const CLI_ACTOR = { actor: 'system' } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROLES: readonly OrganizerRole[] = ['owner', 'admin', 'member'];

function organizerJson(organizer: OrganizerRow): { uuid: string; name: string; created_at: string } {
  return { uuid: organizer.uuid, name: organizer.name, created_at: organizer.created_at.toISOString() };
}

/** An organizer by uuid, or by its exact name when that names exactly one. */
export async function findOrganizerArg({ db }: CliContext, idOrName: string): Promise<OrganizerRow> {
  if (UUID.test(idOrName)) return requireOrganizer(db, idOrName);
  const named = (await organizersPage(db, { limit: 10_000 })).filter((o) => o.name === idOrName);
  if (named.length === 1 && named[0] !== undefined) return named[0];
  throw new AppError('organizer_not_found', {
    ...(named.length === 0
      ? { message: 'organizer_name_unknown', params: { name: idOrName } }
      : { message: 'organizer_name_ambiguous', params: { name: idOrName, count: named.length } }),
  });
}

export function roleArg(role: string): OrganizerRole {
  const found = ROLES.find((r) => r === role);
  if (found === undefined) throw new AppError('validation_error', { message: 'organizer_role_unknown', params: { role } });
  return found;
}

export function registerOrganizerCommands(program: Command): void {
  const organizers = program.command('organizers').description('organizers and their members');
  organizers
    .command('list')
    .option('--json', 'print one JSON object a line')
    .action(async (options: OutputOptions) => {
      await withDatabase(async ({ db }) => {
        const rows = (await organizersPage(db, { limit: 10_000 })).map(organizerJson);
        printRows(options, rows, (o) => `${o.name}\t${o.uuid}`, 'organizer');
      });
    });
  organizers
    .command('create')
    .argument('<name>')
    .option('--owner <email>', 'its first owner (an existing user)')
    .option('--json', 'print the organizer as JSON')
    .action(async (name: string, options: OutputOptions & { owner?: string }) => {
      await withDatabase(async ({ db }) => {
        const organizer = organizerJson(await createOrganizer(db, name.trim(), options.owner === undefined ? null : { email: options.owner }, CLI_ACTOR));
        printOne(
          options,
          organizer,
          `Created organizer ${organizer.name} (${organizer.uuid})${options.owner === undefined ? '' : ` owned by ${options.owner}`}`,
        );
      });
    });
  organizers
    .command('members')
    .argument('<organizer>', 'uuid or exact name')
    .option('--json', 'print one JSON object a line')
    .action(async (idOrName: string, options: OutputOptions) => {
      await withDatabase(async (context) => {
        const organizer = await findOrganizerArg(context, idOrName);
        printRows(options, await organizerMembers(context.db, organizer.uuid), (m) => `${m.email}\t${m.membership_role}\t${m.user_uuid}`, 'member');
      });
    });
  organizers
    .command('add-member')
    .argument('<organizer>', 'uuid or exact name')
    .argument('<email>')
    .argument('<role>', 'owner, admin or member')
    .action(async (idOrName: string, email: string, role: string) => {
      await withDatabase(async (context) => {
        const organizer = await findOrganizerArg(context, idOrName);
        const member = await addOrganizerMember(context.db, organizer.uuid, { email }, roleArg(role), 'system_admin', CLI_ACTOR);
        out(`Added ${member.email} to ${organizer.name} as ${member.membership_role}`);
      });
    });
  organizers
    .command('remove-member')
    .argument('<organizer>', 'uuid or exact name')
    .argument('<email>')
    .action(async (idOrName: string, email: string) => {
      await withDatabase(async (context) => {
        const organizer = await findOrganizerArg(context, idOrName);
        const user = await requireUserByEmail(context.db, email);
        await removeOrganizerMember(context.db, organizer.uuid, user.uuid, 'system_admin', false, CLI_ACTOR);
        out(`Removed ${user.email} from ${organizer.name}`);
      });
    });
}
