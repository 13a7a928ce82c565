/** `import-eligible <file.csv> [--batch ID]`: streamed, all-or-nothing. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { emailEntriesFromCsvLines } from '../../services/csv-emails.ts';
import { checkEmailStream, importEligibleEmails, type CheckedEmails } from '../../services/eligibility.ts';
import { createProgress } from '../progress.ts';
import { withDatabase } from '../context.ts';

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
    .command('import-eligible')
    .description('add the addresses of a CSV file (an `email` column, or one address a line) to the eligible list')
    .argument('<file>')
    .option('--batch <id>', 'batch id recorded with each new address')
    .action(async (file: string, options: { batch?: string }) => {
      const checked = await readCheckedEmails(file);
      if (checked.invalid.length > 0) {
        for (const item of checked.invalid.slice(0, SHOWN_INVALID)) console.error(`line ${item.position}: invalid address ${JSON.stringify(item.email)}`);
        if (checked.invalid.length > SHOWN_INVALID) console.error(`… and ${checked.invalid.length - SHOWN_INVALID} more`);
        console.error(`invalid: ${checked.invalid.length}. Nothing was imported; fix the file and run again.`);
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
        console.log(`added: ${outcome.added}, already present: ${outcome.already_present}, invalid: 0`);
      });
    });
}
