/** "My account": the /me data with memberships, the user's sessions, and changing the password. */
import { api } from '../api.ts';
import { uiHref } from '../config.ts';
import { button, formatTime, h, link, notice, render, table } from '../dom.ts';
import { buildForm } from '../forms.ts';
import { signedIn } from '../page-guards.ts';
import { signOut, type Me, type Membership } from '../session.ts';

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
  if (membership.type === 'system') return ['Club role', membership.role, membership.status];
  const name =
    membership.membership_role === 'member' ? membership.organizer_name : link(uiHref(`/organizers/${membership.organizer_uuid}`), membership.organizer_name);
  return ['Organizer', h('span', {}, name, ` (${membership.membership_role})`), 'active'];
}

function membershipsSection(me: Me): HTMLElement {
  const rows = me.memberships.map(membershipRow);
  return h(
    'section',
    { 'aria-labelledby': 'memberships-heading' },
    h('h2', { id: 'memberships-heading' }, 'Memberships'),
    rows.length === 0 ? h('p', {}, 'No memberships yet.') : table(['Kind', 'Role', 'Status'], rows),
  );
}

async function sessionsSection(): Promise<HTMLElement> {
  const section = h('section', { 'aria-labelledby': 'sessions-heading' });
  const refresh = async (message?: string): Promise<void> => {
    const sessions = await api<OwnSession[]>('GET', '/sessions');
    const rows = sessions.map((session) => [
      session.current ? `This browser (${session.device ?? 'unknown device'})` : (session.device ?? 'Unknown device'),
      session.ip ?? '—',
      formatTime(session.created_at),
      formatTime(session.last_seen_at),
      session.current
        ? ''
        : button('Sign out', () => api('DELETE', `/sessions/${session.id}`).then(() => refresh('That session is signed out.')), {
            label: `Sign out the session started ${formatTime(session.created_at)}`,
          }),
    ]);
    section.replaceChildren(
      h('h2', { id: 'sessions-heading' }, 'Where you are signed in'),
      message === undefined ? '' : notice(message, 'success'),
      table(['Device', 'IP address', 'Signed in', 'Last seen', ''], rows),
      h(
        'div',
        { class: 'actions' },
        button('Sign out everywhere else', () => api('DELETE', '/sessions').then(() => refresh('Every other session is signed out.'))),
        button('Sign out', () => signOut(), { kind: 'danger' }),
      ),
    );
  };
  await refresh();
  return section;
}

function passwordSection(): HTMLElement {
  const status = h('div', { 'aria-live': 'polite' });
  const form = buildForm({
    label: 'Change password',
    fields: [
      {
        name: 'current_password',
        label: 'Current password',
        type: 'password',
        autocomplete: 'current-password',
        required: true,
        hint: 'Accounts that only use sign-in links have none: use "Forgot your password?" to set one.',
      },
      { name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password', required: true, hint: 'At least 12 characters.' },
    ],
    submit: 'Change password',
    codeFields: { invalid_credentials: 'current_password' },
    onSubmit: async (values, element) => {
      await api('POST', '/password/change', { current_password: values.current_password, new_password: values.new_password });
      element.reset();
      status.replaceChildren(notice('Password changed. Your other sessions were signed out.', 'success'));
    },
  });
  return h('section', { 'aria-labelledby': 'password-heading' }, h('h2', { id: 'password-heading' }, 'Change password'), form, status);
}

export async function accountPage(): Promise<void> {
  const me = await signedIn();
  if (me === null) return;
  render(
    'My account',
    h('dl', { class: 'facts' }, h('dt', {}, 'Email'), h('dd', {}, me.email), h('dt', {}, 'Name'), h('dd', {}, me.name ?? '—')),
    membershipsSection(me),
    await sessionsSection(),
    passwordSection(),
  );
}
