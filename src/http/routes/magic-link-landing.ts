/**
 * The page a mailed link opens: GET /magic-links/verify?token=… shows a "Continue" button and
 * never consumes the token (mail scanners GET and HEAD links); only the button's POST redeems.
 * The page sends Referrer-Policy: no-referrer so the token does not leak to other sites.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AppError } from '../../errors.ts';
import { escapeHtml } from '../../security/html-escape.ts';
import { clientInfo, enforceLimit, startSession, type HttpContext } from '../context.ts';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).header('referrer-policy', 'no-referrer').header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}

function landingMessage(error: AppError): string {
  if (error.code === 'rate_limited') return 'Too many sign-in attempts from here. Wait a few minutes, then try the link again.';
  if (error.status === 503) return 'The sign-in service is unavailable. Try the link again in a minute.';
  return 'This sign-in link is invalid, used or expired, or this account may not sign in. Ask for a new link.';
}

export const magicLinkLandingRoutes: FastifyPluginAsync<HttpContext> = async (app, ctx) => {
  // Only this page's own form posts urlencoded; every other route stays JSON-only.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.get('/magic-links/verify', { schema: { hide: true } }, async (request, reply) => {
    const token = (request.query as Record<string, unknown>).token;
    if (typeof token !== 'string' || token === '' || token.length > 2048) {
      return sendPage(reply, 400, page('Sign-in link incomplete', '<p>This link has no token. Ask for a new sign-in link.</p>'));
    }
    return sendPage(
      reply,
      200,
      page(
        'Continue signing in',
        `<p>Press the button to finish signing in.</p>
<form method="post" action="verify"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit">Continue</button></form>`,
      ),
    );
  });

  app.post('/magic-links/verify', { config: { signIn: 'magic_link', credentials: 'body' }, schema: { hide: true } }, async (request, reply) => {
    const token = (request.body as Record<string, unknown> | undefined)?.token;
    try {
      // The same limit as the JSON /authenticate: this form redeems the same tokens.
      await enforceLimit(ctx, 'authenticate', request, null);
      if (typeof token !== 'string' || token === '') throw new AppError('invalid_token');
      const signedIn = await ctx.magicLinks.authenticate({ token, codeVerifier: null });
      const tokens = await ctx.sessions.create(signedIn.user.uuid, clientInfo(request), { stytchSessionToken: signedIn.stytchSessionToken });
      startSession(ctx, reply, tokens);
      return sendPage(reply, 200, page('You are signed in', `<p>Signed in as ${escapeHtml(signedIn.user.email)}. You can close this tab.</p>`));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      return sendPage(reply, error.status, page('Could not sign you in', `<p>${escapeHtml(landingMessage(error))}</p>`));
    }
  });
};
