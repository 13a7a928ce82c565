/** Admin: roles — list, create, delete (not the built-in admin and member). */
import { api } from '../../api.ts';
import { button, formatTime, h, notice, render, table } from '../../dom.ts';
import { buildForm } from '../../forms.ts';
import { adminNav, signedInAdmin } from '../../page-guards.ts';
import { listRoles } from './users.ts';
import { confirmAction } from '../../confirm.ts';
import { t } from '../../i18n.ts';

const BUILT_IN = new Set(['admin', 'member']);

export async function rolesPage(): Promise<void> {
  if ((await signedInAdmin()) === null) return;
  const list = h('div', { 'aria-live': 'polite' });
  const draw = async (message?: string): Promise<void> => {
    const roles = await listRoles();
    const remove = (name: string) => async (): Promise<void> => {
      if (!(await confirmAction({ title: t('roles.deleteTitle', { name }), message: t('roles.deleteMessage', { name }), confirm: t('roles.deleteConfirm') })))
        return;
      try {
        await api('DELETE', `/admin/roles/${encodeURIComponent(name)}`);
        await draw(t('roles.deleted', { name }));
      } catch (error) {
        list.prepend(notice(error instanceof Error ? error.message : String(error), 'error'));
      }
    };
    list.replaceChildren(
      message === undefined ? '' : notice(message, 'success'),
      table(
        [t('admin.name'), t('roles.description'), t('admin.created'), ''],
        roles.map((role) => [
          role.name,
          role.description ?? '—',
          formatTime(role.created_at),
          BUILT_IN.has(role.name)
            ? t('admin.builtIn')
            : button(t('admin.delete'), remove(role.name), { kind: 'danger', label: t('roles.deleteRole', { name: role.name }) }),
        ]),
      ),
    );
  };
  const create = buildForm({
    label: t('roles.create'),
    fields: [
      { name: 'name', label: t('admin.name'), required: true, hint: t('roles.nameHint') },
      { name: 'description', label: t('roles.descriptionOptional') },
    ],
    submit: t('roles.createSubmit'),
    codeFields: { role_exists: 'name' },
    onSubmit: async (values, form) => {
      const body: Record<string, string> = { name: values.name ?? '' };
      if (values.description !== undefined && values.description !== '') body.description = values.description;
      await api('POST', '/admin/roles', body);
      form.reset();
      await draw(t('roles.created', { name: body.name ?? '' }));
    },
  });
  render(t('roles.title'), adminNav('/admin/roles'), list, h('h2', {}, t('roles.create')), create);
  await draw();
}
