/** Admin: roles — list, create, delete (not the built-in admin and member). */
import { api } from '../../api.ts';
import { button, formatTime, h, notice, render, table } from '../../dom.ts';
import { buildForm } from '../../forms.ts';
import { adminNav, signedInAdmin } from '../../page-guards.ts';
import { listRoles } from './users.ts';
import { confirmAction } from '../../confirm.ts';

const BUILT_IN = new Set(['admin', 'member']);

export async function rolesPage(): Promise<void> {
  if ((await signedInAdmin()) === null) return;
  const list = h('div', { 'aria-live': 'polite' });
  const draw = async (message?: string): Promise<void> => {
    const roles = await listRoles();
    const remove = (name: string) => async (): Promise<void> => {
      if (!(await confirmAction({ title: `Delete the role ${name}?`, message: `Everyone holding ${name} loses it now.`, confirm: 'Delete role' }))) return;
      try {
        await api('DELETE', `/admin/roles/${encodeURIComponent(name)}`);
        await draw(`Role ${name} deleted.`);
      } catch (error) {
        list.prepend(notice(error instanceof Error ? error.message : String(error), 'error'));
      }
    };
    list.replaceChildren(
      message === undefined ? '' : notice(message, 'success'),
      table(
        ['Name', 'Description', 'Created', ''],
        roles.map((role) => [
          role.name,
          role.description ?? '—',
          formatTime(role.created_at),
          BUILT_IN.has(role.name) ? 'built-in' : button('Delete', remove(role.name), { kind: 'danger', label: `Delete role ${role.name}` }),
        ]),
      ),
    );
  };
  const create = buildForm({
    label: 'Create a role',
    fields: [
      { name: 'name', label: 'Name', required: true, hint: 'Lower-case letters, digits, - and _; starts with a letter.' },
      { name: 'description', label: 'Description (optional)' },
    ],
    submit: 'Create role',
    codeFields: { role_exists: 'name' },
    onSubmit: async (values, form) => {
      const body: Record<string, string> = { name: values.name ?? '' };
      if (values.description !== undefined && values.description !== '') body.description = values.description;
      await api('POST', '/admin/roles', body);
      form.reset();
      await draw(`Role ${body.name} created.`);
    },
  });
  render('Roles', adminNav('/admin/roles'), list, h('h2', {}, 'Create a role'), create);
  await draw();
}
