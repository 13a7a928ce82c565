/** What every CLI command needs: the configuration and a migrated, seeded database. */
import { loadConfig, saveDevSecret, type Config } from '../config.ts';
import { openDatabase, type Db } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { seed } from '../db/seed.ts';
import { cliEnv } from './io.ts';

export interface CliContext {
  readonly config: Config;
  readonly db: Db;
}

/** Opens the database, runs `work`, and always closes the database. */
export async function withDatabase<T>(work: (context: CliContext) => Promise<T>, options: { prepare: boolean } = { prepare: true }): Promise<T> {
  const loaded = loadConfig(cliEnv());
  saveDevSecret(loaded);
  const { config } = loaded;
  const database = await openDatabase(config);
  try {
    if (options.prepare) {
      await migrateToLatest(database.db);
      await seed(database.db, config);
    }
    return await work({ config, db: database.db });
  } finally {
    await database.close();
  }
}
