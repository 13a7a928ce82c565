/** Development only: the mails the log mailer kept, with their links, so sign-in works without SMTP. */
import { api } from '../api.ts';
import { formatTime, h, notice, render } from '../dom.ts';

interface OutboxMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly sent_at: string;
}

/** The text with its URLs as links (built as nodes, so mail text cannot inject markup). */
function withLinks(text: string): (string | HTMLElement)[] {
  return text.split(/(https?:\/\/\S+)/).map((part, index) => (index % 2 === 1 ? h('a', { href: part }, part) : part));
}

export async function devOutboxPage(): Promise<void> {
  const mails = (await api<OutboxMail[]>('GET', '/dev/outbox', undefined, { absolute: true })).slice().reverse();
  render(
    'Development outbox',
    notice('Development mode: these mails were not sent. Newest first.'),
    mails.length === 0 ? h('p', {}, 'No mail yet.') : mails.map((mail) => h('article', { class: 'mail' }, h('h2', {}, mail.subject), h('p', { class: 'hint' }, `To ${mail.to}, ${formatTime(mail.sent_at)}`), h('pre', {}, withLinks(mail.text)))),
  );
}
