/** Opaque keyset cursors: base64url JSON of the last row's sort key. A bad cursor is a 422. */
import { validationError } from '../errors.ts';

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, size: number): (string | number)[] | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === size && key.every((part) => typeof part === 'string' || typeof part === 'number')) return key;
  } catch {
    // fall through to the 422
  }
  throw validationError(['query', 'cursor'], 'invalid cursor', 'value_error.cursor');
}

/** Fetches limit + 1 rows to know whether there is a next page. */
export function page<T>(rows: T[], limit: number, keyOf: (row: T) => (string | number)[]): { items: T[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
