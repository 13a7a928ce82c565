/**
 * The hosted pages (UI_PATH, default /ui): one HTML shell for every page path, and the bundled
 * script and stylesheet. The pages are built on the JSON API only; this route knows no data.
 * The shell carries the few settings the pages need as a JSON data block, which is not a
 * script and so stays within the CSP (script-src 'self', no inline scripts).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Config } from '../../config.ts';
import { escapeHtml } from '../../security/html-escape.ts';
import type { UiAsset, UiAssets } from '../ui-assets.ts';

export interface UiRouteOptions {
  readonly config: Config;
  readonly uiPath: string;
  readonly assets: UiAssets;
}

/** What the browser code reads from the shell (web/src/config.ts has the same shape). */
interface ShellSettings {
  readonly uiPath: string;
  readonly apiPrefix: string;
  readonly signupMode: Config['signupMode'];
  readonly allowedRedirectUrls: readonly string[];
  readonly development: boolean;
}

/** JSON inside <script type="application/json">: "<" escaped so no text can close the element. */
function jsonDataBlock(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function shell(settings: ShellSettings, assets: UiAssets): string {
  const base = escapeHtml(settings.uiPath);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse</title>
<link rel="stylesheet" href="${base}/assets/app.css?v=${assets.styles.version}">
<script type="module" src="${base}/assets/app.js?v=${assets.script.version}"></script>
</head><body>
<script type="application/json" id="gatehouse-config">${jsonDataBlock(settings)}</script>
<a class="skip-link" href="#app">Skip to content</a>
<header class="site-header"><a class="brand" href="${base}/">Gatehouse</a><nav id="site-nav" aria-label="Main"></nav></header>
<main id="app" tabindex="-1"><noscript><p>These pages need JavaScript. The JSON API is described at /docs.</p></noscript></main>
</body></html>`;
}

function sendAsset(reply: FastifyReply, asset: UiAsset): FastifyReply {
  // The URL carries the content hash, so the file may be cached for as long as browsers like.
  return reply.header('cache-control', 'public, max-age=31536000, immutable').type(asset.contentType).send(asset.body);
}

export const uiRoutes: FastifyPluginAsync<UiRouteOptions> = async (app, { config, uiPath, assets }) => {
  const html = shell(
    {
      uiPath,
      apiPrefix: config.authRoutePrefixes[0] ?? '/v1/auth',
      signupMode: config.signupMode,
      allowedRedirectUrls: config.allowedRedirectUrls,
      development: config.nodeEnv === 'development',
    },
    assets,
  );
  const sendShell = async (_request: unknown, reply: FastifyReply): Promise<FastifyReply> =>
    // no-store: pages opened from mailed links carry tokens in their URL.
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);

  app.get(`${uiPath}/assets/app.js`, { schema: { hide: true } }, async (_request, reply) => sendAsset(reply, assets.script));
  app.get(`${uiPath}/assets/app.css`, { schema: { hide: true } }, async (_request, reply) => sendAsset(reply, assets.styles));
  app.get(uiPath, { schema: { hide: true } }, sendShell);
  app.get(`${uiPath}/*`, { schema: { hide: true } }, async (request, reply) => {
    if (request.url.startsWith(`${uiPath}/assets/`)) return reply.callNotFound();
    return sendShell(request, reply);
  });
};
