/** The webhook admin API's response shapes (named in the OpenAPI document). */
import { Type } from '@sinclair/typebox';

const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const WebhookEndpointSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  disabled_reason: Type.Union([Type.String(), Type.Null()], { description: 'Why Gatehouse disabled it (5 days of failures), or null' }),
  failing_since: Type.Union([Timestamp, Type.Null()], { description: 'Since when every delivery has failed, or null' }),
  created_at: Timestamp,
});

export const WebhookDeliverySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  event_id: Type.String({ description: 'The webhook-id header of every attempt' }),
  type: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  last_status_code: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  next_attempt_at: NullableTimestamp,
  created_at: Timestamp,
});

export const WebhookAttemptSchema = Type.Object({
  attempted_at: Timestamp,
  status_code: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  duration_ms: Type.Integer(),
  response_body: Type.Union([Type.String({ description: 'The first 4 KiB' }), Type.Null()]),
});
