/** CLI output: tab-separated lines for people, or one JSON object a line (`--json`) for scripts. */
import { out } from './io.ts';

export interface OutputOptions {
  readonly json?: boolean;
}

export function printRows<T>(options: OutputOptions, rows: readonly T[], line: (row: T) => string, noun: string): void {
  for (const row of rows) out(options.json === true ? JSON.stringify(row) : line(row));
  if (options.json !== true) out(`${rows.length} ${noun}${rows.length === 1 ? '' : 's'}`);
}

export function printOne<T>(options: OutputOptions, row: T, text: string): void {
  out(options.json === true ? JSON.stringify(row) : text);
}
