/** `roles list|create`. */
import type { Command } from 'commander';
import { listRoles } from '../../queries/roles.ts';
import { createRole } from '../../services/roles.ts';
import { withDatabase } from '../context.ts';

export function registerRoleCommands(program: Command): void {
  const roles = program.command('roles').description('list and create roles');
  roles
    .command('list')
    .option('--json', 'print JSON lines')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(async ({ db }) => {
        for (const role of await listRoles(db)) {
          console.log(options.json === true ? JSON.stringify(role) : `${role.name}\t${role.description ?? ''}`);
        }
      });
    });
  roles
    .command('create')
    .argument('<name>')
    .option('--description <text>')
    .action(async (name: string, options: { description?: string }) => {
      await withDatabase(async ({ db }) => {
        const role = await createRole(db, name, options.description ?? null, { actor: 'system' });
        console.log(`Created role ${role.name} (${role.id})`);
      });
    });
}
