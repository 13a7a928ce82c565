/**
 * COPY … FROM STDIN through Kysely (src/db/copy-in.ts), on PGlite and on PostgreSQL: what is
 * written is exactly what was given, a failing COPY fails its transaction and nothing else, and
 * the connection is usable afterwards (a desynchronised wire protocol would show up there).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { copyField, copyFromStdin } from '../src/db/copy-in.ts';
import { uuidV7Batch } from '../src/db/uuid-v7.ts';
import { insertNewEligibleEmails, isEmailEligible } from '../src/queries/eligibility.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
  await sql`create table copy_probe (id int primary key, label text)`.execute(t.db);
});
after(async () => t.close());

async function labels(): Promise<Map<number, string | null>> {
  const result = await sql<{ id: number; label: string | null }>`select id, label from copy_probe order by id`.execute(t.db);
  return new Map(result.rows.map((row) => [row.id, row.label]));
}

// A COPY whose outcome never arrives would hang: the timeout turns that into a failure.
describe(`COPY FROM STDIN (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, { timeout: 30_000 }, () => {
  it('encodes fields in COPY text format: backslash, tab, line breaks escaped, null as \\N', () => {
    assert.equal(copyField('plain@example.org'), 'plain@example.org');
    assert.equal(copyField(null), '\\N');
    assert.equal(copyField('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
    assert.equal(copyField('\\N'), '\\\\N', 'the text \\N is not null');
  });

  it('writes every value exactly as given, including the characters COPY treats specially', async () => {
    const awkward = ['tab\there', 'new\nline', 'carriage\rreturn', 'back\\slash', '\\N', '', 'ünïcödé ✓', 'trailing\\'];
    const data = [...awkward.map((label, i) => `${i}\t${copyField(label)}\n`), `${awkward.length}\t${copyField(null)}\n`].join('');
    await t.db.executeQuery(copyFromStdin('copy_probe', ['id', 'label'], data));
    const stored = await labels();
    awkward.forEach((label, i) => assert.equal(stored.get(i), label, `row ${i}`));
    assert.equal(stored.get(awkward.length), null);
    await sql`truncate copy_probe`.execute(t.db);
  });

  it('sends data larger than one protocol message (several CopyData chunks)', async () => {
    const rows = 40_000; // about 1.3 MB: five 256 KiB messages
    const data = Array.from({ length: rows }, (_, i) => `${i}\tlabel-${i}-${'x'.repeat(20)}\n`).join('');
    await t.db.executeQuery(copyFromStdin('copy_probe', ['id', 'label'], data));
    const count = await sql<{ n: number }>`select count(*)::int as n, max(id) as top from copy_probe`.execute(t.db);
    assert.equal(count.rows[0]?.n, rows);
    assert.equal((await labels()).get(rows - 1), `label-${rows - 1}-${'x'.repeat(20)}`);
    await sql`truncate copy_probe`.execute(t.db);
  });

  it('fails with the database error on a bad row, rolls its transaction back, and leaves the connection usable', async () => {
    await sql`insert into copy_probe (id, label) values (1, 'existing')`.execute(t.db);
    for (let round = 0; round < 3; round++) {
      await assert.rejects(
        t.db.transaction().execute(async (trx) => {
          await sql`insert into copy_probe (id, label) values (${100 + round}, 'before the copy')`.execute(trx);
          // Row 2 collides with the existing id 1.
          await trx.executeQuery(copyFromStdin('copy_probe', ['id', 'label'], `50\tfine\n1\tduplicate\n51\tfine\n`));
        }),
        (error: Error & { code?: string }) => error.code === '23505',
      );
    }
    assert.deepEqual([...(await labels())], [[1, 'existing']], 'nothing of the failed transactions stays');
    // The same connections carry on: plain statements and further COPYs work.
    await t.db.executeQuery(copyFromStdin('copy_probe', ['id', 'label'], `2\tafter\n`));
    const malformed = t.db.executeQuery(copyFromStdin('copy_probe', ['id', 'label'], `not-a-number\tx\n`));
    await assert.rejects(malformed, (error: Error & { code?: string }) => error.code === '22P02');
    assert.deepEqual(
      [...(await labels())],
      [
        [1, 'existing'],
        [2, 'after'],
      ],
    );
    await sql`truncate copy_probe`.execute(t.db);
  });

  it('runs inside the surrounding transaction: a later failure undoes the copied rows', async () => {
    const emails = ['copy-a@example.org', 'copy-b@example.org'];
    await assert.rejects(
      t.db.transaction().execute(async (trx) => {
        await insertNewEligibleEmails(trx, { ids: uuidV7Batch(2), emails }, 'copy');
        assert.equal(await isEmailEligible(trx, 'copy-a@example.org'), true, 'visible inside the transaction');
        throw new Error('abort after the copy');
      }),
      /abort after the copy/,
    );
    assert.equal(await isEmailEligible(t.db, 'copy-a@example.org'), false);
    await t.db.transaction().execute((trx) => insertNewEligibleEmails(trx, { ids: uuidV7Batch(2), emails }, 'odd\tbatch\\name'));
    const rows = await t.db.selectFrom('eligible_emails').select(['email', 'batch_id']).where('email', 'in', emails).orderBy('email').execute();
    assert.deepEqual(
      rows,
      emails.map((email) => ({ email, batch_id: 'odd\tbatch\\name' })),
    );
  });
});
