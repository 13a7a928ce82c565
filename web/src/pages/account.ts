/** "My account": the /me data with memberships, the user's sessions, and changing the password. */
import { api } from '../api.ts';
import { uiHref } from '../config.ts';
import { button, formatTime, h, link, notice, render, table } from '../dom.ts';
import { buildForm } from '../forms.ts';
import { signedIn } from '../page-guards.ts';
import { signOut, type Me, type Membership } from '../session.ts';
import { t } from '../i18n.ts';

interface OwnSession {
  readonly id: string;
  readonly created_at: string;
  readonly last_seen_at: string | null;
  readonly user_agent: string | null;
  /** "Chrome on Linux": the server parses user_agent. */
  readonly device: string | null;
  readonly ip: string | null;
  readonly current: boolean;
}

function membershipRow(membership: Membership): (string | HTMLElement)[] {
  if (membership.type === 'system') return [t('account.clubRole'), membership.role, t(`account.status.${membership.status}`)];
  const name =
    membership.membership_role === 'member' ? membership.organizer_name : link(uiHref(`/organizers/${membership.organizer_uuid}`), membership.organizer_name);
  return [t('account.organizer'), h('span', {}, name, ` (${membership.membership_role})`), t('account.status.active')];
}

function membershipsSection(me: Me): HTMLElement {
  const rows = me.memberships.map(membershipRow);
  return h(
    'section',
    { 'aria-labelledby': 'memberships-heading' },
    h('h2', { id: 'memberships-heading' }, t('account.memberships')),
    rows.length === 0 ? h('p', {}, t('account.noMemberships')) : table([t('account.kind'), t('account.role'), t('account.status')], rows),
  );
}

async function sessionsSection(): Promise<HTMLElement> {
  const section = h('section', { 'aria-labelledby': 'sessions-heading' });
  const refresh = async (message?: string): Promise<void> => {
    const sessions = await api<OwnSession[]>('GET', '/sessions');
    const rows = sessions.map((session) => [
      session.current ? t('account.thisBrowser', { device: session.device ?? t('account.unknownDevice') }) : (session.device ?? t('account.unknownDevice')),
      session.ip ?? '—',
      formatTime(session.created_at),
      formatTime(session.last_seen_at),
      session.current
        ? ''
        : button(t('common.signOut'), () => api('DELETE', `/sessions/${session.id}`).then(() => refresh(t('account.sessionSignedOut'))), {
            label: t('account.signOutSession', { time: formatTime(session.created_at) }),
          }),
    ]);
    section.replaceChildren(
      h('h2', { id: 'sessions-heading' }, t('account.sessions')),
      message === undefined ? '' : notice(message, 'success'),
      table([t('account.device'), t('account.ip'), t('account.signedIn'), t('account.lastSeen'), ''], rows),
      h(
        'div',
        { class: 'actions' },
        button(t('account.signOutOthers'), () => api('DELETE', '/sessions').then(() => refresh(t('account.othersSignedOut')))),
        button(t('common.signOut'), () => signOut(), { kind: 'danger' }),
      ),
    );
  };
  await refresh();
  return section;
}

function passwordSection(): HTMLElement {
  const status = h('div', { 'aria-live': 'polite' });
  const form = buildForm({
    label: t('account.changePassword'),
    fields: [
      {
        name: 'current_password',
        label: t('account.currentPassword'),
        type: 'password',
        autocomplete: 'current-password',
        required: true,
        hint: t('account.currentPasswordHint'),
      },
      { name: 'new_password', label: t('links.newPassword'), type: 'password', autocomplete: 'new-password', required: true, hint: t('links.newPasswordHint') },
    ],
    submit: t('account.changePassword'),
    codeFields: { invalid_credentials: 'current_password' },
    onSubmit: async (values, element) => {
      await api('POST', '/password/change', { current_password: values.current_password, new_password: values.new_password });
      element.reset();
      status.replaceChildren(notice(t('account.passwordChanged'), 'success'));
    },
  });
  return h('section', { 'aria-labelledby': 'password-heading' }, h('h2', { id: 'password-heading' }, t('account.changePassword')), form, status);
}

export async function accountPage(): Promise<void> {
  const me = await signedIn();
  if (me === null) return;
  render(
    t('account.title'),
    h('dl', { class: 'facts' }, h('dt', {}, t('account.email')), h('dd', {}, me.email), h('dt', {}, t('account.name')), h('dd', {}, me.name ?? '—')),
    membershipsSection(me),
    await sessionsSection(),
    passwordSection(),
  );
}
