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

interface ImportPreview extends BulkOutcome {
  readonly invalid_count: number;
  readonly invalid: readonly { line: number; value: string }[];
}

/**
 * A CSV campaign in two steps, as the eligible import: the preview says what the file would do
 * (who is invited, who is a member or invited already, which lines are invalid); only a file
 * without invalid lines can then be sent, all or nothing.
 */
function inviteCsv(status: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const preview = h('div', { 'aria-live': 'polite', class: 'preview' });
  const form = buildForm({
    label: t('inv.campaign'),
    fields: [
      { name: 'file', label: t('elig.csvFile'), type: 'file', accept: '.csv,text/csv,text/plain', required: true, hint: t('elig.csvHint') },
      { name: 'batch_id', label: t('inv.batch'), required: true },
      { name: 'roles', label: t('inv.roles'), hint: t('inv.rolesHint') },
    ],
    submit: t('elig.preview'),
    onSubmit: async (values, element) => {
      const file = element.querySelector<HTMLInputElement>('input[type=file]')?.files?.[0];
      if (file === undefined) {
        fieldError(element, 'file', t('elig.chooseFile'));
        return;
      }
      const raw = { body: file, contentType: 'text/csv' };
      const roles = roleList(values.roles)?.join(',');
      const result = await api<ImportPreview>('POST', `/admin/invitations/import/preview${queryString({ role_names: roles })}`, undefined, { raw });
      const summary = notice(
        t('inv.previewSays', { invited: result.invited, members: result.already_members, invited_before: result.already_invited }),
        'info',
      );
      if (result.invalid_count > 0) {
        const lines = table(
          [t('elig.line'), t('elig.value')],
          result.invalid.map((item) => [String(item.line), item.value]),
        );
        preview.replaceChildren(summary, notice(t('inv.fixFirst', { count: result.invalid_count }), 'error'), lines);
        return;
      }
      const send = button(
        t('inv.sendAllCount', { count: result.invited }),
        async () => {
          send.disabled = true;
          try {
            const outcome = await api<BulkOutcome>(
              'POST',
              `/admin/invitations/import${queryString({ batch_id: values.batch_id, role_names: roles })}`,
              undefined,
              { raw },
            );
            element.reset();
            preview.replaceChildren();
            status.replaceChildren(
              notice(t('inv.campaignSent', { invited: outcome.invited, members: outcome.already_members, invited_before: outcome.already_invited }), 'success'),
            );
            await reload();
          } catch (error) {
            send.disabled = false;
            preview.append(notice(error instanceof Error ? error.message : String(error), 'error'));
          }
        },
        { kind: 'primary' },
      );
      preview.replaceChildren(summary, send);
    },
  });
  return h('div', {}, form, preview);
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
