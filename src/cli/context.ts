/** What every CLI command needs: the configuration and a migrated, seeded database. */
import { loadConfig, type Config } from '../config.ts';
import { openDatabase, type Db } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { seed } from '../db/seed.ts';

export interface CliContext {
  readonly config: Config;
  readonly db: Db;
}

/** Opens the database, runs `work`, and always closes the database. */
export async function withDatabase<T>(work: (context: CliContext) => Promise<T>, options: { prepare: boolean } = { prepare: true }): Promise<T> {
  const { config } = loadConfig();
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

/** Reads all of stdin; one trailing newline (from echo or a terminal) is not part of the value. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
