/** The event types a webhook endpoint can subscribe to (docs/webhooks.md lists what each carries). */
export const WEBHOOK_EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deleted',
  'membership.granted',
  'membership.revoked',
  'membership.updated',
  'membership.expiring',
  'membership.expired',
  'organizer.created',
  'organizer.updated',
  'organizer.member.added',
  'organizer.member.updated',
  'organizer.member.removed',
  'invitation.created',
  'invitation.accepted',
  'invitation.revoked',
  'invitation.expired',
  'eligibility.imported',
  'session.revoked_all',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent only by POST /admin/webhooks/{id}/test, to that endpoint alone; not subscribable. */
export const TEST_EVENT_TYPE = 'webhook.test';

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
