/** Reading addresses from CSV lines (src/services/csv-emails.ts), quoted and unquoted. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailEntriesFromCsvLines, splitCsvLine } from '../src/services/csv-emails.ts';
import { checkEmailStream } from '../src/services/eligibility.ts';

describe('CSV email lists', () => {
  it('splits unquoted lines on commas, keeping empty fields and spaces', () => {
    assert.deepEqual(splitCsvLine('a@example.org'), ['a@example.org']);
    assert.deepEqual(splitCsvLine('Ada, ada@example.org,,x'), ['Ada', ' ada@example.org', '', 'x']);
    assert.deepEqual(splitCsvLine(''), ['']);
  });

  it('honours double quotes: commas inside them, and "" as a quote', () => {
    assert.deepEqual(splitCsvLine('"Lovelace, Ada",ada@example.org'), ['Lovelace, Ada', 'ada@example.org']);
    assert.deepEqual(splitCsvLine('"say ""hi""","b@example.org"'), ['say "hi"', 'b@example.org']);
  });

  it('finds the email column from the header, numbers lines, skips blank ones, and folds duplicates', async () => {
    const lines = ['\uFEFFname,Email', '"Lovelace, Ada",ADA@example.org', '', 'Bob,not-valid', 'Ada again, ada@example.org '];
    const entries = [];
    for await (const entry of emailEntriesFromCsvLines(lines)) entries.push(entry);
    assert.deepEqual(entries, [
      { raw: 'ADA@example.org', position: 2 },
      { raw: 'not-valid', position: 4 },
      { raw: ' ada@example.org ', position: 5 },
    ]);
    const seen: number[] = [];
    const checked = await checkEmailStream(emailEntriesFromCsvLines(lines), (count) => seen.push(count));
    assert.deepEqual(checked, { emails: ['ada@example.org'], invalid: [{ email: 'not-valid', position: 4 }] });
    assert.deepEqual(seen, [1, 2, 3], 'the callback counts every entry read');
  });
});
