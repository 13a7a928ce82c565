/**
 * Where mailed links point. Always PUBLIC_URL — never the request's Host header, which an
 * attacker controls. The pages behind these paths are the hosted UI's (UI_PATH, or a front end's
 * own page at the same path when UI_PATH=off): they read the token and POST it to the JSON API.
 */
import type { Config } from '../config.ts';

export type LinkKind = 'magic_link' | 'verify_email' | 'reset_password' | 'account' | 'invitation';
export type LinkSettings = Pick<Config, 'publicUrl' | 'uiPath' | 'authRoutePrefixes'>;

/** Without the hosted UI, front ends keep the documented /ui/… paths for their own pages. */
const DEFAULT_UI_PATH = '/ui';

function pathFor(settings: LinkSettings, kind: LinkKind): string {
  const ui = settings.uiPath ?? DEFAULT_UI_PATH;
  switch (kind) {
    case 'magic_link':
      // Without the hosted UI the server-rendered landing page (magic-link-landing.ts) takes the link.
      return settings.uiPath === null ? `${settings.authRoutePrefixes[0] ?? '/v1/auth'}/magic-links/verify` : `${ui}/magic-link`;
    case 'verify_email':
      return `${ui}/verify-email`;
    case 'reset_password':
      return `${ui}/reset-password`;
    case 'account':
      return `${ui}/account`;
    case 'invitation':
      return `${ui}/invitations/accept`;
  }
}

/** The page URL without a token (the magic-link landing, for Stytch's login_magic_link_url). */
export function pageUrl(settings: LinkSettings, kind: LinkKind): string {
  return `${settings.publicUrl}${pathFor(settings, kind)}`;
}

export function linkFor(settings: LinkSettings, kind: LinkKind, token: string): string {
  const url = new URL(pageUrl(settings, kind));
  url.searchParams.set('token', token);
  return url.href;
}
