/**
 * Admin: webhooks — the endpoints (create, with the secret shown once; test, enable or disable,
 * delete), and one endpoint's deliveries with each attempt, retry and replay since a time.
 */
import { api } from '../../api.ts';
import { uiHref } from '../../config.ts';
import { confirmAction } from '../../confirm.ts';
import { button, formatTime, h, link, notice, render, table } from '../../dom.ts';
import { buildForm } from '../../forms.ts';
import { t } from '../../i18n.ts';
import { adminNav, signedInAdmin } from '../../page-guards.ts';
import { pager, queryString, type Page } from '../../pager.ts';

interface Endpoint {
  readonly id: string;
  readonly url: string;
  readonly events: string[];
  readonly description: string | null;
  readonly enabled: boolean;
  readonly disabled_reason: string | null;
  readonly failing_since: string | null;
  readonly created_at: string;
}

interface Delivery {
  readonly id: string;
  readonly event_id: string;
  readonly type: string;
  readonly status: 'pending' | 'succeeded' | 'failed';
  readonly attempts: number;
  readonly last_status_code: number | null;
  readonly last_error: string | null;
  readonly next_attempt_at: string | null;
  readonly created_at: string;
}

interface Attempt {
  readonly attempted_at: string;
  readonly status_code: number | null;
  readonly error: string | null;
  readonly duration_ms: number;
  readonly response_body: string | null;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function state(endpoint: Endpoint): HTMLElement {
  if (!endpoint.enabled) {
    return h(
      'span',
      { class: 'badge badge-danger' },
      endpoint.disabled_reason === null ? t('webhooks.disabled') : t('webhooks.disabledBecause', { reason: endpoint.disabled_reason }),
    );
  }
  if (endpoint.failing_since !== null)
    return h('span', { class: 'badge badge-warning' }, t('webhooks.failingSince', { time: formatTime(endpoint.failing_since) }));
  return h('span', { class: 'badge' }, t('webhooks.enabled'));
}

export async function webhooksPage(): Promise<void> {
  if ((await signedInAdmin()) === null) return;
  const list = h('div', { 'aria-live': 'polite' });
  const secretBox = h('div', { 'aria-live': 'polite' });
  const draw = async (message?: string): Promise<void> => {
    const endpoints = await api<Endpoint[]>('GET', '/admin/webhooks');
    const act = (work: () => Promise<unknown>, done: string) => async (): Promise<void> => {
      try {
        await work();
        await draw(done);
      } catch (error) {
        list.prepend(notice(errorText(error), 'error'));
      }
    };
    const remove = (endpoint: Endpoint) => async (): Promise<void> => {
      const confirmed = await confirmAction({
        title: t('webhooks.deleteTitle'),
        message: t('webhooks.deleteMessage', { url: endpoint.url }),
        confirm: t('webhooks.deleteConfirm'),
      });
      if (confirmed) await act(() => api('DELETE', `/admin/webhooks/${endpoint.id}`), t('webhooks.deleted', { url: endpoint.url }))();
    };
    list.replaceChildren(
      message === undefined ? '' : notice(message, 'success'),
      endpoints.length === 0
        ? notice(t('webhooks.none'))
        : table(
            [t('webhooks.url'), t('webhooks.events'), t('webhooks.state'), t('admin.created'), ''],
            endpoints.map((endpoint) => [
              h(
                'span',
                {},
                link(uiHref(`/admin/webhooks/${endpoint.id}`), endpoint.url),
                endpoint.description === null ? '' : h('span', { class: 'hint' }, ` ${endpoint.description}`),
              ),
              endpoint.events.join(', '),
              state(endpoint),
              formatTime(endpoint.created_at),
              h(
                'div',
                { class: 'actions' },
                button(
                  t('webhooks.test'),
                  act(() => api('POST', `/admin/webhooks/${endpoint.id}/test`), t('webhooks.testSent', { url: endpoint.url })),
                  {
                    label: t('webhooks.testLabel', { url: endpoint.url }),
                  },
                ),
                button(
                  endpoint.enabled ? t('webhooks.disable') : t('webhooks.enable'),
                  act(
                    () => api('PATCH', `/admin/webhooks/${endpoint.id}`, { enabled: !endpoint.enabled }),
                    endpoint.enabled ? t('webhooks.disabledDone') : t('webhooks.enabledDone'),
                  ),
                ),
                button(t('admin.delete'), remove(endpoint), { kind: 'danger', label: t('webhooks.deleteLabel', { url: endpoint.url }) }),
              ),
            ]),
          ),
    );
  };
  const create = buildForm({
    label: t('webhooks.create'),
    fields: [
      { name: 'url', label: t('webhooks.url'), required: true, hint: t('webhooks.urlHint') },
      { name: 'events', label: t('webhooks.events'), value: '*', hint: t('webhooks.eventsHint') },
      { name: 'description', label: t('roles.descriptionOptional') },
    ],
    submit: t('webhooks.createSubmit'),
    onSubmit: async (values, form) => {
      const events = (values.events ?? '*')
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
      const body: Record<string, unknown> = { url: values.url ?? '', events: events.length === 0 ? ['*'] : events };
      if (values.description !== undefined && values.description !== '') body.description = values.description;
      const created = await api<Endpoint & { secret: string }>('POST', '/admin/webhooks', body);
      form.reset();
      secretBox.replaceChildren(notice(t('webhooks.secretOnce'), 'success'), h('p', {}, h('code', { class: 'secret' }, created.secret)));
      await draw(t('webhooks.created', { url: created.url }));
    },
  });
  render(t('webhooks.title'), adminNav('/admin/webhooks'), h('p', {}, t('webhooks.intro')), list, h('h2', {}, t('webhooks.create')), secretBox, create);
  await draw();
}

/** The answer in words: the status (with the error only when it says more), or the error. */
function answerText(statusCode: number | null, error: string | null): string {
  if (statusCode === null) return error ?? '—';
  return error === null || error === `HTTP ${statusCode}` ? String(statusCode) : `${statusCode} (${error})`;
}

/** Each attempt on a line of its own (a table would not fit in the row's last cell). */
function attemptsList(attempts: readonly Attempt[]): HTMLElement {
  return h(
    'ol',
    { class: 'attempts' },
    attempts.map((a) =>
      h(
        'li',
        {},
        t('webhooks.attemptLine', { time: formatTime(a.attempted_at), answer: answerText(a.status_code, a.error), ms: a.duration_ms }),
        a.response_body === null || a.response_body === '' ? '' : h('code', {}, ` ${a.response_body.slice(0, 200)}`),
      ),
    ),
  );
}

export async function webhookDeliveriesPage(id: string): Promise<void> {
  if ((await signedInAdmin()) === null) return;
  const endpoint = await api<Endpoint>('GET', `/admin/webhooks/${encodeURIComponent(id)}`);
  const messages = h('div', { 'aria-live': 'polite' });
  let status = '';
  const details = (delivery: Delivery): HTMLElement => {
    const box = h('details', {}, h('summary', {}, t('webhooks.attempts', { count: delivery.attempts })));
    box.addEventListener('toggle', () => {
      if (!box.open || box.dataset.loaded === 'yes') return;
      box.dataset.loaded = 'yes';
      void api<Delivery & { attempts_list: Attempt[] }>('GET', `/admin/webhooks/${endpoint.id}/deliveries/${delivery.id}`).then(
        (full) => box.append(full.attempts_list.length === 0 ? notice(t('webhooks.noAttempts')) : attemptsList(full.attempts_list)),
        (error: unknown) => box.append(notice(errorText(error), 'error')),
      );
    });
    return box;
  };
  const retry = (delivery: Delivery) => async (): Promise<void> => {
    try {
      await api('POST', `/admin/webhooks/${endpoint.id}/deliveries/${delivery.id}/retry`);
      messages.replaceChildren(notice(t('webhooks.retried'), 'success'));
      await deliveries.reload();
    } catch (error) {
      messages.replaceChildren(notice(errorText(error), 'error'));
    }
  };
  const deliveries = pager<Delivery>(
    (cursor) => api<Page<Delivery>>('GET', `/admin/webhooks/${endpoint.id}/deliveries${queryString({ status, cursor, limit: 25 })}`),
    (items) =>
      table(
        [t('webhooks.event'), t('webhooks.status'), t('webhooks.lastAnswer'), t('webhooks.nextAttempt'), t('admin.created'), ''],
        items.map((d) => [
          h('span', {}, d.type, h('br'), h('code', { class: 'hint' }, d.event_id)),
          t(`webhooks.status.${d.status}`),
          answerText(d.last_status_code, d.last_error),
          d.next_attempt_at === null ? '—' : formatTime(d.next_attempt_at),
          formatTime(d.created_at),
          h('div', {}, d.status === 'pending' ? '' : button(t('webhooks.retry'), retry(d), { label: t('webhooks.retryLabel', { type: d.type }) }), details(d)),
        ]),
      ),
    t('webhooks.noDeliveries'),
  );
  const filter = buildForm({
    label: t('webhooks.filter'),
    inline: true,
    fields: [
      {
        name: 'status',
        label: t('webhooks.status'),
        type: 'select',
        options: [
          { value: '', label: t('webhooks.status.any') },
          { value: 'pending', label: t('webhooks.status.pending') },
          { value: 'succeeded', label: t('webhooks.status.succeeded') },
          { value: 'failed', label: t('webhooks.status.failed') },
        ],
      },
    ],
    submit: t('admin.search'),
    onSubmit: async (values) => {
      status = values.status ?? '';
      await deliveries.reload();
    },
  });
  const replay = buildForm({
    label: t('webhooks.replay'),
    inline: true,
    fields: [{ name: 'since', label: t('webhooks.since'), type: 'date', required: true, hint: t('webhooks.sinceHint') }],
    submit: t('webhooks.replaySubmit'),
    onSubmit: async (values) => {
      const since = new Date(`${values.since ?? ''}T00:00:00Z`).toISOString();
      const answer = await api<{ queued: number }>('POST', `/admin/webhooks/${endpoint.id}/replay`, { since });
      messages.replaceChildren(notice(t('webhooks.replayed', { count: answer.queued }), 'success'));
      await deliveries.reload();
    },
  });
  render(
    t('webhooks.deliveriesTitle', { url: endpoint.url }),
    adminNav('/admin/webhooks'),
    h('p', {}, link(uiHref('/admin/webhooks'), t('webhooks.back')), ' · ', state(endpoint), ' · ', endpoint.events.join(', ')),
    messages,
    filter,
    deliveries.element,
    h('h2', {}, t('webhooks.replay')),
    replay,
  );
  await deliveries.reload();
}
