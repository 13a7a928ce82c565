/**
 * Opaque keyset cursors: base64url JSON of the last row's sort key. A cursor comes back from the
 * client, so it is decoded and type-checked part by part before any of it reaches SQL: a bad or
 * tampered cursor is a 422, never a database error.
 */
import { validationError } from '../errors.ts';

/** What one part of a sort key may be. */
export type CursorPart = 'text' | 'timestamp' | 'uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The ISO-8601 form Date#toISOString writes (what encodeCursor was given). */
const ISO_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z$/;
const MAX_TEXT_PART = 320;

function partIsValid(kind: CursorPart, value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (kind === 'uuid') return UUID.test(value);
  if (kind === 'timestamp') return ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value));
  // PostgreSQL text cannot hold NUL.
  return value.length <= MAX_TEXT_PART && !value.includes('\u0000');
}

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key of a cursor made by encodeCursor with parts of these kinds; null when absent; else a 422. */
export function decodeCursor(cursor: string | undefined, kinds: readonly CursorPart[]): string[] | null {
  if (cursor === undefined || cursor === '') return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  if (Array.isArray(key) && key.length === kinds.length && kinds.every((kind, index) => partIsValid(kind, key[index]))) return key as string[];
  throw validationError(['query', 'cursor'], 'invalid cursor', 'value_error.cursor');
}

/** Fetches limit + 1 rows to know whether there is a next page. */
export function page<T>(rows: T[], limit: number, keyOf: (row: T) => string[]): { items: T[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
