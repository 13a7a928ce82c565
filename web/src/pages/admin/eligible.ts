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
    label: 'Upload a CSV file',
    fields: [
      { name: 'file', label: 'CSV file', type: 'file', accept: '.csv,text/csv,text/plain', required: true, hint: 'An "email" column, or one address a line.' },
      { name: 'batch_id', label: 'Batch (optional)', hint: 'A label for this import, so it can be listed or deleted together.' },
    ],
    submit: 'Preview',
    onSubmit: async (values, element) => {
      const file = element.querySelector<HTMLInputElement>('input[type=file]')?.files?.[0];
      if (file === undefined) {
        fieldError(element, 'file', 'Choose a file first.');
        return;
      }
      const raw = { body: file, contentType: 'text/csv' };
      const result = await api<Preview>('POST', '/admin/eligible-emails/import/preview', undefined, { raw });
      const commit = button(
        `Import ${result.added} new address${result.added === 1 ? '' : 'es'}`,
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
        h('h3', {}, `Preview of ${file.name}`),
        h(
          'ul',
          {},
          h('li', {}, `To add: ${result.added}`),
          h('li', {}, `Already on the list: ${result.already_present}`),
          h('li', {}, `Invalid: ${result.invalid_count}`),
        ),
        result.invalid_count > 0 ? notice('Fix the invalid lines and upload the file again: an import with invalid lines writes nothing.', 'error') : '',
        result.invalid.length > 0
          ? table(
              ['Line', 'Value'],
              result.invalid.map((item) => [String(item.line), item.value]),
              'Invalid lines',
            )
          : '',
        commit,
      );
    },
  });
  return h('section', { 'aria-labelledby': 'upload-heading' }, h('h2', { id: 'upload-heading' }, 'Upload a CSV file'), form, preview);
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
    label: 'Find eligible addresses',
    fields: [
      { name: 'q', label: 'Email contains', type: 'search' },
      { name: 'batch_id', label: 'Batch' },
    ],
    submit: 'Search',
    load: (filter, cursor) => api<Page<Eligible>>('GET', `/admin/eligible-emails${queryString({ q: filter.q, batch_id: filter.batch_id, limit: 50, cursor })}`),
    draw: (rows) =>
      table(
        ['Email', 'Batch', 'Added', ''],
        rows.map((row) => [
          row.email,
          row.batch_id ?? '—',
          formatTime(row.created_at),
          button(
            'Remove',
            async () => {
              if (
                !(await confirmAction({
                  title: `Remove ${row.email}?`,
                  message: `${row.email} can no longer join by magic link (an existing account is not affected).`,
                  confirm: 'Remove address',
                }))
              )
                return;
              await api('DELETE', `/admin/eligible-emails/${encodeURIComponent(row.email)}`).then(() => said(`${row.email} removed.`), failed);
            },
            { kind: 'danger', label: `Remove ${row.email}` },
          ),
        ]),
      ),
    what: 'addresses',
  });
  const addOne = buildForm({
    label: 'Add one address',
    inline: true,
    fields: [
      { name: 'email', label: 'Email address', type: 'email', required: true },
      { name: 'batch_id', label: 'Batch (optional)' },
    ],
    submit: 'Add',
    codeFields: { already_eligible: 'email' },
    onSubmit: async (values, form) => {
      await api('POST', '/admin/eligible-emails', values.batch_id === '' ? { email: values.email } : { email: values.email, batch_id: values.batch_id });
      form.reset();
      await said(`${values.email ?? ''} added.`);
    },
  });
  const deleteBatch = buildForm({
    label: 'Delete a batch',
    inline: true,
    fields: [{ name: 'batch_id', label: 'Batch', required: true }],
    submit: 'Delete batch',
    onSubmit: async (values, form) => {
      if (
        !(await confirmAction({
          title: `Delete batch ${values.batch_id ?? ''}?`,
          message: 'Every address of this import batch leaves the eligible list (existing accounts are not affected).',
          confirm: 'Delete batch',
        }))
      )
        return;
      const done = await api<{ deleted: number }>('DELETE', `/admin/eligible-emails${queryString({ batch_id: values.batch_id })}`);
      form.reset();
      await said(`${done.deleted} address${done.deleted === 1 ? '' : 'es'} removed.`);
    },
  });
  render(
    'Eligible emails',
    adminNav('/admin/eligible'),
    status,
    search,
    results.element,
    h('h2', {}, 'Add one address'),
    addOne,
    csvUpload(said),
    h('h2', {}, 'Delete a batch'),
    deleteBatch,
  );
  await results.reload();
}
