/** SQL for server-side sessions. Refresh tokens are stored only as hashes. */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

export interface SessionRow {
  readonly id: string;
  readonly user_uuid: string;
  readonly created_at: Date;
  readonly last_seen_at: Date;
  readonly user_agent: string | null;
  readonly ip: string | null;
}

export async function insertSession(
  db: Db,
  fields: {
    id: string;
    userUuid: string;
    refreshTokenHash: string;
    ttlSeconds: number;
    userAgent: string | null;
    ip: string | null;
    stytchSessionToken?: string | null;
  },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: fields.id,
      user_uuid: fields.userUuid,
      refresh_token_hash: fields.refreshTokenHash,
      expires_at: sql<Date>`now() + make_interval(secs => ${fields.ttlSeconds})`,
      user_agent: fields.userAgent,
      ip: fields.ip,
      stytch_session_token: fields.stytchSessionToken ?? null,
    })
    .execute();
}

/**
 * Rotates atomically: only a request presenting the current refresh token of a live session
 * wins; concurrent ones see the hash already changed and get null.
 */
export async function rotateRefreshToken(db: Db, sessionId: string, presentedHash: string, nextHash: string): Promise<{ user_uuid: string } | null> {
  const row = await db
    .updateTable('sessions')
    .set({ refresh_token_hash: nextHash, previous_refresh_token_hash: presentedHash, rotated_at: sql<Date>`now()`, last_seen_at: sql<Date>`now()` })
    .where('id', '=', sessionId)
    .where('refresh_token_hash', '=', presentedHash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('user_uuid')
    .executeTakeFirst();
  return row ?? null;
}

export interface RefreshState {
  readonly user_uuid: string;
  readonly revoked: boolean;
  readonly expired: boolean;
  readonly refresh_token_hash: string;
  readonly previous_refresh_token_hash: string | null;
  /** Seconds since the last rotation (null before the first). */
  readonly seconds_since_rotation: number | null;
}

/** The refresh-token state of one session, after a presented token failed to rotate it. */
export async function findRefreshState(db: Db, sessionId: string): Promise<RefreshState | null> {
  const row = await db
    .selectFrom('sessions')
    .select([
      'user_uuid',
      'refresh_token_hash',
      'previous_refresh_token_hash',
      sql<boolean>`revoked_at is not null`.as('revoked'),
      sql<boolean>`expires_at <= now()`.as('expired'),
      sql<number | null>`extract(epoch from (now() - rotated_at))::float8`.as('seconds_since_rotation'),
    ])
    .where('id', '=', sessionId)
    .executeTakeFirst();
  return row ?? null;
}

export async function revokeSession(db: Db, sessionId: string): Promise<{ stytch_session_token: string | null } | null> {
  const row = await db
    .updateTable('sessions')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .returning('stytch_session_token')
    .executeTakeFirst();
  return row ?? null;
}

/** Revokes every live session of a user, optionally sparing one; returns their Stytch tokens. */
export async function revokeUserSessions(db: Db, userUuid: string, exceptSessionId: string | null = null): Promise<string[]> {
  let query = db
    .updateTable('sessions')
    .set({ revoked_at: sql<Date>`now()` })
    .where('user_uuid', '=', userUuid)
    .where('revoked_at', 'is', null);
  if (exceptSessionId !== null) query = query.where('id', '!=', exceptSessionId);
  const rows = await query.returning('stytch_session_token').execute();
  return rows.map((row) => row.stytch_session_token).filter((token): token is string => token !== null);
}

export async function listLiveSessions(db: Db, userUuid: string): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .select(['id', 'user_uuid', 'created_at', 'last_seen_at', 'user_agent', 'ip'])
    .where('user_uuid', '=', userUuid)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .orderBy('created_at', 'desc')
    .execute();
}

/** Revokes one live session of this user; false when it is not theirs (or already gone). */
export async function revokeOwnSession(db: Db, userUuid: string, sessionId: string): Promise<{ stytch_session_token: string | null } | null> {
  const row = await db
    .updateTable('sessions')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', sessionId)
    .where('user_uuid', '=', userUuid)
    .where('revoked_at', 'is', null)
    .returning('stytch_session_token')
    .executeTakeFirst();
  return row ?? null;
}
