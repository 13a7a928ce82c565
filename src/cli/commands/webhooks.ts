/**
 * `webhooks list|create|delete|deliveries|replay|test`: webhook endpoints from the command line
 * (docs/webhooks.md). The CLI only queues deliveries (in the transaction that makes them); the
 * service's workers carry them out.
 */
import type { Command } from 'commander';
import { createJobQueue } from '../../jobs/queue.ts';
import { WEBHOOK_DELIVERY } from '../../jobs/webhook-delivery.ts';
import { createWebhookService, type WebhookService } from '../../services/webhooks.ts';
import { withDatabase } from '../context.ts';
import { err, out } from '../io.ts';
import { parseInstant } from './memberships.ts';

const CLI_ACTOR = { actor: 'system' } as const;

async function withWebhooks<T>(work: (service: WebhookService) => Promise<T>): Promise<T> {
  return withDatabase(async ({ config, db }) => {
    const queue = createJobQueue(db, (error) => err(`job queue: ${error.message}`), { maintain: false });
    await queue.start();
    try {
      await queue.createQueue(WEBHOOK_DELIVERY);
      return await work(createWebhookService(db, { config, queue }));
    } finally {
      await queue.stop();
    }
  });
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export function registerWebhookCommands(program: Command): void {
  const webhooks = program.command('webhooks').description('signed webhooks: endpoints and their deliveries');
  webhooks
    .command('list')
    .option('--json', 'print JSON lines')
    .action(async (options: { json?: boolean }) => {
      await withWebhooks(async (service) => {
        for (const endpoint of await service.list()) {
          out(
            options.json === true
              ? JSON.stringify(endpoint)
              : `${endpoint.id}\t${endpoint.enabled ? 'enabled' : `disabled${endpoint.disabled_reason === null ? '' : ` (${endpoint.disabled_reason})`}`}\t${endpoint.url}\t${endpoint.events.join(',')}`,
          );
        }
      });
    });
  webhooks
    .command('create')
    .argument('<url>')
    .option('--events <types>', 'comma-separated event types, or * for all', '*')
    .option('--description <text>')
    .action(async (url: string, options: { events: string; description?: string }) => {
      await withWebhooks(async (service) => {
        const created = await service.create({ url, events: list(options.events), description: options.description ?? null }, CLI_ACTOR);
        out(`Created ${created.id} for ${created.url}`);
        out(`Signing secret (shown once; give it to the receiver): ${created.secret}`);
      });
    });
  webhooks
    .command('delete')
    .argument('<id>')
    .action(async (id: string) => {
      await withWebhooks(async (service) => {
        await service.remove(id, CLI_ACTOR);
        out(`Deleted ${id}`);
      });
    });
  webhooks
    .command('deliveries')
    .argument('<id>')
    .option('--status <status>', 'pending, succeeded or failed')
    .option('--limit <n>', 'how many, newest first', '50')
    .option('--json', 'print JSON lines')
    .action(async (id: string, options: { status?: string; limit: string; json?: boolean }) => {
      const status = options.status;
      if (status !== undefined && status !== 'pending' && status !== 'succeeded' && status !== 'failed')
        throw new Error('--status is pending, succeeded or failed');
      await withWebhooks(async (service) => {
        const limit = Math.max(1, Math.min(500, Number(options.limit) || 50));
        for (const d of await service.deliveries(id, { ...(status === undefined ? {} : { status }), limit })) {
          out(
            options.json === true
              ? JSON.stringify(d)
              : `${d.created_at}\t${d.status}\t${d.type}\t${d.attempts} attempt(s)\t${d.last_status_code ?? '-'}\t${d.last_error ?? ''}\t${d.id}`,
          );
        }
      });
    });
  webhooks
    .command('replay')
    .argument('<id>')
    .requiredOption('--since <time>', 'every event since then (2026-11-30 is midnight UTC, or an ISO date-time)')
    .action(async (id: string, options: { since: string }) => {
      const since = parseInstant('since', options.since);
      await withWebhooks(async (service) => {
        const { queued } = await service.replay(id, since, CLI_ACTOR);
        out(`Queued ${queued} deliveries to ${id}`);
      });
    });
  webhooks
    .command('test')
    .argument('<id>')
    .action(async (id: string) => {
      await withWebhooks(async (service) => {
        const { event_id: eventId } = await service.sendTest(id, CLI_ACTOR);
        out(`Queued a webhook.test event (${eventId})`);
      });
    });
}
