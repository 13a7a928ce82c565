/** Development only: GET /dev/outbox shows the mails the log mailer kept (links included). */
import type { FastifyPluginAsync } from 'fastify';
import type { Mailer } from '../../providers/mail.ts';

export const devRoutes: FastifyPluginAsync<{ mailer: Mailer }> = async (app, { mailer }) => {
  app.get('/dev/outbox', { schema: { hide: true } }, async () =>
    mailer.outbox().map((mail) => ({ to: mail.to, subject: mail.subject, text: mail.text, sent_at: mail.sent_at })),
  );
};
