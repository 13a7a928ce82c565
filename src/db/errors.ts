/**
 * Which driver errors mean "the database is not there" rather than "this statement is wrong".
 * pg reports a lost server in several ways: SQLSTATE class 08 and the shutdown codes when the
 * server says so, Node socket errors when it vanishes, and plain messages from pg and pg-pool.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const LOST_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /not queryable/i,
  /connection .*(closed|ended)/i,
  /Client was closed/i,
];

function errorCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : null;
}

export function isConnectionLoss(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== null && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || SOCKET_CODES.has(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionLoss);
  return error instanceof Error && LOST_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** 57014 query_canceled: PostgreSQL's statement_timeout stopped the statement. */
export function isStatementTimeout(error: unknown): boolean {
  return errorCode(error) === '57014';
}

/** 23505 unique_violation of the named constraint (pg and PGlite both report the constraint). */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return errorCode(error) === '23505' && (error as { constraint?: unknown }).constraint === constraint;
}
