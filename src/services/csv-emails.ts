/**
 * Reads addresses from CSV text line by line (so a large file is never one string): either a
 * header row with an `email` column, or one address per line. Blank lines are skipped.
 */
import type { EmailEntry } from './eligibility.ts';

/** Splits one CSV line, honouring double quotes ("a,b" and "" escapes). */
export function splitCsvLine(line: string): string[] {
  // Without quotes a line is its commas' fields: one split instead of a string built per character.
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else {
      field += ch;
    }
  }
  fields.push(field);
  return fields;
}

/** Turns lines into entries with their 1-based line numbers. */
export async function* emailEntriesFromCsvLines(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<EmailEntry> {
  let lineNumber = 0;
  let column: number | null = null;
  for await (const rawLine of lines) {
    lineNumber++;
    const line = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (line.trim() === '') continue;
    const fields = splitCsvLine(line);
    if (column === null) {
      // The first non-blank line is either a header naming an `email` column or an address.
      const header = fields.findIndex((f) => f.trim().toLowerCase() === 'email');
      if (header >= 0) {
        column = header;
        continue;
      }
      column = 0;
    }
    yield { raw: fields[column] ?? '', position: lineNumber };
  }
}
