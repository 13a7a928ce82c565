/**
 * Branding and language: the club's name, logo, colour and support address on the hosted pages
 * and in the mails, and the language used when a visitor's browser asks for none we have.
 */
import { isLocale, SUPPORTED_LOCALES, type Locale } from '../locales/catalog.ts';
import { ConfigError, type Env } from './config-parse.ts';

export interface BrandConfig {
  /** BRAND_NAME: on every page, in titles, in the mails' subjects and text. */
  readonly name: string;
  /** BRAND_LOGO_URL: an https URL (or a path on PUBLIC_URL) of the logo; null: the name alone. */
  readonly logoUrl: string | null;
  /** BRAND_COLOR: the accent (buttons, links), #rrggbb. */
  readonly color: string;
  /** SUPPORT_EMAIL: shown on the sign-in pages and in the mails; null: not shown. */
  readonly supportEmail: string | null;
  /** DEFAULT_LOCALE: the language when the browser asks for none of SUPPORTED_LOCALES. */
  readonly defaultLocale: Locale;
}

const COLOR = /^#[0-9a-fA-F]{6}$/;

function logoUrl(raw: string | undefined, production: boolean): string | null {
  if (raw === undefined || raw === '') return null;
  if (raw.startsWith('/') && !raw.startsWith('//')) return raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('BRAND_LOGO_URL', `"${raw}" is not a URL`, 'give an https URL or a path such as /logo.svg');
  }
  if (url.protocol !== 'https:' && (production || url.protocol !== 'http:'))
    throw new ConfigError('BRAND_LOGO_URL', `must be https (got ${url.protocol})`, 'serve the logo over https');
  return url.href;
}

export function parseBrand(env: Env, production: boolean): BrandConfig {
  const name = (env.BRAND_NAME ?? '').trim() || 'Gatehouse';
  if (name.length > 80) throw new ConfigError('BRAND_NAME', `is ${name.length} characters`, 'use at most 80');
  const color = (env.BRAND_COLOR ?? '').trim() || '#2451b8';
  if (!COLOR.test(color)) throw new ConfigError('BRAND_COLOR', `"${color}" is not a #rrggbb colour`, 'e.g. BRAND_COLOR=#0b6e4f');
  const support = (env.SUPPORT_EMAIL ?? '').trim();
  if (support !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(support))
    throw new ConfigError('SUPPORT_EMAIL', `"${support}" is not an email address`, 'e.g. SUPPORT_EMAIL=help@club.example');
  const locale = (env.DEFAULT_LOCALE ?? '').trim() || 'en';
  if (!isLocale(locale)) throw new ConfigError('DEFAULT_LOCALE', `"${locale}" is not a supported language`, `use one of ${SUPPORTED_LOCALES.join(', ')}`);
  return {
    name,
    logoUrl: logoUrl(env.BRAND_LOGO_URL, production),
    color: color.toLowerCase(),
    supportEmail: support === '' ? null : support,
    defaultLocale: locale,
  };
}
