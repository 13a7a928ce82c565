/** Pages for signed-in users and for admins. The API refuses regardless; these only explain. */
import { uiHref } from './config.ts';
import { h, link, notice, render } from './dom.ts';
import { currentUser, goToSignIn, isSystemAdmin, renderNav, type Me } from './session.ts';

/** The signed-in user, or null after sending the visitor to sign in. */
export async function signedIn(): Promise<Me | null> {
  const me = await currentUser();
  renderNav(me);
  if (me === null) goToSignIn();
  return me;
}

export function renderForbidden(what: string): void {
  render('Not allowed', notice(`Your account does not have access to ${what}.`, 'error'), h('p', {}, link(uiHref('/account'), 'Go to my account')));
}

/** The signed-in system admin, or null after showing why not. */
export async function signedInAdmin(): Promise<Me | null> {
  const me = await signedIn();
  if (me === null) return null;
  if (!isSystemAdmin(me)) {
    renderForbidden('the admin console');
    return null;
  }
  return me;
}

/** The admin console's own navigation, above each admin page. */
export function adminNav(current: string): HTMLElement {
  const pages: readonly (readonly [string, string])[] = [
    ['/admin/users', 'Users'],
    ['/admin/roles', 'Roles'],
    ['/admin/eligible', 'Eligible emails'],
    ['/admin/organizers', 'Organizers'],
    ['/admin/audit', 'Audit log'],
  ];
  return h(
    'nav',
    { class: 'subnav', 'aria-label': 'Admin console' },
    pages.map(([path, label]) => h('a', { href: uiHref(path), 'aria-current': path === current ? 'page' : null }, label)),
  );
}
