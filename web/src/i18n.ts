/**
 * The pages' language: the one the server chose for this request (?lang=, its cookie,
 * Accept-Language, DEFAULT_LOCALE), read from the shell. Messages come from the catalogs in
 * locales/ (i18next); dates and numbers are formatted by Intl in the same language.
 */
import { translator, type Translate } from '../../locales/catalog.ts';
import { config } from './config.ts';

export const t: Translate = translator(config.locale, config.brand.name);

const dateTime = new Intl.DateTimeFormat(config.locale, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string | null): string {
  return iso === null ? '—' : dateTime.format(new Date(iso));
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(config.locale).format(value);
}
