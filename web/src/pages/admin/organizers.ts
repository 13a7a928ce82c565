/**
 * Organizers: the admin list (create, open) and one organizer's members page, which system
 * admins and the organizer's own owners and admins manage. Members may look; the API decides.
 */
import { api, ApiError } from '../../api.ts';
import { uiHref } from '../../config.ts';
import { button, formatTime, h, link, notice, render, table } from '../../dom.ts';
import { buildForm } from '../../forms.ts';
import { adminNav, renderForbidden, signedIn, signedInAdmin } from '../../page-guards.ts';
import { pager, queryString, type Page } from '../../pager.ts';
import { isSystemAdmin, managedOrganizers } from '../../session.ts';
import { confirmDestructive } from '../../confirm.ts';
import { t } from '../../i18n.ts';

interface Organizer {
  readonly uuid: string;
  readonly name: string;
  readonly created_at: string;
}

interface Member {
  readonly user_uuid: string;
  readonly email: string;
  readonly name: string | null;
  readonly membership_role: 'owner' | 'admin' | 'member';
}

const ORGANIZER_ROLES = [
  { value: 'member', label: 'member' },
  { value: 'admin', label: 'admin' },
  { value: 'owner', label: 'owner' },
] as const;

export async function organizersPage(): Promise<void> {
  if ((await signedInAdmin()) === null) return;
  const status = h('div', { 'aria-live': 'polite' });
  const results = pager<Organizer>(
    (cursor) => api<Page<Organizer>>('GET', `/admin/organizers${queryString({ limit: 50, cursor })}`),
    (rows) =>
      table(
        [t('admin.name'), t('admin.created')],
        rows.map((row) => [link(uiHref(`/organizers/${row.uuid}`), row.name), formatTime(row.created_at)]),
      ),
    t('org.none'),
  );
  const create = buildForm({
    label: t('org.create'),
    fields: [
      { name: 'name', label: t('admin.name'), required: true },
      { name: 'owner_email', label: t('org.ownerEmail'), type: 'email', hint: t('org.ownerHint') },
    ],
    submit: t('org.createSubmit'),
    codeFields: { user_not_found: 'owner_email' },
    onSubmit: async (values, form) => {
      // The API names a missing owner (and says when the address is only on the eligible list).
      const body: Record<string, string> = { name: values.name ?? '' };
      if (values.owner_email !== undefined && values.owner_email !== '') body.owner_email = values.owner_email;
      const created = await api<Organizer>('POST', '/admin/organizers', body);
      form.reset();
      status.replaceChildren(notice(t('org.created', { name: created.name }), 'success'));
      await results.reload();
    },
  });
  render(t('org.title'), adminNav('/admin/organizers'), status, results.element, h('h2', {}, t('org.create')), create);
  await results.reload();
}

/** Runs a change, then redraws with the message `done()` gives (read after the click, not at render). */
type Act = (work: () => Promise<unknown>, done: () => string) => () => Promise<void>;

function memberRow(organizerId: string, member: Member, manage: boolean, act: Act, myUuid: string): (string | HTMLElement)[] {
  const base = `/organizers/${organizerId}/members/${member.user_uuid}`;
  if (!manage) return [member.email, member.name ?? '—', member.membership_role];
  const select = h(
    'select',
    { 'aria-label': t('org.roleOf', { email: member.email }) },
    ORGANIZER_ROLES.map((role) => h('option', { value: role.value, selected: role.value === member.membership_role }, role.label)),
  );
  return [
    member.email,
    member.name ?? '—',
    h(
      'div',
      { class: 'actions' },
      select,
      button(
        t('org.changeRole'),
        act(
          () => api('PATCH', base, { role: select.value }),
          () => t('org.isNow', { email: member.email, role: select.value }),
        ),
        { label: t('org.changeRoleOf', { email: member.email }) },
      ),
      button(
        t('admin.remove'),
        async () => {
          const self = member.user_uuid === myUuid ? { warning: t('org.selfRemove') } : null;
          if (
            await confirmDestructive(
              {
                title: t('org.removeTitle', { email: member.email }),
                message: t('org.removeMessage', { email: member.email, role: member.membership_role }),
                confirm: t('org.removeConfirm'),
              },
              self,
            )
          )
            await act(
              () => api('DELETE', base),
              () => t('org.removed', { email: member.email }),
            )();
        },
        { kind: 'danger', label: t('org.removeOf', { email: member.email }) },
      ),
    ),
  ];
}

/** An address and an organizer role: adding a member, or inviting one. */
function emailAndRoleForm(
  label: string,
  submit: string,
  codeFields: Readonly<Record<string, string>>,
  send: (values: { email: string; role: string }) => Promise<void>,
): HTMLFormElement {
  return buildForm({
    label,
    inline: true,
    fields: [
      { name: 'email', label: t('common.emailAddress'), type: 'email', required: true },
      { name: 'role', label: t('admin.role'), type: 'select', options: ORGANIZER_ROLES, value: 'member' },
    ],
    submit,
    codeFields,
    onSubmit: async (values, form) => {
      await send({ email: values.email ?? '', role: values.role ?? 'member' });
      form.reset();
    },
  });
}

export async function organizerMembersPage(organizerId: string): Promise<void> {
  const me = await signedIn();
  if (me === null) return;
  let organizer: Organizer;
  try {
    organizer = await api<Organizer>('GET', `/organizers/${encodeURIComponent(organizerId)}`);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) return renderForbidden(t('page.forbidden.organizer'));
    throw error;
  }
  const manage = isSystemAdmin(me) || managedOrganizers(me).some((membership) => membership.organizer_uuid === organizer.uuid);
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('div');
  const draw = async (message?: string): Promise<void> => {
    const members = await api<Member[]>('GET', `/organizers/${organizer.uuid}/members`);
    const act: Act = (work, done) => () =>
      work().then(
        // Redraw from the server's answer; refused (you removed yourself), the page says so.
        () => draw(done()).catch(() => renderForbidden(t('page.forbidden.organizer'))),
        (error: unknown) => status.replaceChildren(notice(error instanceof Error ? error.message : String(error), 'error')),
      );
    status.replaceChildren(message === undefined ? '' : notice(message, 'success'));
    list.replaceChildren(
      table(
        [t('admin.email'), t('admin.name'), manage ? t('org.roleAndActions') : t('admin.role')],
        members.map((member) => memberRow(organizer.uuid, member, manage, act, me.uuid)),
      ),
    );
  };
  const add = emailAndRoleForm(t('org.addMember'), t('org.addSubmit'), { user_not_found: 'email', already_member: 'email' }, async (values) => {
    await api('POST', `/organizers/${organizer.uuid}/members`, values);
    await draw(t('admin.added', { email: values.email }));
  });
  // Someone without an account yet: an invitation mails them a link that creates it.
  const invite = emailAndRoleForm(t('org.invite'), t('org.inviteSubmit'), { already_member: 'email', invitation_conflict: 'email' }, async (values) => {
    await api('POST', `/organizers/${organizer.uuid}/invitations`, values);
    status.replaceChildren(notice(t('inv.sent', { email: values.email }), 'success'));
  });
  render(
    organizer.name,
    isSystemAdmin(me) ? adminNav('/admin/organizers') : null,
    status,
    h('h2', {}, t('org.members')),
    list,
    manage ? [h('h2', {}, t('org.addMember')), add, h('h2', {}, t('org.invite')), h('p', { class: 'hint' }, t('org.inviteHint')), invite] : [],
  );
  await draw();
}
