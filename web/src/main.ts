/**
 * The hosted pages: one script, one page per path under UI_PATH. Navigation is by plain links
 * (a full page load each time), so every page has a real URL, works with Back, and needs no
 * client-side router state.
 */
import { ApiError } from './api.ts';
import { config, uiHref } from './config.ts';
import { h, link, notice, render } from './dom.ts';
import { accountPage } from './pages/account.ts';
import { auditPage } from './pages/admin/audit.ts';
import { eligiblePage } from './pages/admin/eligible.ts';
import { organizerMembersPage, organizersPage } from './pages/admin/organizers.ts';
import { rolesPage } from './pages/admin/roles.ts';
import { userPage, usersPage } from './pages/admin/users.ts';
import { devOutboxPage } from './pages/dev-outbox.ts';
import { forgotPasswordPage, magicLinkLandingPage, resetPasswordPage, verifyEmailPage } from './pages/mailed-links.ts';
import { invitationsPage } from './pages/admin/invitations.ts';
import { webhookDeliveriesPage, webhooksPage } from './pages/admin/webhooks.ts';
import { invitationAcceptPage } from './pages/invitation.ts';
import { registerPage } from './pages/register.ts';
import { checkMailPage, magicLinkPage, passwordSignInPage } from './pages/sign-in.ts';
import { currentUser, renderNav } from './session.ts';
import { t } from './i18n.ts';

type PageFn = (...params: string[]) => void | Promise<void>;

/** Path (after UI_PATH) → page. `:id` segments are passed to the page in order. */
const ROUTES: readonly (readonly [string, PageFn])[] = [
  ['/', magicLinkPage],
  ['/sign-in', magicLinkPage],
  ['/sign-in/password', passwordSignInPage],
  ['/check-mail', checkMailPage],
  ['/register', registerPage],
  ['/forgot-password', forgotPasswordPage],
  ['/reset-password', resetPasswordPage],
  ['/verify-email', verifyEmailPage],
  ['/magic-link', magicLinkLandingPage],
  ['/invitations/accept', invitationAcceptPage],
  ['/account', accountPage],
  ['/admin', usersPage],
  ['/admin/users', usersPage],
  ['/admin/users/:id', userPage],
  ['/admin/roles', rolesPage],
  ['/admin/eligible', eligiblePage],
  ['/admin/invitations', invitationsPage],
  ['/admin/organizers', organizersPage],
  ['/organizers/:id', organizerMembersPage],
  ['/admin/webhooks', webhooksPage],
  ['/admin/webhooks/:id', webhookDeliveriesPage],
  ['/admin/audit', auditPage],
  ...(config.development ? [['/dev/outbox', devOutboxPage] as const] : []),
];

function match(pattern: string, path: string): string[] | null {
  const want = pattern.split('/');
  const have = path.split('/');
  if (want.length !== have.length) return null;
  const params: string[] = [];
  for (const [index, part] of want.entries()) {
    const actual = have[index] ?? '';
    if (part.startsWith(':')) {
      if (actual === '') return null;
      params.push(decodeURIComponent(actual));
    } else if (part !== actual) return null;
  }
  return params;
}

function notFound(): void {
  render(t('page.notFound.title'), h('p', {}, t('page.notFound.body')), h('p', {}, link(uiHref('/'), t('page.notFound.start'))));
}

function failure(error: unknown): void {
  const message = error instanceof ApiError ? error.message : t('page.error.unreachable');
  render(t('page.error.title'), notice(message, 'error'), h('p', {}, link(location.pathname, t('page.error.reload'))));
}

async function start(): Promise<void> {
  const path = location.pathname.slice(config.uiPath.length).replace(/\/+$/, '') || '/';
  for (const [pattern, page] of ROUTES) {
    const params = match(pattern, path);
    if (params !== null) {
      // Pages that check the user draw the navigation themselves; the others get it here.
      if (!['/account'].includes(pattern) && !pattern.includes('admin') && !pattern.startsWith('/organizers'))
        void currentUser().then(renderNav, () => renderNav(null));
      await page(...params);
      return;
    }
  }
  notFound();
}

start().catch(failure);
