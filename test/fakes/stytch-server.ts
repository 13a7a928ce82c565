/**
 * A fake Stytch on 127.0.0.1 speaking the documented wire format (../shared/spec/stytch.md):
 * Basic auth, JSON bodies, Stytch's error JSON, single-use tokens with expiry, PKCE, sessions,
 * and the sandbox tokens. The real `stytch` SDK talks to it; the tests drive it through the
 * knobs at the bottom (the links it "mailed", expiring a token, going slow or down).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export const SANDBOX = {
  email: 'sandbox@stytch.com',
  userId: 'user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd',
  okToken: 'DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=',
  unauthorizedToken: '3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU=',
  notFoundToken: 'CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM=',
} as const;

interface FakeUser {
  readonly user_id: string;
  readonly email: string;
  readonly email_id: string;
}

interface FakeToken {
  readonly userId: string;
  readonly expiresAt: number;
  readonly codeChallenge: string | null;
  used: boolean;
}

export interface SentLink {
  readonly email: string;
  readonly url: string;
  readonly token: string;
}

export interface FakeStytch {
  readonly url: string;
  readonly projectId: string;
  readonly secret: string;
  readonly sent: SentLink[];
  readonly revoked: string[];
  /** Make a token for an email without "sending" it (what an attacker or a stale link holds). */
  mintToken(email: string, options?: { codeChallenge?: string }): string;
  expire(token: string): void;
  /** Delay every answer by this many milliseconds. */
  setDelay(ms: number): void;
  /** Answer every call with a 500 while true. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

function requestId(): string {
  return `request-id-test-${randomUUID()}`;
}

function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ request_id: requestId(), status_code: status, ...body }));
}

function error(res: ServerResponse, status: number, type: string, message: string): void {
  send(res, status, { error_type: type, error_message: message, error_url: `https://stytch.com/docs/api/errors/${status}#${type}` });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export async function startFakeStytch(): Promise<FakeStytch> {
  const projectId = `project-test-${randomUUID()}`;
  const secret = `secret-test-${randomBytes(16).toString('hex')}`;
  const expectedAuth = `Basic ${Buffer.from(`${projectId}:${secret}`).toString('base64')}`;
  const users = new Map<string, FakeUser>([[SANDBOX.userId, { user_id: SANDBOX.userId, email: SANDBOX.email, email_id: 'email-test-sandbox' }]]);
  const tokens = new Map<string, FakeToken>();
  const sessions = new Map<string, { userId: string; sessionId: string }>();
  const sent: SentLink[] = [];
  const revoked: string[] = [];
  let delay = 0;
  let down = false;

  function userFor(email: string): { user: FakeUser; created: boolean } {
    for (const user of users.values()) if (user.email === email) return { user, created: false };
    const user = { user_id: `user-test-${randomUUID()}`, email, email_id: `email-test-${randomUUID()}` };
    users.set(user.user_id, user);
    return { user, created: true };
  }

  function mint(userId: string, minutes: number, codeChallenge: string | null): string {
    const token = randomBytes(32).toString('base64url');
    tokens.set(token, { userId, expiresAt: Date.now() + minutes * 60_000, codeChallenge, used: false });
    return token;
  }

  function userJson(user: FakeUser): object {
    return {
      user_id: user.user_id,
      emails: [{ email_id: user.email_id, email: user.email, verified: true }],
      status: 'active',
      name: { first_name: '', middle_name: '', last_name: '' },
      phone_numbers: [],
      providers: [],
      created_at: new Date().toISOString(),
    };
  }

  function authenticate(res: ServerResponse, body: Record<string, unknown>): void {
    const token = String(body.token ?? '');
    const minutes = body.session_duration_minutes === undefined ? 60 : Number(body.session_duration_minutes);
    if (!Number.isInteger(minutes) || minutes < 5 || minutes > 527040)
      return error(res, 400, 'invalid_session_duration', 'session_duration_minutes must be between 5 and 527040');
    if (token === SANDBOX.unauthorizedToken) return error(res, 401, 'unable_to_auth_magic_link', 'The magic link could not be authenticated.');
    if (token === SANDBOX.notFoundToken) return error(res, 404, 'magic_link_not_found', 'The magic link could not be found.');
    let userId: string;
    if (token === SANDBOX.okToken) {
      userId = SANDBOX.userId;
    } else {
      const record = tokens.get(token);
      if (record === undefined) return error(res, 404, 'magic_link_not_found', 'The magic link could not be found.');
      if (record.used || record.expiresAt <= Date.now())
        return error(res, 401, 'unable_to_auth_magic_link', 'The magic link could not be authenticated because it was either already used or expired.');
      if (record.codeChallenge !== null) {
        const verifier = typeof body.code_verifier === 'string' ? body.code_verifier : '';
        if (createHash('sha256').update(verifier).digest('base64url') !== record.codeChallenge)
          return error(res, 400, 'pkce_mismatch', 'The code_challenge does not match the code_verifier.');
      }
      record.used = true;
      userId = record.userId;
    }
    const user = users.get(userId);
    if (user === undefined) return error(res, 404, 'user_not_found', 'User could not be found.');
    const sessionToken = randomBytes(32).toString('base64url');
    const sessionId = `session-test-${randomUUID()}`;
    sessions.set(sessionToken, { userId, sessionId });
    const now = new Date();
    send(res, 200, {
      user_id: userId,
      method_id: user.email_id,
      session_token: sessionToken,
      session_jwt: 'eyJ.fake.jwt',
      reset_sessions: false,
      user: userJson(user),
      session: {
        session_id: sessionId,
        user_id: userId,
        started_at: now.toISOString(),
        last_accessed_at: now.toISOString(),
        expires_at: new Date(now.getTime() + minutes * 60_000).toISOString(),
        authentication_factors: [],
      },
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (down) return error(res, 500, 'internal_server_error', 'Oops, something seems to have gone wrong.');
    if (req.headers.authorization !== expectedAuth) return error(res, 401, 'unauthorized_credentials', 'Unauthorized credentials.');
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = req.method === 'GET' ? {} : await readJson(req);
    if (body === null) return error(res, 400, 'invalid_json', 'Request body is not valid JSON.');
    if (req.method === 'POST' && url.pathname === '/v1/magic_links/email/login_or_create') {
      const email = typeof body.email === 'string' ? body.email.toLowerCase() : '';
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) return error(res, 400, 'invalid_email', 'Email format is invalid.');
      const { user, created } = userFor(email);
      const link = String((created ? body.signup_magic_link_url : body.login_magic_link_url) ?? 'https://example.invalid/authenticate');
      const minutes = Number((created ? body.signup_expiration_minutes : body.login_expiration_minutes) ?? (created ? 10080 : 60));
      const token = mint(user.user_id, minutes, typeof body.code_challenge === 'string' ? body.code_challenge : null);
      const sentUrl = new URL(link);
      sentUrl.searchParams.set('stytch_token_type', 'magic_links');
      sentUrl.searchParams.set('token', token);
      sent.push({ email, url: sentUrl.href, token });
      return send(res, 200, { user_id: user.user_id, email_id: user.email_id, user_created: created });
    }
    if (req.method === 'POST' && url.pathname === '/v1/magic_links/authenticate') return authenticate(res, body);
    if (req.method === 'GET' && url.pathname.startsWith('/v1/users/')) {
      const user = users.get(decodeURIComponent(url.pathname.slice('/v1/users/'.length)));
      if (user === undefined) return error(res, 404, 'user_not_found', 'User could not be found.');
      return send(res, 200, userJson(user));
    }
    if (req.method === 'POST' && url.pathname === '/v1/sessions/revoke') {
      const token = String(body.session_token ?? '');
      if (!sessions.delete(token)) return error(res, 404, 'session_not_found', 'Session could not be found.');
      revoked.push(token);
      return send(res, 200, {});
    }
    return error(res, 404, 'route_not_found', `No route ${req.method} ${url.pathname}`);
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch(() => error(res, 500, 'internal_server_error', 'fake failed'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    projectId,
    secret,
    sent,
    revoked,
    mintToken: (email, options = {}) => mint(userFor(email.toLowerCase()).user.user_id, 60, options.codeChallenge ?? null),
    expire: (token) => {
      const record = tokens.get(token);
      if (record !== undefined) tokens.set(token, { ...record, expiresAt: Date.now() - 1 });
    },
    setDelay: (ms) => {
      delay = ms;
    },
    setDown: (value) => {
      down = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
