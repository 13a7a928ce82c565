/**
 * Which language a request is answered in: `?lang=` (kept in a cookie so the next page keeps
 * it), else that cookie, else the best match of Accept-Language (RFC 4647 through
 * @formatjs/intl-localematcher: zh, zh-Hans and zh-CN all find zh-CN), else DEFAULT_LOCALE.
 */
import { match } from '@formatjs/intl-localematcher';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLocale, SUPPORTED_LOCALES, type Locale } from '../../locales/catalog.ts';

export const LOCALE_COOKIE = 'gatehouse_lang';
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/** Accept-Language's tags, most wanted first ("*" and malformed entries dropped). */
function requestedLocales(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      );
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.q > 0 && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(entry.tag))
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
}

export function negotiateLocale(acceptLanguage: string | undefined, fallback: Locale): Locale {
  const requested = requestedLocales(acceptLanguage);
  if (requested.length === 0) return fallback;
  try {
    const found = match(requested, [...SUPPORTED_LOCALES], fallback, { algorithm: 'best fit' });
    return isLocale(found) ? found : fallback;
  } catch {
    return fallback;
  }
}

/** The request's language; a valid `?lang=` is remembered in the cookie for the next pages. */
export function requestLocale(request: FastifyRequest, reply: FastifyReply, fallback: Locale): Locale {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLocale(asked)) {
    reply.setCookie(LOCALE_COOKIE, asked, { path: '/', sameSite: 'lax', maxAge: ONE_YEAR_SECONDS, httpOnly: false });
    return asked;
  }
  return apiLocale(request, fallback);
}

/** An API request's language (for the mails it causes): the pages' cookie, else Accept-Language. */
export function apiLocale(request: FastifyRequest, fallback: Locale): Locale {
  const kept = request.cookies[LOCALE_COOKIE];
  return isLocale(kept) ? kept : negotiateLocale(request.headers['accept-language'], fallback);
}
