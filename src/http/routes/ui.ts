/**
 * The hosted pages (UI_PATH, default /ui): one HTML shell for every page path, and the bundled
 * script and stylesheet. The pages are built on the JSON API only; this route knows no data.
 * The shell carries the few settings the pages need as a JSON data block, which is not a
 * script and so stays within the CSP (script-src 'self', no inline scripts).
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { SUPPORTED_LOCALES, translator, type Locale } from '../../../locales/catalog.ts';
import type { Config } from '../../config.ts';
import { escapeHtml } from '../../security/html-escape.ts';
import { requestLocale } from '../locale.ts';
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
  /** The language the server chose for this request (?lang=, its cookie, Accept-Language). */
  readonly locale: Locale;
  readonly brand: { readonly name: string; readonly logoUrl: string | null; readonly supportEmail: string | null };
}

/** JSON inside <script type="application/json">: "<" escaped so no text can close the element. */
function jsonDataBlock(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function shell(settings: ShellSettings, assets: UiAssets, brandCss: UiAsset): string {
  const base = escapeHtml(settings.uiPath);
  const t = translator(settings.locale, settings.brand.name);
  const name = escapeHtml(settings.brand.name);
  const logo = settings.brand.logoUrl === null ? '' : `<img class="brand-logo" src="${escapeHtml(settings.brand.logoUrl)}" alt="" width="32" height="32">`;
  return `<!doctype html>
<html lang="${settings.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name}</title>
<link rel="stylesheet" href="${base}/assets/app.css?v=${assets.styles.version}">
<link rel="stylesheet" href="${base}/assets/brand.css?v=${brandCss.version}">
<script type="module" src="${base}/assets/app.js?v=${assets.script.version}"></script>
</head><body>
<script type="application/json" id="gatehouse-config">${jsonDataBlock(settings)}</script>
<a class="skip-link" href="#app">${escapeHtml(t('shell.skip'))}</a>
<header class="site-header"><a class="brand" href="${base}/">${logo}<span>${name}</span></a><nav id="site-nav" aria-label="${escapeHtml(t('nav.main'))}"></nav></header>
<main id="app" tabindex="-1"><noscript><p>${escapeHtml(t('shell.noscript'))}</p></noscript></main>
</body></html>`;
}

/** The brand's colour as CSS custom properties (a file, so the CSP needs no inline style). */
function brandStyles(color: string): UiAsset {
  const body = `:root { --accent: ${color}; }\n`;
  return { body, contentType: 'text/css; charset=utf-8', version: createHash('sha256').update(body).digest('hex').slice(0, 16) };
}

function sendAsset(reply: FastifyReply, asset: UiAsset): FastifyReply {
  // The URL carries the content hash, so the file may be cached for as long as browsers like.
  return reply.header('cache-control', 'public, max-age=31536000, immutable').type(asset.contentType).send(asset.body);
}

export const uiRoutes: FastifyPluginAsync<UiRouteOptions> = async (app, { config, uiPath, assets }) => {
  const brandCss = brandStyles(config.brand.color);
  // One shell per language, made once.
  const shells = new Map<Locale, string>(
    SUPPORTED_LOCALES.map((locale) => [
      locale,
      shell(
        {
          uiPath,
          apiPrefix: config.authRoutePrefixes[0] ?? '/v1/auth',
          signupMode: config.signupMode,
          allowedRedirectUrls: config.allowedRedirectUrls,
          development: config.nodeEnv === 'development',
          locale,
          brand: { name: config.brand.name, logoUrl: config.brand.logoUrl, supportEmail: config.brand.supportEmail },
        },
        assets,
        brandCss,
      ),
    ]),
  );
  const sendShell = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const locale = requestLocale(request, reply, config.brand.defaultLocale);
    // no-store: pages opened from mailed links carry tokens in their URL.
    return reply.header('cache-control', 'no-store').header('vary', 'accept-language, cookie').type('text/html; charset=utf-8').send(shells.get(locale));
  };

  app.get(`${uiPath}/assets/app.js`, { schema: { hide: true } }, async (_request, reply) => sendAsset(reply, assets.script));
  app.get(`${uiPath}/assets/app.css`, { schema: { hide: true } }, async (_request, reply) => sendAsset(reply, assets.styles));
  app.get(`${uiPath}/assets/brand.css`, { schema: { hide: true } }, async (_request, reply) => sendAsset(reply, brandCss));
  app.get(uiPath, { schema: { hide: true } }, sendShell);
  app.get(`${uiPath}/*`, { schema: { hide: true } }, async (request, reply) => {
    if (request.url.startsWith(`${uiPath}/assets/`)) return reply.callNotFound();
    return sendShell(request, reply);
  });
};
