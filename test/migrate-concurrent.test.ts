/** Three processes migrating one PostgreSQL database at once: one migrates, none fails. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { migrations } from '../migrations/index.ts';
import { createEmptyPostgresDatabase } from './helpers/db.ts';
import { runCli } from './helpers/processes.ts';

const onPostgres = process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== '';

it(
  'three concurrent `gatehouse migrate` runs: exactly one applies, all succeed',
  { skip: onPostgres ? false : 'needs DATABASE_URL (PostgreSQL); .ci/run runs it there' },
  async () => {
    const database = await createEmptyPostgresDatabase();
    assert.ok(database?.url);
    try {
      const env = { NODE_ENV: 'test', DATABASE_URL: database.url };
      const runs = await Promise.all([runCli(['migrate'], env), runCli(['migrate'], env), runCli(['migrate'], env)]);
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      assert.equal(runs.filter((run) => run.stdout.includes(`Applied ${Object.keys(migrations).length} migration`)).length, 1);
      assert.equal(runs.filter((run) => /up to date/.test(run.stdout)).length, 2);
      const roles = await database.db.selectFrom('roles').select('name').execute();
      assert.equal(roles.length, 0, 'migrate creates the schema; seeding is its own step');
      const tables = await database.db.introspection.getTables();
      assert.ok(tables.some((table) => table.name === 'one_time_tokens'));
    } finally {
      await database.close();
    }
  },
);
