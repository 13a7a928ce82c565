/**
 * Where mailed links point. Always PUBLIC_URL — never the request's Host header, which an
 * attacker controls. The pages behind these paths are the hosted UI's (or a front end's own
 * page at the same path): they read the token and POST it to the JSON API.
 */
export type LinkKind = 'magic_link' | 'verify_email' | 'reset_password';

const PATHS: Readonly<Record<LinkKind, string>> = {
  magic_link: '/magic-links/verify',
  verify_email: '/ui/verify-email',
  reset_password: '/ui/reset-password',
};

export function linkFor(publicUrl: string, kind: LinkKind, token: string): string {
  const url = new URL(`${publicUrl}${PATHS[kind]}`);
  url.searchParams.set('token', token);
  return url.href;
}
