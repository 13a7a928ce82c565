/**
 * The message catalogs of the hosted pages and the mails (en.json, zh-CN.json), read through
 * i18next by the server (mails, the page shell) and the browser code alike. Every catalog has
 * every key of en.json (test/i18n.test.ts fails on a missing or extra key, or a placeholder one
 * lacks); a string the user reads is never written outside them.
 */
import { createInstance, type i18n } from 'i18next';
import en from './en.json' with { type: 'json' };
import zhCN from './zh-CN.json' with { type: 'json' };

export const SUPPORTED_LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export type MessageKey = keyof typeof en;
export type Translate = (key: MessageKey, values?: Readonly<Record<string, string | number>>) => string;

export const CATALOGS: Readonly<Record<Locale, Readonly<Record<string, string>>>> = { en, 'zh-CN': zhCN };

/** The names each language is offered under, in that language. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', 'zh-CN': '中文（简体）' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

const instances = new Map<Locale, i18n>();

function instanceFor(locale: Locale): i18n {
  let instance = instances.get(locale);
  if (instance === undefined) {
    instance = createInstance();
    // Resources inline and initAsync off: ready at once, no loading, no promise to wait for.
    void instance.init({
      lng: locale,
      fallbackLng: 'en',
      resources: Object.fromEntries(SUPPORTED_LOCALES.map((code) => [code, { translation: CATALOGS[code] }])),
      initAsync: false,
      keySeparator: false,
      nsSeparator: false,
      // Callers put text into the DOM as text, or escape it for HTML themselves.
      interpolation: { escapeValue: false },
      returnNull: false,
    });
    instances.set(locale, instance);
  }
  return instance;
}

/** `t` for one locale; `brand` is filled into every message that names the service. */
export function translator(locale: Locale, brand: string): Translate {
  const instance = instanceFor(locale);
  return (key, values = {}) => instance.t(key, { brand, ...values });
}
