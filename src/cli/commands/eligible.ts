/** `import-eligible <file.csv> [--batch ID]` (streamed, all-or-nothing) and `eligible list`. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { emailEntriesFromCsvLines } from '../../services/csv-emails.ts';
import { checkEmailStream, importEligibleEmails, type CheckedEmails } from '../../services/eligibility.ts';
import { createProgress } from '../progress.ts';
import { withDatabase } from '../context.ts';
import { listEligibleEmails } from '../../services/eligible-list.ts';
import { printRows, type OutputOptions } from '../output.ts';
import { err, out } from '../io.ts';

/** How many invalid lines are printed before the rest are only counted. */
const SHOWN_INVALID = 50;

/** Reads and checks the file line by line, with a progress line every 10,000 lines. */
async function readCheckedEmails(file: string): Promise<CheckedEmails> {
  const progress = createProgress();
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let read = 0;
  const checked = await checkEmailStream(emailEntriesFromCsvLines(lines), (count) => {
    read = count;
    if (count % 10_000 === 0) progress.update('reading', count);
  });
  progress.update('reading', read, read);
  progress.finish();
  return checked;
}

export function registerEligibleCommands(program: Command): void {
  program
    .command('eligible')
    .description('the eligible list')
    .command('list')
    .option('--batch <id>', 'only this import batch')
    .option('--q <text>', 'only addresses containing this text')
    .option('--limit <n>', 'how many', '1000')
    .option('--json', 'print one JSON object a line')
    .action(async (options: OutputOptions & { batch?: string; q?: string; limit: string }) => {
      await withDatabase(async ({ db }) => {
        const rows = await listEligibleEmails(db, {
          batchId: options.batch,
          q: options.q?.toLowerCase(),
          limit: Math.max(1, Math.min(100_000, Number(options.limit) || 1000)),
        });
        const shown = rows.map((row) => ({ email: row.email, batch_id: row.batch_id, created_at: row.created_at.toISOString() }));
        printRows(options, shown, (row) => `${row.email}\t${row.batch_id ?? ''}`, 'eligible address');
      });
    });

  program
    .command('import-eligible')
    .description('add the addresses of a CSV file (an `email` column, or one address a line) to the eligible list')
    .argument('<file>')
    .option('--batch <id>', 'batch id recorded with each new address')
    .action(async (file: string, options: { batch?: string }) => {
      const checked = await readCheckedEmails(file);
      if (checked.invalid.length > 0) {
        for (const item of checked.invalid.slice(0, SHOWN_INVALID)) err(`line ${item.position}: invalid address ${JSON.stringify(item.email)}`);
        if (checked.invalid.length > SHOWN_INVALID) err(`… and ${checked.invalid.length - SHOWN_INVALID} more`);
        err(`invalid: ${checked.invalid.length}. Nothing was imported; fix the file and run again.`);
        process.exitCode = 1;
        return;
      }
      await withDatabase(async ({ db }) => {
        const progress = createProgress();
        const outcome = await importEligibleEmails(db, checked.emails, options.batch ?? null, {
          actor: 'system',
          onProgress: (done, total) => progress.update('writing', done, total),
        });
        progress.finish();
        out(`added: ${outcome.added}, already present: ${outcome.already_present}, invalid: 0`);
      });
    });
}
