/** Who is signed in (GET /me), the navigation that follows from it, and where to go after sign-in. */
import { api, ApiError } from './api.ts';
import { config, uiHref } from './config.ts';
import { h, link, queryParam } from './dom.ts';
import { LOCALE_NAMES, SUPPORTED_LOCALES } from '../../locales/catalog.ts';
import { t } from './i18n.ts';

export interface SystemMembership {
  readonly type: 'system';
  readonly role: string;
  readonly status: 'active' | 'suspended' | 'inactive';
  /** When it stops counting; null: never. */
  readonly expires_at?: string | null;
}

export interface OrganizerMembership {
  readonly type: 'organizer';
  readonly organizer_uuid: string;
  readonly organizer_name: string;
  readonly membership_role: 'owner' | 'admin' | 'member';
}

export type Membership = SystemMembership | OrganizerMembership;

export interface Me {
  readonly uuid: string;
  readonly email: string;
  readonly name: string | null;
  readonly memberships: readonly Membership[];
}

async function fetchCurrentUser(): Promise<Me | null> {
  try {
    return await api<Me>('GET', '/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

let current: Promise<Me | null> | null = null;

/**
 * The signed-in user, or null. Any other failure (503…) is thrown for the page to show.
 * Asked once per page load: the navigation and the page share the answer (every navigation is
 * a full page load, so it is never stale for long).
 */
export function currentUser(): Promise<Me | null> {
  current ??= fetchCurrentUser();
  return current;
}

export function isSystemAdmin(me: Me): boolean {
  return me.memberships.some((membership) => membership.type === 'system' && membership.role === 'admin' && membership.status === 'active');
}

/** Organizers whose members page this user may manage (owner or admin there). */
export function managedOrganizers(me: Me): OrganizerMembership[] {
  return me.memberships.filter((membership): membership is OrganizerMembership => membership.type === 'organizer' && membership.membership_role !== 'member');
}

export async function signOut(): Promise<void> {
  try {
    await api('POST', '/logout', undefined, { refresh: false });
  } finally {
    location.assign(uiHref('/sign-in'));
  }
}

/** Links to this page in each other language (?lang= sets it; the server keeps the choice). */
function languageSwitcher(): HTMLElement {
  const others = SUPPORTED_LOCALES.filter((locale) => locale !== config.locale);
  return h(
    'span',
    { class: 'languages' },
    others.map((locale) => {
      const url = new URL(location.href);
      url.searchParams.set('lang', locale);
      return h('a', { href: `${url.pathname}${url.search}`, lang: locale, hreflang: locale }, LOCALE_NAMES[locale]);
    }),
  );
}

export function renderNav(me: Me | null): void {
  const nav = document.getElementById('site-nav');
  if (nav === null) return;
  if (me === null) {
    nav.replaceChildren(link(uiHref('/sign-in'), t('common.signIn')), languageSwitcher());
    return;
  }
  nav.replaceChildren(
    link(uiHref('/account'), t('common.myAccount')),
    isSystemAdmin(me) ? link(uiHref('/admin/users'), t('common.admin')) : '',
    h('button', { type: 'button', class: 'btn btn-link', onclick: () => void signOut() }, t('common.signOut')),
    languageSwitcher(),
  );
}

const STORED_TARGET = 'gatehouse.after-sign-in';
const STORED_TARGET_TTL_MS = 30 * 60 * 1000;

/** Only exact entries of ALLOWED_REDIRECT_URLS (the API's own rule): anything else is an open redirect. */
export function allowedRedirect(candidate: string | null): string | null {
  if (candidate === null || candidate === '') return null;
  try {
    const href = new URL(candidate).href;
    return config.allowedRedirectUrls.includes(href) ? href : null;
  } catch {
    return null;
  }
}

/** A page of this UI (never another origin, never "//evil.example"). */
function internalTarget(candidate: string | null): string | null {
  if (candidate === null || !candidate.startsWith(`${config.uiPath}/`) || candidate.startsWith('//')) return null;
  return new URL(candidate, location.origin).origin === location.origin ? candidate : null;
}

/** The query string that carries the sign-in target from page to page. */
export function targetQuery(): string {
  const params = new URLSearchParams();
  const redirect = allowedRedirect(queryParam('redirect_url'));
  const next = internalTarget(queryParam('next'));
  if (redirect !== null) params.set('redirect_url', redirect);
  if (next !== null) params.set('next', next);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** A magic link is opened later, maybe in another tab: the target waits in localStorage. */
export function rememberTarget(): void {
  const target = allowedRedirect(queryParam('redirect_url')) ?? internalTarget(queryParam('next'));
  if (target === null) localStorage.removeItem(STORED_TARGET);
  else localStorage.setItem(STORED_TARGET, JSON.stringify({ target, until: Date.now() + STORED_TARGET_TTL_MS }));
}

function storedTarget(): string | null {
  const raw = localStorage.getItem(STORED_TARGET);
  localStorage.removeItem(STORED_TARGET);
  if (raw === null) return null;
  try {
    const stored = JSON.parse(raw) as { target?: unknown; until?: unknown };
    if (typeof stored.target !== 'string' || typeof stored.until !== 'number' || stored.until < Date.now()) return null;
    return allowedRedirect(stored.target) ?? internalTarget(stored.target);
  } catch {
    return null;
  }
}

export function goAfterSignIn(): void {
  const target = allowedRedirect(queryParam('redirect_url')) ?? internalTarget(queryParam('next')) ?? storedTarget() ?? uiHref('/account');
  location.assign(target);
}

/** Sends a signed-out visitor to sign in, coming back here afterwards. */
export function goToSignIn(): void {
  location.assign(`${uiHref('/sign-in')}?${new URLSearchParams({ next: location.pathname + location.search }).toString()}`);
}
