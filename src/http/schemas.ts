/** Schemas shared by several routes. */
import { Type } from '@sinclair/typebox';

export const ValidationIssueSchema = Type.Object({
  loc: Type.Array(Type.Union([Type.String(), Type.Number()])),
  msg: Type.String(),
  type: Type.String(),
});

/** Every error: `{"detail", "code"}`; detail is a list for 422 validation errors. */
export const ErrorBody = Type.Object(
  {
    detail: Type.Union([Type.String(), Type.Array(ValidationIssueSchema)]),
    code: Type.String(),
  },
  { additionalProperties: true },
);

/** Emails are plain strings here: they are trimmed and lower-cased before they are checked. */
export const EmailField = Type.String({ minLength: 1, maxLength: 320 });
/** Never trimmed; the 12..256 rule is checked by the service (in code points, not UTF-16 units). */
export const PasswordField = Type.String({ minLength: 1, maxLength: 1024 });
export const TokenField = Type.String({ minLength: 1, maxLength: 2048 });

export const SystemMembershipSchema = Type.Object({
  type: Type.Literal('system'),
  role: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('inactive')]),
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When it stops counting (then status is inactive); null: never' }),
});

export const OrganizerMembershipSchema = Type.Object({
  type: Type.Literal('organizer'),
  organizer_uuid: Type.String({ format: 'uuid' }),
  organizer_name: Type.String(),
  membership_role: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]),
});

/** A membership: a discriminated union on `type`. */
export const MembershipSchema = Type.Union([SystemMembershipSchema, OrganizerMembershipSchema]);

/** The user public view, with its memberships. */
export const UserPublicViewSchema = Type.Object({
  uuid: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: Type.Literal('user'),
  memberships: Type.Array(MembershipSchema),
});

export const LoginResponseSchema = Type.Object({
  uuid: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: Type.Literal('user'),
});

/** /authenticate and /refresh (Tagline's shape, plus the refresh token for bearer clients). */
export const TokenResponseSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  user_roles: Type.Array(Type.String()),
  refresh_token: Type.String(),
  expires_in: Type.Integer(),
});

export const SessionSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  created_at: Type.String({ format: 'date-time' }),
  last_seen_at: Type.String({ format: 'date-time' }),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  /** The client in words ("Chrome on Linux"), parsed from user_agent. */
  device: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
});

export const OwnSessionSchema = Type.Composite([SessionSchema, Type.Object({ current: Type.Boolean() })]);

export const UuidParam = Type.String({ format: 'uuid' });

/** POST /introspect's answer (RFC 7662). */
export const IntrospectionSchema = Type.Object(
  {
    active: Type.Boolean(),
    token_type: Type.Optional(Type.Literal('access_token')),
    sub: Type.Optional(Type.String({ format: 'uuid' })),
    user_id: Type.Optional(Type.String({ format: 'uuid' })),
    email: Type.Optional(Type.String()),
    roles: Type.Optional(Type.Array(Type.String(), { description: 'Effective system roles now (active, not suspended)' })),
    organizers: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]), {
        description: 'Organizer uuid → role now, every membership (never truncated)',
      }),
    ),
    sid: Type.Optional(Type.String({ format: 'uuid' })),
    iss: Type.Optional(Type.String()),
    iat: Type.Optional(Type.Integer()),
    exp: Type.Optional(Type.Integer()),
  },
  { description: 'RFC 7662: only `active: false` for a token that does not work now' },
);
