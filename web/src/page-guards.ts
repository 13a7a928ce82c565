/** Pages for signed-in users and for admins. The API refuses regardless; these only explain. */
import { uiHref } from './config.ts';
import { h, link, notice, render } from './dom.ts';
import { currentUser, goToSignIn, isSystemAdmin, renderNav, type Me } from './session.ts';
import { t } from './i18n.ts';

/** The signed-in user, or null after sending the visitor to sign in. */
export async function signedIn(): Promise<Me | null> {
  const me = await currentUser();
  renderNav(me);
  if (me === null) goToSignIn();
  return me;
}

export function renderForbidden(what: string): void {
  render(t('page.forbidden.title'), notice(t('page.forbidden.body', { what }), 'error'), h('p', {}, link(uiHref('/account'), t('links.goToAccount'))));
}

/** The signed-in system admin, or null after showing why not. */
export async function signedInAdmin(): Promise<Me | null> {
  const me = await signedIn();
  if (me === null) return null;
  if (!isSystemAdmin(me)) {
    renderForbidden(t('page.forbidden.adminConsole'));
    return null;
  }
  return me;
}

/** The admin console's own navigation, above each admin page. */
export function adminNav(current: string): HTMLElement {
  const pages: readonly (readonly [string, string])[] = [
    ['/admin/users', t('admin.nav.users')],
    ['/admin/roles', t('admin.nav.roles')],
    ['/admin/eligible', t('admin.nav.eligible')],
    ['/admin/invitations', t('admin.nav.invitations')],
    ['/admin/organizers', t('admin.nav.organizers')],
    ['/admin/webhooks', t('admin.nav.webhooks')],
    ['/admin/audit', t('admin.nav.audit')],
  ];
  return h(
    'nav',
    { class: 'subnav', 'aria-label': t('admin.nav.label') },
    pages.map(([path, label]) => h('a', { href: uiHref(path), 'aria-current': path === current ? 'page' : null }, label)),
  );
}
