/** The development outbox page's order and its "superseded" marks (web/src/outbox.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outboxView } from '../web/src/outbox.ts';
import { createTestApp } from './helpers/app.ts';
import { createUser } from './helpers/auth.ts';

describe('the development outbox view', () => {
  it('keeps the API order (newest first) and marks an older link of the same kind to the same address as superseded', async () => {
    const dev = await createTestApp({ env: { LOG_LEVEL: 'silent', NODE_ENV: 'development', DATA_DIR: '/tmp/gatehouse-dev-outbox-view-test' } });
    try {
      const send = (email: string): Promise<unknown> => dev.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email } });
      // Two links to one user, one to another: only the first of the two is retired.
      const db = dev.database.db;
      await createUser(db, 'twice@example.org');
      await createUser(db, 'once@example.org');
      await send('twice@example.org');
      await dev.app.gatehouse.backgroundIdle();
      await send('once@example.org');
      await dev.app.gatehouse.backgroundIdle();
      await send('twice@example.org');
      await dev.app.gatehouse.backgroundIdle();
      const listed = (await dev.app.inject({ method: 'GET', url: '/dev/outbox' })).json<{ to: string; subject: string; text: string; sent_at: string }[]>();
      const view = outboxView(listed);
      assert.deepEqual(
        view.map((mail) => `${mail.to}${mail.superseded ? ' (superseded)' : ''}`),
        ['twice@example.org', 'once@example.org', 'twice@example.org (superseded)'],
      );
      // The top link is the live one: it signs in.
      const token = /token=(gh_[\w-]+)/.exec(view[0]?.text ?? '')?.[1] ?? '';
      assert.equal((await dev.app.inject({ method: 'POST', url: '/v1/auth/authenticate', payload: { token } })).statusCode, 200);
      const retired = /token=(gh_[\w-]+)/.exec(view[2]?.text ?? '')?.[1] ?? '';
      assert.equal((await dev.app.inject({ method: 'POST', url: '/v1/auth/authenticate', payload: { token: retired } })).statusCode, 401);
    } finally {
      await dev.close();
    }
  });
});
