/** A user's live sessions as the API shows them (to the user, and to admins). */
import type { Db } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import { listLiveSessions, revokeOwnSession, type SessionRow } from '../queries/sessions.ts';
import { describeUserAgent } from './user-agent.ts';

export interface SessionView {
  readonly id: string;
  readonly created_at: string;
  readonly last_seen_at: string;
  readonly user_agent: string | null;
  /** The client in words, e.g. "Chrome on Linux" (null without a User-Agent). */
  readonly device: string | null;
  readonly ip: string | null;
}

export function sessionView(row: Pick<SessionRow, 'id' | 'created_at' | 'last_seen_at' | 'user_agent' | 'ip'>): SessionView {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    last_seen_at: row.last_seen_at.toISOString(),
    user_agent: row.user_agent,
    device: describeUserAgent(row.user_agent),
    ip: row.ip,
  };
}

export async function liveSessionsOf(db: Db, userUuid: string): Promise<SessionView[]> {
  return (await listLiveSessions(db, userUuid)).map(sessionView);
}

/** Revokes one of the user's own sessions; 404 when it is not theirs or not live. */
export async function revokeOwnSessionOrFail(db: Db, userUuid: string, sessionId: string): Promise<void> {
  if ((await revokeOwnSession(db, userUuid, sessionId)) === null) throw new AppError('not_found', { message: 'session_not_found' });
}
