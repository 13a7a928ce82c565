/** Admin: the audit log, newest first, filtered by actor, target and action. */
import { api } from '../../api.ts';
import { formatTime, h, render, table } from '../../dom.ts';
import { adminNav, signedInAdmin } from '../../page-guards.ts';
import { filteredList, queryString, type Page } from '../../pager.ts';
import { t } from '../../i18n.ts';

interface AuditEntry {
  readonly actor: string;
  readonly actor_email: string | null;
  readonly action: string;
  readonly target: string | null;
  readonly target_label: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly ip: string | null;
  readonly created_at: string;
}

function change(entry: AuditEntry): HTMLElement | string {
  if (entry.before === null && entry.after === null) return '—';
  return h('details', {}, h('summary', {}, t('audit.show')), h('pre', {}, JSON.stringify({ before: entry.before, after: entry.after }, null, 2)));
}

export async function auditPage(): Promise<void> {
  if ((await signedInAdmin()) === null) return;
  const { search, results } = filteredList<AuditEntry>({
    label: t('audit.filter'),
    fields: [
      { name: 'actor', label: t('audit.actor'), hint: t('audit.actorHint') },
      { name: 'target', label: t('audit.target'), hint: t('audit.targetHint') },
      { name: 'action', label: t('audit.action'), hint: t('audit.actionHint') },
    ],
    submit: t('audit.filterSubmit'),
    load: (filter, cursor) =>
      api<Page<AuditEntry>>('GET', `/admin/audit-log${queryString({ actor: filter.actor, target: filter.target, action: filter.action, limit: 50, cursor })}`),
    draw: (rows) =>
      table(
        [t('audit.time'), t('audit.actor'), t('audit.action'), t('audit.target'), 'IP', t('audit.change')],
        rows.map((row) => [
          formatTime(row.created_at),
          row.actor_email ?? row.actor,
          row.action,
          row.target_label ?? row.target ?? '—',
          row.ip ?? '—',
          change(row),
        ]),
      ),
    what: t('audit.none'),
  });
  render(t('audit.title'), adminNav('/admin/audit'), search, results.element);
  await results.reload();
}
