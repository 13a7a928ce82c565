/**
 * Webhook delivery, against a real receiver on 127.0.0.1 that verifies every delivery with the
 * `standardwebhooks` package: the admin API, secret rotation, the receiver failing and dying and
 * coming back, the address rule (SSRF) at registration and at delivery, the delivery rules
 * (redirects, timeouts, 4 KiB, the 5-day disable) and a job that ran twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import type { TestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';
import { API, key, names, register, settled, startApp } from './helpers/webhook-app.ts';
import { bySequence, startReceiver, type Receiver } from './helpers/webhook-receiver.ts';

describe('webhook admin API', () => {
  let t: TestApp;
  let receiver: Receiver;

  before(async () => {
    t = await startApp();
    receiver = await startReceiver();
  });
  after(async () => {
    await t.close();
    await receiver.close();
  });

  it('creates (secret once), lists without secrets, updates, tests, shows deliveries with attempts, retries, replays and deletes', async () => {
    const created = await register(t, receiver.url, ['organizer.created']);
    assert.match(created.secret, /^whsec_[A-Za-z0-9+/=]{40,}$/);
    receiver.secrets = [created.secret];
    const listed = await t.app.inject({ method: 'GET', url: `${API}/admin/webhooks`, headers: key });
    assert.equal(listed.statusCode, 200);
    assert.doesNotMatch(listed.body, /whsec_|secret/);
    const stored = await sql<{ secret_sealed: string }>`select secret_sealed from webhook_endpoints`.execute(t.database.db);
    assert.ok(!stored.rows[0]?.secret_sealed.includes(created.secret.slice(6)), 'the secret is sealed at rest');

    const tested = await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks/${created.id}/test`, headers: key });
    assert.equal(tested.statusCode, 202);
    await settled(t);
    assert.deepEqual(
      receiver.events.map((e) => e.type),
      ['webhook.test'],
    );

    receiver.failNext(1);
    await t.app.inject({ method: 'POST', url: `${API}/admin/organizers`, headers: key, payload: { name: 'Delivered' } });
    await settled(t);
    const deliveries = (await t.app.inject({ method: 'GET', url: `${API}/admin/webhooks/${created.id}/deliveries`, headers: key })).json() as {
      items: { id: string; type: string; status: string; attempts: number; last_status_code: number }[];
    };
    const organizerDelivery = deliveries.items.find((d) => d.type === 'organizer.created');
    assert.ok(organizerDelivery);
    assert.deepEqual(
      { status: organizerDelivery.status, attempts: organizerDelivery.attempts, last: organizerDelivery.last_status_code },
      { status: 'succeeded', attempts: 2, last: 204 },
    );
    const detail = (
      await t.app.inject({ method: 'GET', url: `${API}/admin/webhooks/${created.id}/deliveries/${organizerDelivery.id}`, headers: key })
    ).json() as {
      attempts_list: { status_code: number; response_body: string }[];
    };
    assert.deepEqual(
      detail.attempts_list.map((a) => [a.status_code, a.response_body]),
      [
        [500, 'not now'],
        [204, ''],
      ],
    );

    const before = receiver.deliveries.length;
    assert.equal(
      (await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks/${created.id}/deliveries/${organizerDelivery.id}/retry`, headers: key })).statusCode,
      202,
    );
    await settled(t);
    assert.equal(receiver.deliveries.length, before + 1, 'a retry sends it again');
    assert.equal(
      receiver.deliveries.at(-1)?.headers['webhook-id'],
      receiver.events.find((e) => e.type === 'organizer.created')?.id,
      'with the same webhook-id',
    );

    const replay = await t.app.inject({
      method: 'POST',
      url: `${API}/admin/webhooks/${created.id}/replay`,
      headers: key,
      payload: { since: new Date(Date.now() - 60_000).toISOString() },
    });
    assert.equal(replay.statusCode, 202);
    assert.deepEqual(replay.json(), { queued: 1 }, 'only the events it subscribes to (not the test event)');
    await settled(t);
    assert.equal(receiver.deliveries.length, before + 2);

    assert.equal(
      (await t.app.inject({ method: 'PATCH', url: `${API}/admin/webhooks/${created.id}`, headers: key, payload: { enabled: false } })).statusCode,
      200,
    );
    await t.app.inject({ method: 'POST', url: `${API}/admin/organizers`, headers: key, payload: { name: 'Not delivered' } });
    await settled(t);
    assert.equal(receiver.deliveries.length, before + 2, 'a disabled endpoint gets nothing');

    assert.equal((await t.app.inject({ method: 'DELETE', url: `${API}/admin/webhooks/${created.id}`, headers: key })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: `${API}/admin/webhooks/${created.id}`, headers: key })).statusCode, 404);
    const audit = await sql<{ action: string }>`select action from audit_log where action like 'webhook.%' order by created_at`.execute(t.database.db);
    assert.deepEqual(
      audit.rows.map((r) => r.action),
      ['webhook.create', 'webhook.test', 'webhook.delivery.retry', 'webhook.replay', 'webhook.update', 'webhook.delete'],
    );
  });

  it('refuses unknown event types, "*" with others, a replay from the future, and unknown ids', async () => {
    const bad = async (payload: object): Promise<number> =>
      (await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks`, headers: key, payload })).statusCode;
    assert.equal(await bad({ url: receiver.url, events: ['user.exploded'] }), 422);
    assert.equal(await bad({ url: receiver.url, events: ['*', 'user.created'] }), 422);
    assert.equal(await bad({ url: receiver.url, events: [] }), 422);
    assert.equal(await bad({ url: 'ftp://127.0.0.1/x', events: ['*'] }), 422);
    assert.equal(await bad({ url: 'http://user:pass@127.0.0.1/x', events: ['*'] }), 422);
    const { id } = await register(t, receiver.url);
    const future = await t.app.inject({
      method: 'POST',
      url: `${API}/admin/webhooks/${id}/replay`,
      headers: key,
      payload: { since: new Date(Date.now() + 60_000).toISOString() },
    });
    assert.equal(future.statusCode, 422);
    const unknown = '0190a0a0-0000-7000-8000-000000000000';
    assert.equal((await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks/${unknown}/test`, headers: key })).json().code, 'webhook_not_found');
    assert.equal(
      (await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks/${id}/deliveries/${unknown}/retry`, headers: key })).json().code,
      'delivery_not_found',
    );
  });
});

describe('webhook secret rotation', () => {
  it('during the overlap every delivery carries both signatures; after it, only the new one', async () => {
    const t = await startApp();
    const receiver = await startReceiver();
    try {
      const { id, secret: old } = await register(t, receiver.url);
      const rotated = await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks/${id}/secret`, headers: key });
      assert.equal(rotated.statusCode, 200);
      const fresh = (rotated.json() as { secret: string }).secret;
      assert.notEqual(fresh, old);
      receiver.secrets = [old, fresh];
      await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks/${id}/test`, headers: key });
      await settled(t);
      const overlap = receiver.deliveries.at(-1);
      assert.ok(overlap?.verified, 'verified by the old secret and by the new one');
      assert.equal(overlap.headers['webhook-signature']?.split(' ').length, 2);

      await sql`update webhook_endpoints set previous_secret_expires_at = now() - interval '1 second'`.execute(t.database.db);
      receiver.secrets = [fresh];
      await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks/${id}/test`, headers: key });
      await settled(t);
      const afterwards = receiver.deliveries.at(-1);
      assert.ok(afterwards?.verified);
      assert.equal(afterwards.headers['webhook-signature']?.split(' ').length, 1);
      assert.throws(() => new Webhook(old).verify(afterwards.body, afterwards.headers), /signature/i, 'the old secret no longer verifies');
    } finally {
      await t.close();
      await receiver.close();
    }
  });
});

describe('a receiver that fails, dies and comes back', () => {
  it('gets every event, duplicates only by webhook-id, in sequence order per resource after sorting', async () => {
    const t = await startApp();
    const receiver = await startReceiver();
    try {
      receiver.secrets = [(await register(t, receiver.url, ['organizer.created', 'organizer.updated'])).secret];
      await createUser(t.database.db, 'outage-owner@example.org');
      const owner = (await login(t.app, 'outage-owner@example.org')).bearer;
      receiver.failNext(5);
      const made: string[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await t.app.inject({
          method: 'POST',
          url: `${API}/admin/organizers`,
          headers: key,
          payload: { name: `Outage ${i}`, owner_email: 'outage-owner@example.org' },
        });
        made.push((res.json() as { uuid: string }).uuid);
      }
      await receiver.kill();
      for (const [i, uuid] of made.entries()) {
        const res = await t.app.inject({ method: 'PATCH', url: `${API}/organizers/${uuid}`, headers: owner, payload: { name: `Outage ${i} renamed` } });
        assert.equal(res.statusCode, 200, res.body);
      }
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const failing = await sql<{ n: number }>`select count(*)::int as n from webhook_attempts where status_code is null`.execute(t.database.db);
      assert.ok((failing.rows[0]?.n ?? 0) > 0, 'attempts failed while it was down');
      await receiver.revive();
      await receiver.waitFor((events) => events.length === 20, 60_000);
      await settled(t);
      assert.equal(receiver.events.length, 20, 'each event once after deduplication');
      for (const uuid of made) {
        const own = bySequence(receiver.events).filter((e) => (e.data.organizer as { uuid: string }).uuid === uuid);
        assert.deepEqual(
          own.map((e) => e.type),
          ['organizer.created', 'organizer.updated'],
        );
      }
      assert.ok(receiver.deliveries.filter((d) => d.verified === null).length === 5, 'the five 500s were answered');
    } finally {
      await t.close();
      await receiver.close();
    }
  });
});

describe('webhook addresses (SSRF)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ WEBHOOK_ALLOW_PRIVATE: 'false' });
  });
  after(async () => t.close());

  const registerStatus = async (url: string): Promise<{ status: number; msg: string }> => {
    const res = await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks`, headers: key, payload: { url, events: ['*'] } });
    return { status: res.statusCode, msg: res.body };
  };

  it('refuses loopback, metadata and a name resolving to 10.x at registration', async () => {
    for (const url of [
      'http://127.0.0.1:9/hooks',
      'http://[::1]:9/hooks',
      'http://169.254.169.254/latest/meta-data',
      'http://internal.test/hooks',
      'http://localhost.invalid/hooks',
    ]) {
      const answer = await registerStatus(url);
      assert.equal(answer.status, 422, `${url}: ${answer.msg}`);
    }
    assert.equal((await registerStatus('http://public.test/hooks')).status, 201, 'a public address is fine');
  });

  it('metadata stays refused with WEBHOOK_ALLOW_PRIVATE', async () => {
    const open = await startApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
    try {
      const res = await open.app.inject({
        method: 'POST',
        url: `${API}/admin/webhooks`,
        headers: key,
        payload: { url: 'http://169.254.169.254/', events: ['*'] },
      });
      assert.equal(res.statusCode, 422);
      const local = await open.app.inject({
        method: 'POST',
        url: `${API}/admin/webhooks`,
        headers: key,
        payload: { url: 'http://127.0.0.1:9/', events: ['*'] },
      });
      assert.equal(local.statusCode, 201, 'a local receiver is allowed then');
    } finally {
      await open.close();
    }
  });

  it('a name that resolves to a private address at delivery time (DNS rebinding) is not connected to', async () => {
    const receiver = await startReceiver();
    try {
      names.set('rebind.test', '93.184.216.34');
      const res = await t.app.inject({
        method: 'POST',
        url: `${API}/admin/webhooks`,
        headers: key,
        payload: { url: `http://rebind.test:${receiver.port}/hooks`, events: ['*'] },
      });
      assert.equal(res.statusCode, 201, res.body);
      const { id } = res.json() as { id: string };
      names.set('rebind.test', '127.0.0.1');
      await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks/${id}/test`, headers: key });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const list = (await t.app.inject({ method: 'GET', url: `${API}/admin/webhooks/${id}/deliveries`, headers: key })).json() as {
        items: { last_error: string | null; attempts: number }[];
      };
      assert.match(list.items[0]?.last_error ?? '', /may not be delivered to/);
      assert.equal(receiver.deliveries.length, 0, 'nothing reached the loopback receiver');
    } finally {
      names.delete('rebind.test');
      await receiver.close();
    }
  });
});

describe('webhook delivery rules', () => {
  it('a redirect is a failure (never followed), a slow receiver times out, bodies are kept to 4 KiB, and 5 days of failures disable the endpoint', async () => {
    const t = await startApp({ WEBHOOK_TIMEOUT_MS: '300', WEBHOOK_RETRY_SCHEDULE: '1' });
    const followed: string[] = [];
    const { createServer } = await import('node:http');
    const server = createServer((request, response) => {
      request.resume();
      if (request.url === '/redirect') response.writeHead(302, { location: '/followed' }).end();
      else if (request.url === '/followed') {
        followed.push(request.url);
        response.writeHead(204).end();
      } else if (request.url === '/slow') setTimeout(() => response.writeHead(204).end(), 2000);
      else response.writeHead(500).end('x'.repeat(10_000));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const outcome = async (
        path: string,
      ): Promise<{ status: string; attempts: number; last_status_code: number | null; last_error: string | null; id: string }> => {
        const { id } = await register(t, `http://127.0.0.1:${port}${path}`);
        await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks/${id}/test`, headers: key });
        await settled(t);
        const list = (await t.app.inject({ method: 'GET', url: `${API}/admin/webhooks/${id}/deliveries`, headers: key })).json() as {
          items: { status: string; attempts: number; last_status_code: number | null; last_error: string | null }[];
        };
        await t.app.inject({ method: 'DELETE', url: `${API}/admin/webhooks/${id}`, headers: key });
        const first = list.items[0];
        assert.ok(first);
        return { ...first, id };
      };
      const redirect = await outcome('/redirect');
      assert.deepEqual({ status: redirect.status, attempts: redirect.attempts, code: redirect.last_status_code }, { status: 'failed', attempts: 2, code: 302 });
      assert.deepEqual(followed, [], 'the Location was never requested');
      const slow = await outcome('/slow');
      assert.equal(slow.status, 'failed');
      assert.match(slow.last_error ?? '', /no answer within 300 ms/);

      // Failing since six days: the next failure disables the endpoint and says so in the audit log.
      const { id } = await register(t, `http://127.0.0.1:${port}/failing`);
      await sql`update webhook_endpoints set failing_since = now() - interval '6 days' where id = ${id}`.execute(t.database.db);
      await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks/${id}/test`, headers: key });
      await settled(t);
      const endpoint = (await t.app.inject({ method: 'GET', url: `${API}/admin/webhooks/${id}`, headers: key })).json() as {
        enabled: boolean;
        disabled_reason: string;
      };
      assert.deepEqual({ enabled: endpoint.enabled, reason: endpoint.disabled_reason }, { enabled: false, reason: 'failing for 5 days' });
      const audit = await sql<{ actor: string }>`select actor from audit_log where action = 'webhook.disable' and target = ${id}`.execute(t.database.db);
      assert.deepEqual(
        audit.rows.map((r) => r.actor),
        ['system'],
      );
      const kept = await sql<{ n: number }>`select max(length(response_body))::int as n from webhook_attempts where status_code = 500`.execute(t.database.db);
      assert.equal(kept.rows[0]?.n, 4096, 'a 10,000-byte answer is kept to its first 4 KiB');
      const enabled = await t.app.inject({ method: 'PATCH', url: `${API}/admin/webhooks/${id}`, headers: key, payload: { enabled: true } });
      assert.deepEqual(
        (enabled.json() as { failing_since: string | null; disabled_reason: string | null }).failing_since,
        null,
        're-enabling clears the record',
      );

      const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /gatehouse_webhook_deliveries_total\{outcome="failed"\} [1-9]/);
      assert.match(metrics.body, /gatehouse_webhook_deliveries_total\{outcome="retrying"\} [1-9]/);
      assert.match(metrics.body, /gatehouse_webhook_queue_depth 0/);
      assert.match(metrics.body, /gatehouse_webhook_oldest_pending_seconds 0/);
    } finally {
      server.close();
      server.closeAllConnections();
      await t.close();
    }
  });
});

describe('a delivery whose job ran twice', () => {
  it('is leased by one worker, and its attempt recorded once', async () => {
    const t = await startApp();
    const receiver = await startReceiver();
    try {
      const { id, secret } = await register(t, receiver.url);
      receiver.secrets = [secret];
      await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks/${id}/test`, headers: key });
      await settled(t);
      const [delivery] = (await sql<{ id: string }>`select id from webhook_deliveries where endpoint_id = ${id}`.execute(t.database.db)).rows;
      assert.ok(delivery);
      await sql`update webhook_deliveries set status = 'pending', next_attempt_at = now() where id = ${delivery.id}`.execute(t.database.db);
      const { acquireLease, recordDeliveryOutcome } = await import('../src/queries/webhooks.ts');
      const leases = [await acquireLease(t.database.db, id, delivery.id, 4, 30), await acquireLease(t.database.db, id, delivery.id, 4, 30)];
      assert.deepEqual(leases, [true, false], 'the second worker of one delivery gets no lease');
      const outcome = { attempt: 2, status: 'succeeded' as const, statusCode: 204, error: null, nextAttemptAt: null };
      const recorded = await Promise.all([
        recordDeliveryOutcome(t.database.db, delivery.id, outcome),
        recordDeliveryOutcome(t.database.db, delivery.id, outcome),
      ]);
      assert.deepEqual(recorded.sort(), [false, true], 'one of two recordings of attempt 2 counts');
      const row = (await sql<{ attempts: number }>`select attempts from webhook_deliveries where id = ${delivery.id}`.execute(t.database.db)).rows[0];
      assert.equal(row?.attempts, 2);
    } finally {
      await t.close();
      await receiver.close();
    }
  });
});
