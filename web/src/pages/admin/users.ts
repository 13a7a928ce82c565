/** Admin: users — search by email, filter by role, and one user's page (status, roles, sessions). */
import { api } from '../../api.ts';
import { uiHref } from '../../config.ts';
import { button, formatTime, h, link, notice, render, table } from '../../dom.ts';
import { confirmDestructive, type ConfirmSpec } from '../../confirm.ts';
import { buildForm } from '../../forms.ts';
import { adminNav, signedInAdmin } from '../../page-guards.ts';
import { filteredList, queryString, type Page } from '../../pager.ts';
import type { Membership, SystemMembership } from '../../session.ts';
import { t } from '../../i18n.ts';

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
    label: t('users.find'),
    fields: [
      { name: 'email', label: t('admin.emailContains'), type: 'search' },
      {
        name: 'role',
        label: t('admin.role'),
        type: 'select',
        options: [{ value: '', label: t('users.anyRole') }, ...roles.map((role) => ({ value: role.name, label: role.name }))],
      },
    ],
    submit: t('admin.search'),
    load: (filter, cursor) => api<Page<AdminUser>>('GET', `/admin/users${queryString({ email: filter.email, role: filter.role, limit: 25, cursor })}`),
    draw: (users) =>
      table(
        [t('admin.email'), t('admin.name'), t('users.roles'), t('users.account')],
        users.map((user) => [
          link(uiHref(`/admin/users/${user.uuid}`), user.email),
          user.name ?? '—',
          systemRoles(user)
            .map((membership) =>
              membership.status === 'active' && !membership.expires_at ? membership.role : `${membership.role} (${statusWithExpiry(membership)})`,
            )
            .join(', '),
          user.is_active ? t('users.active') : t('users.deactivated'),
        ]),
      ),
    what: t('users.none'),
  });
  const invite = h('p', {}, link(uiHref('/admin/invitations'), t('users.invite')));
  render(
    t('users.title'),
    adminNav('/admin/users'),
    addUserForm(),
    renewalForm(roles, () => results.reload()),
    invite,
    search,
    results.element,
  );
  await results.reload();
}

/**
 * The yearly renewal: these members (their addresses, one a line) hold the role until the day
 * chosen, granted where missing. All or nothing: an unknown address refuses the whole list.
 */
function renewalForm(roles: readonly Role[], reload: () => Promise<void>): HTMLElement {
  const status = h('div', { 'aria-live': 'polite' });
  return h(
    'details',
    { class: 'renewal' },
    h('summary', {}, t('users.renewal')),
    h('p', { class: 'hint' }, t('users.renewalHint')),
    buildForm({
      label: t('users.renewal'),
      fields: [
        { name: 'role', label: t('admin.role'), type: 'select', options: roles.map((role) => ({ value: role.name, label: role.name })), value: 'member' },
        { name: 'until', label: t('users.renewUntil'), type: 'date', required: true },
        { name: 'emails', label: t('users.renewEmails'), type: 'textarea', required: true, hint: t('users.renewEmailsHint') },
      ],
      submit: t('users.renewSubmit'),
      onSubmit: async (values, form) => {
        const emails = (values.emails ?? '')
          .split(/[\s,;]+/)
          .map((email) => email.trim())
          .filter((email) => email !== '');
        const counts = await api<{ renewed: number; granted: number }>('POST', '/admin/memberships/renew', {
          role_name: values.role,
          expires_at: dayToInstant(values.until ?? ''),
          emails,
        });
        form.reset();
        status.replaceChildren(notice(t('users.renewed', { renewed: counts.renewed, granted: counts.granted, role: values.role ?? '' }), 'success'));
        await reload();
      },
    }),
    status,
  );
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
    h('summary', {}, t('users.add')),
    h('p', { class: 'hint' }, t('users.addHint')),
    buildForm({
      label: t('users.add'),
      fields: [
        { name: 'email', label: t('admin.email'), type: 'email', required: true, autocomplete: 'off' },
        { name: 'name', label: t('admin.nameOptional'), type: 'text', autocomplete: 'off' },
      ],
      submit: t('users.add'),
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

/** A date picked in the console (a day) as the instant it ends: midnight UTC that day. */
function dayToInstant(day: string): string {
  return `${day}T00:00:00Z`;
}

/** The membership's status, with its end when it has one. */
function statusWithExpiry(membership: SystemMembership): string {
  if (membership.expires_at === undefined || membership.expires_at === null) return membership.status;
  return `${membership.status} · ${t('users.until', { date: new Date(membership.expires_at).toLocaleDateString(document.documentElement.lang || undefined) })}`;
}

/** Renew or end: set the day the membership stops counting, or make it never expire. */
function expiryControls(path: string, membership: SystemMembership, act: Act): HTMLElement {
  const form = buildForm({
    label: t('users.expiryOf', { role: membership.role }),
    inline: true,
    fields: [{ name: 'until', label: t('users.expiresOn', { role: membership.role }), type: 'date', required: true }],
    submit: t('users.setExpiry'),
    onSubmit: async (values) => {
      await act(() => api('PATCH', path, { expires_at: dayToInstant(values.until ?? '') }), t('users.expirySet', { role: membership.role }))();
    },
  });
  const never =
    membership.expires_at === undefined || membership.expires_at === null
      ? null
      : button(
          t('users.neverExpires'),
          act(() => api('PATCH', path, { expires_at: null }), t('users.expiryCleared', { role: membership.role })),
          {
            label: t('users.neverExpiresOf', { role: membership.role }),
          },
        );
  return h('div', { class: 'expiry' }, form, never);
}

function roleActions(user: AdminUser, membership: SystemMembership, act: Act, isSelf: boolean): HTMLElement {
  const path = `/admin/users/${user.uuid}/roles/${encodeURIComponent(membership.role)}`;
  const suspended = membership.status === 'suspended';
  const yourAdmin = isSelf && membership.role === 'admin' ? { warning: t('users.selfAdmin') } : null;
  return h(
    'div',
    { class: 'actions' },
    button(
      suspended ? t('users.liftSuspension') : t('users.suspend'),
      act(
        () => api('PATCH', path, { is_suspended: !suspended }),
        t(suspended ? 'users.suspensionLifted' : 'users.suspended', { role: membership.role }),
        suspended
          ? undefined
          : {
              spec: {
                title: t('users.suspendTitle', { role: membership.role }),
                message: t('users.suspendMessage', { email: user.email }),
                confirm: t('users.suspendConfirm', { role: membership.role }),
              },
              self: yourAdmin,
            },
      ),
      { label: t(suspended ? 'users.liftSuspensionOf' : 'users.suspendRole', { role: membership.role }) },
    ),
    button(
      t('users.revoke'),
      act(() => api('DELETE', path), t('users.revoked', { role: membership.role }), {
        spec: {
          title: `Revoke ${membership.role}?`,
          message: `${user.email} loses the ${membership.role} role now; their next request is checked without it.`,
          confirm: `Revoke ${membership.role}`,
        },
        self: yourAdmin,
      }),
      { kind: 'danger', label: t('users.revokeRole', { role: membership.role }) },
    ),
    expiryControls(path, membership, act),
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
      await draw(done).catch((error: unknown) =>
        render(
          t('page.forbidden.title'),
          notice(t('admin.notAllowedAfter', { done, reason: error instanceof Error ? error.message : String(error) }), 'error'),
        ),
      );
    };
    const grant = buildForm({
      label: t('users.grant'),
      inline: true,
      fields: [
        { name: 'role_name', label: t('admin.role'), type: 'select', options: roles.map((role) => ({ value: role.name, label: role.name })) },
        { name: 'until', label: t('users.untilOptional'), type: 'date' },
      ],
      submit: t('users.grantSubmit'),
      onSubmit: async (values) => {
        const until = values.until ?? '';
        await api('POST', `/admin/users/${user.uuid}/roles`, { role_name: values.role_name, ...(until === '' ? {} : { expires_at: dayToInstant(until) }) });
        await draw(t('users.granted', { role: values.role_name ?? '' }));
      },
    });
    const rows = systemRoles(user).map((membership) => [membership.role, statusWithExpiry(membership), roleActions(user, membership, act, isSelf)]);
    render(
      user.email,
      adminNav('/admin/users'),
      status,
      message === undefined ? null : notice(message, 'success'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('admin.name')),
        h('dd', {}, user.name ?? '—'),
        h('dt', {}, t('users.account')),
        h('dd', {}, user.is_active ? 'active' : 'deactivated'),
        h('dt', {}, t('users.emailVerified')),
        h('dd', {}, user.is_email_verified ? 'yes' : 'no'),
        h('dt', {}, t('admin.created')),
        h('dd', {}, formatTime(user.created_at)),
      ),
      h(
        'div',
        { class: 'actions' },
        user.is_active
          ? button(
              t('users.deactivate'),
              act(() => api('PATCH', `/admin/users/${user.uuid}`, { is_active: false }), t('users.deactivated.done'), {
                spec: {
                  title: t('users.deactivateTitle'),
                  message: t('users.deactivateMessage', { email: user.email }),
                  confirm: t('users.deactivateConfirm'),
                },
                self: {
                  warning: t('users.selfDeactivate'),
                },
              }),
              { kind: 'danger' },
            )
          : button(
              t('users.reactivate'),
              act(() => api('PATCH', `/admin/users/${user.uuid}`, { is_active: true }), t('users.reactivated')),
            ),
        button(
          t('users.signOutAll'),
          act(() => api('DELETE', `/admin/users/${user.uuid}/sessions`), t('users.signedOutAll'), {
            spec: { title: t('users.signOutAllTitle'), message: t('users.signOutAllMessage', { email: user.email }), confirm: t('users.signOutAllConfirm') },
            self: { warning: t('users.selfSignOut') },
          }),
        ),
      ),
      h('h2', {}, t('users.clubRoles')),
      rows.length === 0 ? h('p', {}, t('users.noRoles')) : table([t('admin.role'), t('users.status'), t('users.actions')], rows),
      grant,
    );
  };
  await draw();
}
