/**
 * Admin: invitations to the club. Invite one person, invite a CSV file's addresses as a campaign
 * (all or nothing, like the eligible import), look up a campaign's counts, and list invitations
 * with resend and revoke.
 */
import { api } from '../../api.ts';
import { button, h, notice, render, table } from '../../dom.ts';
import { buildForm, fieldError } from '../../forms.ts';
import { adminNav, signedInAdmin } from '../../page-guards.ts';
import { filteredList, queryString, type Page } from '../../pager.ts';
import { t } from '../../i18n.ts';

interface Invitation {
  readonly id: string;
  readonly email: string;
  readonly role_names: readonly string[];
  readonly status: 'pending' | 'accepted' | 'expired' | 'revoked';
  readonly batch_id: string | null;
  readonly expires_at: string;
  readonly send_count: number;
}

interface BulkOutcome {
  readonly invited: number;
  readonly already_members: number;
  readonly already_invited: number;
}

type Counts = Record<'total' | 'pending' | 'accepted' | 'expired' | 'revoked' | 'mails_sent' | 'mails_failed', number>;

function roleList(raw: string | undefined): string[] | undefined {
  const names = (raw ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return names.length === 0 ? undefined : names;
}

function inviteOne(status: HTMLElement, reload: () => Promise<void>): HTMLElement {
  return buildForm({
    label: t('inv.inviteOne'),
    fields: [
      { name: 'email', label: t('admin.email'), type: 'email', required: true, autocomplete: 'off' },
      { name: 'roles', label: t('inv.roles'), hint: t('inv.rolesHint') },
      { name: 'message', label: t('inv.message'), type: 'textarea' },
    ],
    submit: t('inv.send'),
    codeFields: { invitation_conflict: 'email' },
    onSubmit: async (values, element) => {
      const message = (values.message ?? '').trim();
      const invitation = await api<Invitation>('POST', '/admin/invitations', {
        email: values.email ?? '',
        ...(roleList(values.roles) === undefined ? {} : { role_names: roleList(values.roles) }),
        ...(message === '' ? {} : { message }),
      });
      element.reset();
      status.replaceChildren(notice(t('inv.sent', { email: invitation.email }), 'success'));
      await reload();
    },
  });
}

function inviteCsv(status: HTMLElement, reload: () => Promise<void>): HTMLElement {
  return buildForm({
    label: t('inv.campaign'),
    fields: [
      { name: 'file', label: t('elig.csvFile'), type: 'file', accept: '.csv,text/csv,text/plain', required: true, hint: t('elig.csvHint') },
      { name: 'batch_id', label: t('inv.batch'), required: true },
      { name: 'roles', label: t('inv.roles'), hint: t('inv.rolesHint') },
    ],
    submit: t('inv.sendAll'),
    onSubmit: async (values, element) => {
      const file = element.querySelector<HTMLInputElement>('input[type=file]')?.files?.[0];
      if (file === undefined) {
        fieldError(element, 'file', t('elig.chooseFile'));
        return;
      }
      const outcome = await api<BulkOutcome>(
        'POST',
        `/admin/invitations/import${queryString({ batch_id: values.batch_id, role_names: roleList(values.roles)?.join(',') })}`,
        undefined,
        { raw: { body: file, contentType: 'text/csv' } },
      );
      element.reset();
      status.replaceChildren(
        notice(t('inv.campaignSent', { invited: outcome.invited, members: outcome.already_members, invited_before: outcome.already_invited }), 'success'),
      );
      await reload();
    },
  });
}

function campaignCounts(): HTMLElement {
  const result = h('div', { 'aria-live': 'polite' });
  const form = buildForm({
    label: t('inv.counts'),
    inline: true,
    fields: [{ name: 'batch_id', label: t('inv.batch'), required: true }],
    submit: t('inv.show'),
    onSubmit: async (values) => {
      const counts = await api<Counts>('GET', `/admin/invitation-batches/${encodeURIComponent(values.batch_id ?? '')}`);
      const names: (keyof Counts)[] = ['total', 'pending', 'accepted', 'expired', 'revoked', 'mails_sent', 'mails_failed'];
      result.replaceChildren(
        table(
          [t('inv.countsOf'), t('inv.number')],
          names.map((name) => [t(`inv.count.${name}`), String(counts[name])]),
        ),
      );
    },
  });
  return h('section', { 'aria-labelledby': 'counts-heading' }, h('h2', { id: 'counts-heading' }, t('inv.counts')), form, result);
}

export async function invitationsPage(): Promise<void> {
  if ((await signedInAdmin()) === null) return;
  const status = h('div', { 'aria-live': 'polite' });
  const { search, results } = filteredList<Invitation>({
    label: t('inv.find'),
    fields: [
      { name: 'email', label: t('admin.email'), type: 'search' },
      { name: 'batch_id', label: t('inv.batch'), type: 'search' },
      {
        name: 'status',
        label: t('inv.status'),
        type: 'select',
        options: [
          { value: '', label: t('inv.anyStatus') },
          ...(['pending', 'accepted', 'expired', 'revoked'] as const).map((s) => ({ value: s, label: t(`inv.state.${s}`) })),
        ],
      },
    ],
    submit: t('admin.search'),
    load: (filter, cursor) =>
      api<Page<Invitation>>(
        'GET',
        `/admin/invitations${queryString({ email: filter.email, batch_id: filter.batch_id, status: filter.status, limit: 25, cursor })}`,
      ),
    draw: (rows) =>
      table(
        [t('admin.email'), t('inv.roles'), t('inv.status'), t('inv.batch'), t('inv.expires'), ''],
        rows.map((row) => [
          row.email,
          row.role_names.join(', '),
          t(`inv.state.${row.status}`),
          row.batch_id ?? '—',
          new Date(row.expires_at).toLocaleDateString(document.documentElement.lang || undefined),
          row.status === 'pending'
            ? h(
                'div',
                { class: 'actions' },
                button(t('inv.resend'), async () => {
                  await api('POST', `/admin/invitations/${row.id}/resend`).then(
                    () => status.replaceChildren(notice(t('inv.resent', { email: row.email }), 'success')),
                    (error: unknown) => status.replaceChildren(notice(error instanceof Error ? error.message : String(error), 'error')),
                  );
                }),
                button(
                  t('inv.revoke'),
                  async () => {
                    await api('DELETE', `/admin/invitations/${row.id}`);
                    status.replaceChildren(notice(t('inv.revoked', { email: row.email }), 'success'));
                    await results.reload();
                  },
                  { kind: 'danger', label: t('inv.revokeLabel', { email: row.email }) },
                ),
              )
            : '',
        ]),
      ),
    what: t('inv.none'),
  });
  render(
    t('inv.title'),
    adminNav('/admin/invitations'),
    status,
    h(
      'section',
      { 'aria-labelledby': 'one-heading' },
      h('h2', { id: 'one-heading' }, t('inv.inviteOne')),
      inviteOne(status, () => results.reload()),
    ),
    h(
      'section',
      { 'aria-labelledby': 'many-heading' },
      h('h2', { id: 'many-heading' }, t('inv.campaign')),
      inviteCsv(status, () => results.reload()),
    ),
    campaignCounts(),
    h('section', { 'aria-labelledby': 'list-heading' }, h('h2', { id: 'list-heading' }, t('inv.list')), search, results.element),
  );
  await results.reload();
}
