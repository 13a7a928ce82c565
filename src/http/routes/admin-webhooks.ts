/** /admin/webhooks: endpoints, their deliveries, retries, replays and test events (docs/webhooks.md). */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WEBHOOK_EVENT_TYPES } from '../../services/webhook-event-types.ts';
import { actorOf } from '../access.ts';
import { Cursor, Limit, Paginated } from '../admin-schemas.ts';
import type { HttpContext } from '../context.ts';
import { decodeCursor, page } from '../pagination.ts';
import { installAccess } from '../route-access.ts';
import { UuidParam } from '../schemas.ts';
import { WebhookAttemptSchema, WebhookDeliverySchema, WebhookEndpointSchema } from '../webhook-schemas.ts';

const tags = ['admin: webhooks'];

const EndpointParams = Type.Object({ id: UuidParam });
const DeliveryParams = Type.Object({ id: UuidParam, delivery_id: UuidParam });
const EventList = Type.Array(Type.String({ maxLength: 64, description: `An event type (${WEBHOOK_EVENT_TYPES.join(', ')}), or "*" alone for all` }), {
  minItems: 1,
  maxItems: 32,
});
const Url = Type.String({ minLength: 1, maxLength: 2000, description: 'https in production; private addresses only with WEBHOOK_ALLOW_PRIVATE' });
const Description = Type.Union([Type.String({ maxLength: 500 }), Type.Null()]);

export const adminWebhookRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, 'admin');

  app.post(
    '/admin/webhooks',
    {
      schema: {
        tags,
        operationId: 'createWebhook',
        summary: 'Register a webhook endpoint; its signing secret is in this answer only',
        body: Type.Object({ url: Url, events: EventList, description: Type.Optional(Description) }),
        response: { 201: Type.Composite([WebhookEndpointSchema, Type.Object({ secret: Type.String({ description: 'whsec_…: shown once' }) })]) },
      },
    },
    async (request, reply) => {
      const { url, events, description } = request.body;
      const created = await ctx.webhooks.create({ url, events, description: description ?? null }, actorOf(request));
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/admin/webhooks',
    {
      schema: { tags, operationId: 'listWebhooks', summary: 'Webhook endpoints (without their secrets)', response: { 200: Type.Array(WebhookEndpointSchema) } },
    },
    async () => ctx.webhooks.list(),
  );

  app.get(
    '/admin/webhooks/:id',
    {
      config: { errors: ['webhook_not_found'] },
      schema: { tags, operationId: 'getWebhook', summary: 'One webhook endpoint', params: EndpointParams, response: { 200: WebhookEndpointSchema } },
    },
    async (request) => ctx.webhooks.get(request.params.id),
  );

  app.patch(
    '/admin/webhooks/:id',
    {
      config: { errors: ['webhook_not_found'] },
      schema: {
        tags,
        operationId: 'updateWebhook',
        summary: 'Change an endpoint; enabling it again clears its failure record',
        params: EndpointParams,
        body: Type.Object(
          { url: Type.Optional(Url), events: Type.Optional(EventList), description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean()) },
          { minProperties: 1 },
        ),
        response: { 200: WebhookEndpointSchema },
      },
    },
    async (request) => {
      const { url, events, description, enabled } = request.body;
      return ctx.webhooks.update(
        request.params.id,
        {
          ...(url === undefined ? {} : { url }),
          ...(events === undefined ? {} : { events }),
          ...(description === undefined ? {} : { description }),
          ...(enabled === undefined ? {} : { enabled }),
        },
        actorOf(request),
      );
    },
  );

  app.delete(
    '/admin/webhooks/:id',
    {
      config: { errors: ['webhook_not_found'] },
      schema: {
        tags,
        operationId: 'deleteWebhook',
        summary: 'Delete an endpoint; its pending deliveries are dropped',
        params: EndpointParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await ctx.webhooks.remove(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/admin/webhooks/:id/secret',
    {
      config: { errors: ['webhook_not_found'] },
      schema: {
        tags,
        operationId: 'rotateWebhookSecret',
        summary: 'A new signing secret; for 24 hours deliveries carry signatures by both',
        params: EndpointParams,
        response: { 200: Type.Object({ secret: Type.String() }) },
      },
    },
    async (request) => ctx.webhooks.rotateSecret(request.params.id, actorOf(request)),
  );

  app.post(
    '/admin/webhooks/:id/test',
    {
      config: { errors: ['webhook_not_found'] },
      schema: {
        tags,
        operationId: 'testWebhook',
        summary: 'Send a webhook.test event to this endpoint only',
        params: EndpointParams,
        response: { 202: Type.Object({ event_id: Type.String() }) },
      },
    },
    async (request, reply) => reply.code(202).send(await ctx.webhooks.sendTest(request.params.id, actorOf(request))),
  );

  app.get(
    '/admin/webhooks/:id/deliveries',
    {
      config: { errors: ['webhook_not_found'] },
      schema: {
        tags,
        operationId: 'listWebhookDeliveries',
        summary: "An endpoint's deliveries, newest first",
        params: EndpointParams,
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')])),
          limit: Type.Optional(Limit),
          cursor: Type.Optional(Cursor),
        }),
        response: { 200: Paginated(WebhookDeliverySchema) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const before = decodeCursor(request.query.cursor, ['uuid'])?.[0];
      const rows = await ctx.webhooks.deliveries(request.params.id, {
        ...(request.query.status === undefined ? {} : { status: request.query.status }),
        ...(before === undefined ? {} : { beforeId: before }),
        limit: limit + 1,
      });
      return page(rows, limit, (row) => [row.id]);
    },
  );

  app.get(
    '/admin/webhooks/:id/deliveries/:delivery_id',
    {
      config: { errors: ['webhook_not_found', 'delivery_not_found'] },
      schema: {
        tags,
        operationId: 'getWebhookDelivery',
        summary: 'One delivery with each of its attempts',
        params: DeliveryParams,
        response: { 200: Type.Composite([WebhookDeliverySchema, Type.Object({ attempts_list: Type.Array(WebhookAttemptSchema) })]) },
      },
    },
    async (request) => ctx.webhooks.delivery(request.params.id, request.params.delivery_id),
  );

  app.post(
    '/admin/webhooks/:id/deliveries/:delivery_id/retry',
    {
      config: { errors: ['webhook_not_found', 'delivery_not_found'] },
      schema: { tags, operationId: 'retryWebhookDelivery', summary: 'Attempt a delivery again now', params: DeliveryParams, response: { 202: Type.Null() } },
    },
    async (request, reply) => {
      await ctx.webhooks.retry(request.params.id, request.params.delivery_id, actorOf(request));
      return reply.code(202).send(null);
    },
  );

  app.post(
    '/admin/webhooks/:id/replay',
    {
      config: { errors: ['webhook_not_found'] },
      schema: {
        tags,
        operationId: 'replayWebhook',
        summary: 'Deliver again every event this endpoint subscribes to since a time (events are kept 30 days)',
        params: EndpointParams,
        body: Type.Object({ since: Type.String({ format: 'date-time' }) }),
        response: { 202: Type.Object({ queued: Type.Integer() }) },
      },
    },
    async (request, reply) => reply.code(202).send(await ctx.webhooks.replay(request.params.id, new Date(request.body.since), actorOf(request))),
  );
};
