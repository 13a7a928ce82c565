/** Admin: users — search by email, filter by role, and one user's page (status, roles, sessions). */
import { api } from '../../api.ts';
import { uiHref } from '../../config.ts';
import { button, formatTime, h, link, notice, render, table } from '../../dom.ts';
import { confirmDestructive, type ConfirmSpec } from '../../confirm.ts';
import { buildForm } from '../../forms.ts';
import { adminNav, signedInAdmin } from '../../page-guards.ts';
import { filteredList, queryString, type Page } from '../../pager.ts';
import type { Membership, SystemMembership } from '../../session.ts';

interface AdminUser {
  readonly uuid: string;
  readonly email: string;
  readonly name: string | null;
  readonly is_active: boolean;
  readonly is_email_verified: boolean;
  readonly created_at: string;
  readonly memberships: readonly Membership[];
}

export interface Role {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly created_at: string;
}

export function listRoles(): Promise<Role[]> {
  return api<Role[]>('GET', '/admin/roles');
}

function systemRoles(user: AdminUser): SystemMembership[] {
  return user.memberships.filter((membership): membership is SystemMembership => membership.type === 'system');
}

export async function usersPage(): Promise<void> {
  if ((await signedInAdmin()) === null) return;
  const roles = await listRoles();
  const { search, results } = filteredList<AdminUser>({
    label: 'Find users',
    fields: [
      { name: 'email', label: 'Email contains', type: 'search' },
      {
        name: 'role',
        label: 'Role',
        type: 'select',
        options: [{ value: '', label: 'Any role' }, ...roles.map((role) => ({ value: role.name, label: role.name }))],
      },
    ],
    submit: 'Search',
    load: (filter, cursor) => api<Page<AdminUser>>('GET', `/admin/users${queryString({ email: filter.email, role: filter.role, limit: 25, cursor })}`),
    draw: (users) =>
      table(
        ['Email', 'Name', 'Roles', 'Account'],
        users.map((user) => [
          link(uiHref(`/admin/users/${user.uuid}`), user.email),
          user.name ?? '—',
          systemRoles(user)
            .map((membership) => (membership.status === 'active' ? membership.role : `${membership.role} (${membership.status})`))
            .join(', '),
          user.is_active ? 'active' : 'deactivated',
        ]),
      ),
    what: 'users',
  });
  render('Users', adminNav('/admin/users'), addUserForm(), search, results.element);
  await results.reload();
}

/**
 * "Add user": an account now, verified, with the member role (it signs in by magic link). An
 * address on the eligible list is not a user until its first sign-in; adding it lets an admin
 * name it as an organizer member or owner at once.
 */
function addUserForm(): HTMLElement {
  return h(
    'details',
    { class: 'add-user' },
    h('summary', {}, 'Add user'),
    h('p', { class: 'hint' }, 'Creates the account now, with the member role; it signs in by magic link. No mail is sent.'),
    buildForm({
      label: 'Add user',
      fields: [
        { name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'off' },
        { name: 'name', label: 'Name (optional)', type: 'text', autocomplete: 'off' },
      ],
      submit: 'Add user',
      codeFields: { email_taken: 'email' },
      onSubmit: async (values) => {
        const name = (values.name ?? '').trim();
        const user = await api<AdminUser>('POST', '/admin/users', { email: values.email ?? '', ...(name === '' ? {} : { name }) });
        location.assign(uiHref(`/admin/users/${user.uuid}`));
      },
    }),
  );
}

/** A destructive action asks first (twice when it is done to yourself: `self` says what you lose). */
interface Confirmation {
  readonly spec: ConfirmSpec;
  readonly self: { readonly warning: string } | null;
}

/**
 * Runs an admin action (after its confirmation, if any), then redraws the page from the server's
 * answer with `done`, or shows the API's refusal.
 */
type Act = (work: () => Promise<unknown>, done: string, confirmation?: Confirmation) => () => Promise<void>;

function roleActions(user: AdminUser, membership: SystemMembership, act: Act, isSelf: boolean): HTMLElement {
  const path = `/admin/users/${user.uuid}/roles/${encodeURIComponent(membership.role)}`;
  const suspended = membership.status === 'suspended';
  const yourAdmin =
    isSelf && membership.role === 'admin'
      ? { warning: 'You are taking away your own admin role: you lose the admin console at once, and only another admin can give it back.' }
      : null;
  return h(
    'div',
    { class: 'actions' },
    button(
      suspended ? 'Lift suspension' : 'Suspend',
      act(
        () => api('PATCH', path, { is_suspended: !suspended }),
        `${membership.role}: ${suspended ? 'suspension lifted' : 'suspended'}.`,
        suspended
          ? undefined
          : {
              spec: {
                title: `Suspend ${membership.role}?`,
                message: `${user.email} keeps the role but it stops counting until the suspension is lifted.`,
                confirm: `Suspend ${membership.role}`,
              },
              self: yourAdmin,
            },
      ),
      { label: `${suspended ? 'Lift suspension of' : 'Suspend'} role ${membership.role}` },
    ),
    button(
      'Revoke',
      act(() => api('DELETE', path), `${membership.role} revoked.`, {
        spec: {
          title: `Revoke ${membership.role}?`,
          message: `${user.email} loses the ${membership.role} role now; their next request is checked without it.`,
          confirm: `Revoke ${membership.role}`,
        },
        self: yourAdmin,
      }),
      { kind: 'danger', label: `Revoke role ${membership.role}` },
    ),
  );
}

export async function userPage(userId: string): Promise<void> {
  const me = await signedInAdmin();
  if (me === null) return;
  const roles = await listRoles();
  const status = h('div', { 'aria-live': 'polite' });
  const draw = async (message?: string): Promise<void> => {
    const user = await api<AdminUser>('GET', `/admin/users/${encodeURIComponent(userId)}`);
    status.replaceChildren();
    const isSelf = user.uuid === me.uuid;
    const act: Act = (work, done, confirmation) => async () => {
      if (confirmation !== undefined && !(await confirmDestructive(confirmation.spec, isSelf ? confirmation.self : null))) return;
      try {
        await work();
      } catch (error) {
        status.replaceChildren(notice(error instanceof Error ? error.message : String(error), 'error'));
        return;
      }
      // Redraw from the server's answer; when that is refused (you revoked your own admin
      // role), the page says so instead of keeping a table you may no longer act on.
      await draw(done).catch((error: unknown) => render('Not allowed', notice(`${done} ${error instanceof Error ? error.message : String(error)}`, 'error')));
    };
    const grant = buildForm({
      label: 'Grant a role',
      inline: true,
      fields: [{ name: 'role_name', label: 'Role', type: 'select', options: roles.map((role) => ({ value: role.name, label: role.name })) }],
      submit: 'Grant role',
      onSubmit: async (values) => {
        await api('POST', `/admin/users/${user.uuid}/roles`, { role_name: values.role_name });
        await draw(`${values.role_name ?? ''} granted.`);
      },
    });
    const rows = systemRoles(user).map((membership) => [membership.role, membership.status, roleActions(user, membership, act, isSelf)]);
    render(
      user.email,
      adminNav('/admin/users'),
      status,
      message === undefined ? null : notice(message, 'success'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Name'),
        h('dd', {}, user.name ?? '—'),
        h('dt', {}, 'Account'),
        h('dd', {}, user.is_active ? 'active' : 'deactivated'),
        h('dt', {}, 'Email verified'),
        h('dd', {}, user.is_email_verified ? 'yes' : 'no'),
        h('dt', {}, 'Created'),
        h('dd', {}, formatTime(user.created_at)),
      ),
      h(
        'div',
        { class: 'actions' },
        user.is_active
          ? button(
              'Deactivate account',
              act(() => api('PATCH', `/admin/users/${user.uuid}`, { is_active: false }), 'Account deactivated; its sessions are signed out.', {
                spec: {
                  title: 'Deactivate this account?',
                  message: `${user.email} is signed out everywhere and cannot sign in until an admin reactivates the account.`,
                  confirm: 'Deactivate',
                },
                self: {
                  warning: 'You are deactivating your own account: you are signed out at once and cannot sign in again until another admin reactivates it.',
                },
              }),
              { kind: 'danger' },
            )
          : button(
              'Reactivate account',
              act(() => api('PATCH', `/admin/users/${user.uuid}`, { is_active: true }), 'Account reactivated.'),
            ),
        button(
          'Sign out all sessions',
          act(() => api('DELETE', `/admin/users/${user.uuid}/sessions`), 'Every session of this user is signed out.', {
            spec: { title: 'Sign out every session?', message: `Every browser and app signed in as ${user.email} is signed out.`, confirm: 'Sign out all' },
            self: { warning: 'This signs you out too, here and everywhere.' },
          }),
        ),
      ),
      h('h2', {}, 'Club roles'),
      rows.length === 0 ? h('p', {}, 'No roles.') : table(['Role', 'Status', 'Actions'], rows),
      grant,
    );
  };
  await draw();
}
