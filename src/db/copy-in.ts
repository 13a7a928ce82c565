/**
 * COPY … FROM STDIN through Kysely. PostgreSQL loads rows fastest with COPY (it fills pages in
 * batches instead of inserting row by row: bench W4 measured 5.2 s against 7.6 s for a plain
 * INSERT … SELECT of the same million rows), but Kysely has no COPY and hides the connection.
 *
 * So a COPY travels as an ordinary compiled query: its text is marked with COPY_MARKER and its one
 * parameter is the data in COPY's text format. The dialects' connections recognise the marker:
 * PostgreSQL's (connect.ts) sends it with the copy-in sub-protocol on the same client, and PGlite's
 * (pglite-dialect.ts) hands the data over as the `/dev/blob` file PGlite reads COPY input from.
 * Either way it runs on the connection of the surrounding transaction, under the same deadline.
 */
import { CompiledQuery } from 'kysely';
import type pg from 'pg';

export const COPY_MARKER = '/* copy from stdin */';

/** True for a query made by copyFromStdin(). */
export function isCopyQuery(text: string): boolean {
  return text.startsWith(COPY_MARKER);
}

/** The characters COPY's text format gives a meaning, and how each is written as data. */
const SPECIAL = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One field in COPY's text format: backslash, tab and line breaks escaped; null as \N. */
export function copyField(value: string | null): string {
  return value === null ? '\\N' : value.replace(SPECIAL, (char) => ESCAPES[char] ?? char);
}

/**
 * A COPY of `data` (lines of tab-separated copyField() values, each ending in a newline) into
 * `table (columns)`. Table and column names are the caller's constants, never user input.
 */
export function copyFromStdin(table: string, columns: readonly string[], data: string): CompiledQuery {
  return CompiledQuery.raw(`${COPY_MARKER} copy ${table} (${columns.join(', ')}) from stdin`, [data]);
}

/** The statement PGlite runs for a COPY query: it reads COPY input from the file /dev/blob. */
export function pgliteCopyText(text: string): string {
  return text.replace(/ from stdin$/, ` from '/dev/blob'`);
}

/** What pg's client hands a submitted query: the wire protocol connection. */
interface CopyInConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** Bytes per CopyData message (PostgreSQL accepts any size; this keeps messages moderate). */
const CHUNK_BYTES = 256 * 1024;

/**
 * pg's extension point for custom protocol flows (a "Submittable", the way pg-cursor and
 * pg-copy-streams work): pg calls submit() when the client is free, then hands it the backend's
 * messages. The whole payload is sent as soon as the server asks for it; on an error the server
 * drops the rest of the copy data and the transaction is aborted, as with any failed statement.
 */
class CopyIn implements pg.Submittable {
  readonly #text: string;
  readonly #data: string;
  readonly #settle: (error: Error | null, rowCount: number) => void;
  #error: Error | null = null;
  #rowCount = 0;

  constructor(text: string, data: string, settle: (error: Error | null, rowCount: number) => void) {
    this.#text = text;
    this.#data = data;
    this.#settle = settle;
  }

  submit(connection: pg.Connection): void {
    connection.query(this.#text);
  }

  handleCopyInResponse(connection: CopyInConnection): void {
    const bytes = Buffer.from(this.#data, 'utf8');
    for (let start = 0; start < bytes.length; start += CHUNK_BYTES) connection.sendCopyFromChunk(bytes.subarray(start, start + CHUNK_BYTES));
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /^COPY (\d+)$/.exec(message.text ?? '');
    this.#rowCount = match?.[1] === undefined ? 0 : Number(match[1]);
  }

  handleError(error: Error): void {
    // pg drops a query once it has reported an error to it (the ReadyForQuery that follows goes
    // to no one), and a lost connection sends nothing more: either way, settle now.
    this.#error ??= error;
    this.#settle(this.#error, 0);
  }

  handleReadyForQuery(): void {
    this.#settle(this.#error, this.#rowCount);
  }

  // Messages a COPY FROM never gets, but pg's client may deliver to any active query.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** Runs a COPY query on a pg client; resolves in the shape pg's query() has. */
export function copyInWithPg(client: pg.ClientBase, text: string, data: string): Promise<{ command: string; rowCount: number; rows: never[] }> {
  // A promise settles once, so CopyIn may report more than one outcome: the first one counts.
  return new Promise((resolve, reject) => {
    client.query(new CopyIn(text, data, (error, rowCount) => (error === null ? resolve({ command: 'COPY', rowCount, rows: [] }) : reject(error))));
  });
}
