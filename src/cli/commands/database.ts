/** `serve`, `migrate`, `seed`. */
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { seed } from '../../db/seed.ts';
import { main } from '../../main.ts';
import { withDatabase } from '../context.ts';
import { cliEnv, out } from '../io.ts';

export function registerDatabaseCommands(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP service (the same as npm start)')
    .action(async () => {
      await main();
    });

  program
    .command('migrate')
    .description('apply pending database migrations (safe to run from several processes at once)')
    .action(async () => {
      await withDatabase(
        async ({ db }) => {
          const { applied } = await migrateToLatest(db);
          out(applied.length === 0 ? 'Database is up to date; nothing to apply.' : `Applied ${applied.length} migration(s): ${applied.join(', ')}`);
        },
        { prepare: false },
      );
    });

  program
    .command('seed')
    .description('create the default roles (and BOOTSTRAP_ADMIN_EMAIL); idempotent')
    .action(async () => {
      await withDatabase(
        async ({ db }) => {
          await migrateToLatest(db);
          const outcome = await seed(db, loadConfig(cliEnv()).config);
          out(`Default roles: ${outcome.rolesAdded} added.`);
          if (outcome.bootstrapAdmin !== null) out(`Bootstrap admin: ${outcome.bootstrapAdmin.email}${outcome.bootstrapAdmin.created ? ' (created)' : ''}`);
        },
        { prepare: false },
      );
    });
}
