/** Development only: the mails the log mailer kept, with their links, so sign-in works without SMTP. */
import { api } from '../api.ts';
import { formatTime, h, notice, render } from '../dom.ts';
import { t } from '../i18n.ts';
import { outboxView, type OutboxMail, type ShownMail } from '../outbox.ts';

/** The text with its URLs as links (built as nodes, so mail text cannot inject markup). */
function withLinks(text: string): (string | HTMLElement)[] {
  return text.split(/(https?:\/\/\S+)/).map((part, index) => (index % 2 === 1 ? h('a', { href: part }, part) : part));
}

function mailView(mail: ShownMail): HTMLElement {
  return h(
    'article',
    { class: mail.superseded ? 'mail superseded' : 'mail' },
    h('h2', {}, mail.subject),
    h('p', { class: 'hint' }, t('outbox.to', { to: mail.to, time: formatTime(mail.sent_at) })),
    mail.superseded ? h('p', { class: 'hint' }, t('outbox.superseded')) : '',
    h('pre', {}, withLinks(mail.text)),
  );
}

export async function devOutboxPage(): Promise<void> {
  // The API lists the outbox newest first.
  const mails = outboxView(await api<OutboxMail[]>('GET', '/dev/outbox', undefined, { absolute: true }));
  render(t('outbox.title'), notice(t('outbox.notice')), mails.length === 0 ? h('p', {}, t('outbox.empty')) : mails.map(mailView));
}
