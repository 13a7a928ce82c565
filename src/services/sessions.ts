/**
 * Sessions: a server-side row per sign-in, a short-lived access JWT bound to it (`sid`), and a
 * rotating refresh token.
 *
 * Refresh tokens are `<sid>.<generation>.<mac>`, mac = HMAC(secret, sid.generation). The
 * database keeps only their hashes; because the server can re-derive the current token from the
 * previous one, a tab that presents the just-rotated token within the grace window gets the
 * current token too (several tabs refreshing at once all succeed). Any other correctly signed
 * token of the session that is not its current one (the previous one outside the window, or an
 * older generation) is a reuse: the whole session is revoked.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import { loadPrincipal, loadUserWithMemberships, type OrganizerMembershipFacts } from '../queries/principal.ts';
import { findRefreshState, insertSession, revokeSession, revokeUserSessions, rotateRefreshToken } from '../queries/sessions.ts';
import type { JwtCodec, OrganizerRoles } from '../security/jwt.ts';
import { constantTimeEqual, hashToken, hmac } from '../security/tokens.ts';
import { effectiveRoles } from './user-view.ts';
import { emitSessionsRevoked, type SessionRevocationReason } from './webhook-events.ts';

export const REFRESH_GRACE_SECONDS = 10;

export interface SessionSettings {
  readonly sessionTtl: number;
  readonly accessTokenTtl: number;
  /** Key for refresh-token MACs (derived from the JWT secret). */
  readonly refreshKey: string;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly sessionId: string;
  readonly roles: readonly string[];
  readonly userUuid: string;
}

export interface ClientInfo {
  readonly userAgent: string | null;
  readonly ip: string | null;
}

export type SecurityEventSink = (event: string, fields: Record<string, unknown>) => void;

export interface SessionService {
  /** A fresh sign-in always makes a new session (no fixation). */
  create(userUuid: string, client: ClientInfo, options?: { stytchSessionToken?: string | null }): Promise<IssuedTokens>;
  refresh(refreshToken: string): Promise<IssuedTokens>;
  revoke(sessionId: string): Promise<string | null>;
  /**
   * Revokes the session a refresh token (current or just rotated) belongs to: a logout whose
   * access token has expired still ends its session. The session id when it did, else null.
   */
  revokeByRefreshToken(refreshToken: string): Promise<{ sessionId: string; userUuid: string; stytchSessionToken: string | null } | null>;
  /** Revokes them and emits session.revoked_all in one transaction. */
  revokeAllForUser(userUuid: string, reason: SessionRevocationReason, exceptSessionId?: string | null): Promise<string[]>;
  /**
   * What an access token stands for now (RFC 7662): valid signature and times, and a live
   * session of an active user; roles and organizer memberships as they are in the database at
   * this moment (never the token's copy), untruncated.
   */
  introspect(accessToken: string): Promise<Introspection>;
}

/** The organizers claim: uuid → role, for active memberships only (what the list holds). */
export function organizerRoles(memberships: readonly OrganizerMembershipFacts[]): OrganizerRoles {
  return Object.fromEntries(memberships.map((membership) => [membership.organizer_uuid, membership.membership_role]));
}

/** RFC 7662's answer: `{active: false}` and nothing else for a token that does not work now. */
export type Introspection =
  | { readonly active: false }
  | {
      readonly active: true;
      readonly token_type: 'access_token';
      readonly sub: string;
      readonly user_id: string;
      readonly email: string;
      readonly roles: string[];
      readonly organizers: OrganizerRoles;
      readonly sid: string;
      readonly iss: string;
      readonly iat: number;
      readonly exp: number;
    };

function refreshTokenFor(key: string, sessionId: string, generation: number): string {
  return `${sessionId}.${generation}.${hmac(key, `refresh:${sessionId}.${generation}`)}`;
}

interface ParsedRefresh {
  readonly sessionId: string;
  readonly generation: number;
}

/** Checks the MAC before any database work, in constant time. */
function parseRefreshToken(key: string, token: string): ParsedRefresh | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [sessionId = '', generationText = '', mac = ''] = parts;
  if (!/^[0-9a-f-]{36}$/.test(sessionId) || !/^\d{1,9}$/.test(generationText)) return null;
  const generation = Number(generationText);
  if (!constantTimeEqual(mac, hmac(key, `refresh:${sessionId}.${generation}`))) return null;
  return { sessionId, generation };
}

export function createSessionService(deps: { db: Db; jwt: JwtCodec; settings: SessionSettings; onSecurityEvent: SecurityEventSink }): SessionService {
  const { db, jwt, settings } = deps;

  async function issue(sessionId: string, userUuid: string, refreshToken: string): Promise<IssuedTokens> {
    const user = await loadUserWithMemberships(db, userUuid);
    if (user === null || !user.is_active || user.is_deleted) {
      await revokeSession(db, sessionId);
      throw new AppError('invalid_token');
    }
    const roles = effectiveRoles(user.system);
    const accessToken = await jwt.sign({ userId: user.uuid, email: user.email, roles, organizers: organizerRoles(user.organizers), sid: sessionId });
    return { accessToken, refreshToken, sessionId, roles, userUuid: user.uuid };
  }

  return {
    async create(userUuid, client, options = {}): Promise<IssuedTokens> {
      const sessionId = randomUUID();
      const refreshToken = refreshTokenFor(settings.refreshKey, sessionId, 0);
      await insertSession(db, {
        id: sessionId,
        userUuid,
        refreshTokenHash: hashToken(refreshToken),
        ttlSeconds: settings.sessionTtl,
        userAgent: client.userAgent?.slice(0, 512) ?? null,
        ip: client.ip,
        stytchSessionToken: options.stytchSessionToken ?? null,
      });
      return issue(sessionId, userUuid, refreshToken);
    },

    async refresh(presented): Promise<IssuedTokens> {
      const parsed = parseRefreshToken(settings.refreshKey, presented);
      if (parsed === null) throw new AppError('invalid_token');
      const presentedHash = hashToken(presented);
      const next = refreshTokenFor(settings.refreshKey, parsed.sessionId, parsed.generation + 1);
      const rotated = await rotateRefreshToken(db, parsed.sessionId, presentedHash, hashToken(next));
      if (rotated !== null) return issue(parsed.sessionId, rotated.user_uuid, next);

      const state = await findRefreshState(db, parsed.sessionId);
      if (state === null || state.revoked || state.expired) throw new AppError('invalid_token');
      // The token just rotated away, presented again in the window (another tab): the same next token.
      const justRotated = state.previous_refresh_token_hash === presentedHash && state.refresh_token_hash === hashToken(next);
      if (justRotated && state.seconds_since_rotation !== null && state.seconds_since_rotation <= REFRESH_GRACE_SECONDS) {
        return issue(parsed.sessionId, state.user_uuid, next);
      }
      // A correctly signed token of this live session that is not its current one: the previous
      // one after the window, or any older generation. Assume it was stolen.
      await revokeSession(db, parsed.sessionId);
      deps.onSecurityEvent('refresh_token_reuse', { session_id: parsed.sessionId, user_id: state.user_uuid, generation: parsed.generation });
      throw new AppError('invalid_token');
    },

    async revoke(sessionId): Promise<string | null> {
      const row = await revokeSession(db, sessionId);
      return row?.stytch_session_token ?? null;
    },

    async revokeByRefreshToken(presented): Promise<{ sessionId: string; userUuid: string; stytchSessionToken: string | null } | null> {
      const parsed = parseRefreshToken(settings.refreshKey, presented);
      if (parsed === null) return null;
      const state = await findRefreshState(db, parsed.sessionId);
      const hash = hashToken(presented);
      if (state === null || state.revoked || (state.refresh_token_hash !== hash && state.previous_refresh_token_hash !== hash)) return null;
      const row = await revokeSession(db, parsed.sessionId);
      return row === null ? null : { sessionId: parsed.sessionId, userUuid: state.user_uuid, stytchSessionToken: row.stytch_session_token };
    },

    async revokeAllForUser(userUuid, reason, exceptSessionId = null): Promise<string[]> {
      return db.transaction().execute(async (trx) => {
        const revoked = await revokeUserSessions(trx, userUuid, exceptSessionId);
        await emitSessionsRevoked(trx, userUuid, reason);
        return revoked;
      });
    },

    async introspect(accessToken): Promise<Introspection> {
      const claims = await jwt.verify(accessToken);
      if (claims === null) return { active: false };
      const principal = await loadPrincipal(db, claims.sid, claims.sub);
      if (principal === null || !principal.is_active || principal.is_deleted) return { active: false };
      return {
        active: true,
        token_type: 'access_token',
        sub: principal.uuid,
        user_id: principal.uuid,
        email: principal.email,
        roles: effectiveRoles(principal.system),
        organizers: organizerRoles(principal.organizers),
        sid: principal.session_id,
        iss: claims.iss,
        iat: claims.iat,
        exp: claims.exp,
      };
    },
  };
}
