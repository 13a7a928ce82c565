/** Schemas of the admin and organizer routes. */
import { Type, type TArray, type TNull, type TObject, type TSchema, type TString, type TUnion } from '@sinclair/typebox';
import { EmailField, UserPublicViewSchema } from './schemas.ts';

export const RoleSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});

export const AdminUserSchema = Type.Composite([
  UserPublicViewSchema,
  Type.Object({ is_active: Type.Boolean(), is_email_verified: Type.Boolean(), created_at: Type.String({ format: 'date-time' }) }),
]);

export const MessageSchema = Type.Object({ message: Type.String() });

export const RoleNameParam = Type.String({ minLength: 1, maxLength: 63 });
export const OrganizerRoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]);

export const EligibleSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  batch_id: Type.Union([Type.String(), Type.Null()]),
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'After it the address admits no new sign-up; null: never' }),
  note: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});

export const BulkResultSchema = Type.Object({ message: Type.String(), added: Type.Integer(), already_present: Type.Integer() });

export const BatchId = Type.String({ minLength: 1, maxLength: 200 });

export const AuditSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  actor: Type.String(),
  /** The actor's email when the actor is a user (actor is their uuid, `api_key` or `system`). */
  actor_email: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  /** What the target names: a user's email or an organizer's name (null for other targets). */
  target_label: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown(),
  after: Type.Unknown(),
  ip: Type.Union([Type.String(), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});

export const OrganizerSchema = Type.Object({ uuid: Type.String({ format: 'uuid' }), name: Type.String(), created_at: Type.String({ format: 'date-time' }) });
export const OrganizerName = Type.String({ minLength: 1, maxLength: 200 });

export const MemberSchema = Type.Object({
  user_uuid: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  membership_role: OrganizerRoleSchema,
});

export const NewMemberBody = Type.Object({
  email: Type.Optional(EmailField),
  user_uuid: Type.Optional(Type.String({ format: 'uuid' })),
  role: OrganizerRoleSchema,
});

export const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 50 });
export const Cursor = Type.String({ maxLength: 1024 });

/** A page of a list: its items (typed: a route cannot answer `{items: 42}`) and the next cursor. */
export type PaginatedSchema<T extends TSchema> = TObject<{ items: TArray<T>; next_cursor: TUnion<[TString, TNull]> }>;

export function Paginated<T extends TSchema>(item: T): PaginatedSchema<T> {
  return Type.Object({ items: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });
}

export const EligibilityRuleSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  domain: Type.String(),
  include_subdomains: Type.Boolean(),
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});
