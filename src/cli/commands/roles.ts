/** `roles list|create`. */
import type { Command } from 'commander';
import { allRoles, createRole } from '../../services/roles.ts';
import { withDatabase } from '../context.ts';
import { out } from '../io.ts';

export function registerRoleCommands(program: Command): void {
  const roles = program.command('roles').description('list and create roles');
  roles
    .command('list')
    .option('--json', 'print JSON lines')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(async ({ db }) => {
        for (const role of await allRoles(db)) {
          out(options.json === true ? JSON.stringify(role) : `${role.name}\t${role.description ?? ''}`);
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
        out(`Created role ${role.name} (${role.id})`);
      });
    });
}
