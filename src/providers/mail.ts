/**
 * Outgoing mail: SMTP through nodemailer when SMTP_URL is set; otherwise the message is written to
 * the log and kept in a small in-memory outbox (served at /dev/outbox in development only), so
 * `npm start` alone can complete a sign-in.
 */
import type { FastifyBaseLogger } from 'fastify';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface OutboxEntry extends MailMessage {
  readonly sent_at: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'log';
  send(message: MailMessage): Promise<void>;
  /** The development outbox, newest first (empty for SMTP). */
  outbox(): readonly OutboxEntry[];
  close(): Promise<void>;
}

const OUTBOX_SIZE = 50;

/** nodemailer is imported only when SMTP_URL is set. */
export async function createSmtpMailer(smtpUrl: string, from: string): Promise<Mailer> {
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    kind: 'smtp',
    async send(message): Promise<void> {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text, html: message.html });
    },
    outbox: () => [],
    async close(): Promise<void> {
      transport.close();
    },
  };
}

/**
 * The log mailer. In development it writes whole messages, links included, to the log and keeps
 * them in the outbox: reading the link from the console is the point there. Anywhere else a
 * sign-in link in a log would be a leaked credential, so it logs only that a mail was not sent.
 */
export function createLogMailer(log: () => FastifyBaseLogger, options: { includeBodies: boolean }): Mailer {
  const entries: OutboxEntry[] = [];
  return {
    kind: 'log',
    async send(message): Promise<void> {
      if (!options.includeBodies) {
        log().warn({ mail: { to: message.to, subject: message.subject } }, 'mail NOT sent: SMTP_URL is not set');
        return;
      }
      entries.unshift({ ...message, sent_at: new Date().toISOString() });
      entries.length = Math.min(entries.length, OUTBOX_SIZE);
      log().info({ mail: { to: message.to, subject: message.subject }, body: message.text }, 'mail (no SMTP_URL set: written to the log)');
    },
    outbox: () => entries,
    async close(): Promise<void> {},
  };
}
