/**
 * Admin: the eligible list — search, filter by batch, add one address, upload a CSV with a
 * preview (added / already present / invalid with line numbers) before anything is written,
 * and delete a batch. The import is all-or-nothing, so a file with invalid lines cannot be sent.
 */
import { api } from '../../api.ts';
import { button, formatTime, h, notice, render, table } from '../../dom.ts';
import { buildForm, fieldError } from '../../forms.ts';
import { adminNav, signedInAdmin } from '../../page-guards.ts';
import { filteredList, queryString, type Page } from '../../pager.ts';
import { confirmAction } from '../../confirm.ts';
import { t } from '../../i18n.ts';

interface Eligible {
  readonly email: string;
  readonly batch_id: string | null;
  readonly created_at: string;
}

interface Preview {
  readonly added: number;
  readonly already_present: number;
  readonly invalid_count: number;
  readonly invalid: readonly { readonly line: number; readonly value: string }[];
}

interface ImportResult {
  readonly message: string;
}

function csvUpload(onImported: (message: string) => Promise<void>): HTMLElement {
  const preview = h('div', { 'aria-live': 'polite', class: 'preview' });
  const form = buildForm({
    label: t('elig.upload'),
    fields: [
      { name: 'file', label: t('elig.csvFile'), type: 'file', accept: '.csv,text/csv,text/plain', required: true, hint: t('elig.csvHint') },
      { name: 'batch_id', label: t('admin.batchOptional'), hint: t('elig.batchHint') },
    ],
    submit: t('elig.preview'),
    onSubmit: async (values, element) => {
      const file = element.querySelector<HTMLInputElement>('input[type=file]')?.files?.[0];
      if (file === undefined) {
        fieldError(element, 'file', t('elig.chooseFile'));
        return;
      }
      const raw = { body: file, contentType: 'text/csv' };
      const result = await api<Preview>('POST', '/admin/eligible-emails/import/preview', undefined, { raw });
      const commit = button(
        t(result.added === 1 ? 'elig.importOne' : 'elig.importMany', { count: result.added }),
        async () => {
          commit.disabled = true;
          try {
            const done = await api<ImportResult>('POST', `/admin/eligible-emails/import${queryString({ batch_id: values.batch_id })}`, undefined, { raw });
            element.reset();
            preview.replaceChildren();
            await onImported(done.message);
          } catch (error) {
            commit.disabled = false;
            preview.append(notice(error instanceof Error ? error.message : String(error), 'error'));
          }
        },
        { kind: 'primary' },
      );
      commit.disabled = result.invalid_count > 0 || result.added === 0;
      preview.replaceChildren(
        h('h3', {}, t('elig.previewOf', { file: file.name })),
        h(
          'ul',
          {},
          h('li', {}, t('elig.toAdd', { count: result.added })),
          h('li', {}, t('elig.already', { count: result.already_present })),
          h('li', {}, t('elig.invalid', { count: result.invalid_count })),
        ),
        result.invalid_count > 0 ? notice(t('elig.fixInvalid'), 'error') : '',
        result.invalid.length > 0
          ? table(
              [t('elig.line'), t('elig.value')],
              result.invalid.map((item) => [String(item.line), item.value]),
              t('elig.invalidLines'),
            )
          : '',
        commit,
      );
    },
  });
  return h('section', { 'aria-labelledby': 'upload-heading' }, h('h2', { id: 'upload-heading' }, t('elig.upload')), form, preview);
}

export async function eligiblePage(): Promise<void> {
  if ((await signedInAdmin()) === null) return;
  const status = h('div', { 'aria-live': 'polite' });
  const said = async (message: string): Promise<void> => {
    status.replaceChildren(notice(message, 'success'));
    await results.reload();
  };
  const failed = (error: unknown): void => status.replaceChildren(notice(error instanceof Error ? error.message : String(error), 'error'));
  const { search, results } = filteredList<Eligible>({
    label: t('elig.find'),
    fields: [
      { name: 'q', label: t('admin.emailContains'), type: 'search' },
      { name: 'batch_id', label: t('admin.batch') },
    ],
    submit: t('admin.search'),
    load: (filter, cursor) => api<Page<Eligible>>('GET', `/admin/eligible-emails${queryString({ q: filter.q, batch_id: filter.batch_id, limit: 50, cursor })}`),
    draw: (rows) =>
      table(
        [t('admin.email'), t('admin.batch'), t('elig.addedAt'), ''],
        rows.map((row) => [
          row.email,
          row.batch_id ?? '—',
          formatTime(row.created_at),
          button(
            t('admin.remove'),
            async () => {
              if (
                !(await confirmAction({
                  title: t('elig.removeTitle', { email: row.email }),
                  message: t('elig.removeMessage', { email: row.email }),
                  confirm: t('elig.removeConfirm'),
                }))
              )
                return;
              await api('DELETE', `/admin/eligible-emails/${encodeURIComponent(row.email)}`).then(() => said(t('elig.removed', { email: row.email })), failed);
            },
            { kind: 'danger', label: t('elig.removeOf', { email: row.email }) },
          ),
        ]),
      ),
    what: t('elig.none'),
  });
  const addOne = buildForm({
    label: t('elig.addOne'),
    inline: true,
    fields: [
      { name: 'email', label: t('common.emailAddress'), type: 'email', required: true },
      { name: 'batch_id', label: t('admin.batchOptional') },
    ],
    submit: t('elig.add'),
    codeFields: { already_eligible: 'email' },
    onSubmit: async (values, form) => {
      await api('POST', '/admin/eligible-emails', values.batch_id === '' ? { email: values.email } : { email: values.email, batch_id: values.batch_id });
      form.reset();
      await said(t('admin.added', { email: values.email ?? '' }));
    },
  });
  const deleteBatch = buildForm({
    label: t('elig.deleteBatch'),
    inline: true,
    fields: [{ name: 'batch_id', label: t('admin.batch'), required: true }],
    submit: t('elig.deleteBatchSubmit'),
    onSubmit: async (values, form) => {
      if (
        !(await confirmAction({
          title: t('elig.deleteBatchTitle', { batch: values.batch_id ?? '' }),
          message: t('elig.deleteBatchMessage'),
          confirm: t('elig.deleteBatchSubmit'),
        }))
      )
        return;
      const done = await api<{ deleted: number }>('DELETE', `/admin/eligible-emails${queryString({ batch_id: values.batch_id })}`);
      form.reset();
      await said(t(done.deleted === 1 ? 'elig.removedOne' : 'elig.removedMany', { count: done.deleted }));
    },
  });
  render(
    t('elig.title'),
    adminNav('/admin/eligible'),
    status,
    search,
    results.element,
    h('h2', {}, t('elig.addOne')),
    addOne,
    csvUpload(said),
    h('h2', {}, t('elig.deleteBatch')),
    deleteBatch,
  );
  await results.reload();
}
