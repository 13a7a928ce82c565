/**
 * The OpenAPI document (/openapi.json, /docs) as a contract: every operation gets its security
 * requirement and every status it can answer from the route's declaration (route-contract.ts),
 * every error answer references one `Error` component, and the shared schemas are named
 * components. Routes write only what is theirs: operationId, summary, tags, their schemas.
 */
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { TSchema } from '@sinclair/typebox';
import { ERROR_CATALOG } from '../errors.ts';
import {
  AdminUserSchema,
  AuditSchema,
  BulkResultSchema,
  EligibilityRuleSchema,
  EligibleSchema,
  MemberSchema,
  MessageSchema,
  OrganizerSchema,
  Paginated,
  RoleSchema,
} from './admin-schemas.ts';
import type { CookieNames } from './credentials.ts';
import { routeContract } from './route-contract.ts';
import {
  ErrorBody,
  IntrospectionSchema,
  LoginResponseSchema,
  MembershipSchema,
  OrganizerMembershipSchema,
  OwnSessionSchema,
  SessionSchema,
  SystemMembershipSchema,
  TokenResponseSchema,
  UserPublicViewSchema,
  ValidationIssueSchema,
} from './schemas.ts';
import { WebhookAttemptSchema, WebhookDeliverySchema, WebhookEndpointSchema } from './webhook-schemas.ts';

export interface OpenApiSettings {
  readonly version: string;
  readonly cookies: CookieNames;
  /** The first prefix is documented; the others serve the same operations (aliases). */
  readonly authRoutePrefixes: readonly string[];
}

/**
 * Named components, smallest first: a schema in the document that equals one (after its parts
 * were named) becomes a $ref to it.
 */
const COMPONENTS: readonly (readonly [string, TSchema])[] = [
  ['ValidationIssue', ValidationIssueSchema],
  ['Error', ErrorBody],
  ['SystemMembership', SystemMembershipSchema],
  ['OrganizerMembership', OrganizerMembershipSchema],
  ['Membership', MembershipSchema],
  ['UserPublicView', UserPublicViewSchema],
  ['AdminUser', AdminUserSchema],
  ['LoginResponse', LoginResponseSchema],
  ['TokenResponse', TokenResponseSchema],
  ['Session', SessionSchema],
  ['OwnSession', OwnSessionSchema],
  ['Role', RoleSchema],
  ['Organizer', OrganizerSchema],
  ['Member', MemberSchema],
  ['EligibleEmail', EligibleSchema],
  ['AuditEntry', AuditSchema],
  ['BulkResult', BulkResultSchema],
  ['Message', MessageSchema],
  ['AdminUserPage', Paginated(AdminUserSchema)],
  ['EligibleEmailPage', Paginated(EligibleSchema)],
  ['OrganizerPage', Paginated(OrganizerSchema)],
  ['AuditPage', Paginated(AuditSchema)],
  ['EligibilityRule', EligibilityRuleSchema],
  ['EligibilityRulePage', Paginated(EligibilityRuleSchema)],
  ['Introspection', IntrospectionSchema],
  ['WebhookEndpoint', WebhookEndpointSchema],
  ['WebhookDelivery', WebhookDeliverySchema],
  ['WebhookDeliveryPage', Paginated(WebhookDeliverySchema)],
  ['WebhookAttempt', WebhookAttemptSchema],
];

const TAGS: readonly { name: string; description: string }[] = [
  { name: 'auth', description: 'Password accounts, sessions and the signed-in user (ActiFlow)' },
  { name: 'magic links', description: 'Eligibility, magic-link sign-in and token exchange (Tagline)' },
  { name: 'organizers', description: 'Organizers and their members, for their owners and admins' },
  { name: 'admin: users', description: 'Users, their sessions and roles (admins or the API key)' },
  { name: 'admin: roles', description: 'System roles (admins or the API key)' },
  { name: 'admin: organizers', description: 'Creating and listing organizers (admins or the API key)' },
  { name: 'admin: eligible emails', description: 'The eligible list that gates magic-link sign-up (admins or the API key)' },
  { name: 'admin: audit', description: 'The audit log of every admin change' },
  { name: 'admin: webhooks', description: 'Signed webhooks: endpoints, deliveries, retries and replays (admins or the API key)' },
  { name: 'invitations', description: 'Invitations to the club (admins) and to an organizer (its owners and admins), and the link they mail' },
  { name: 'operations', description: 'Health, readiness and the public signing keys' },
];

const REF_PREFIX = '#/components/schemas/';
const REF = /#\/components\/schemas\/[A-Za-z]+/g;

const SUCCESS_DESCRIPTIONS: Readonly<Record<string, string>> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'No Content',
  '304': 'Not Modified: the ETag matched',
};

function description(settings: OpenApiSettings): string {
  const [primary, ...aliases] = settings.authRoutePrefixes;
  return [
    'Authentication and membership service.',
    '',
    'Every error answers `{"detail", "code"}` (`detail` is a list of `{loc, msg, type}` for 422); each response lists the codes it can carry.',
    'The admin and organizer routes refuse body fields they do not take (422 `validation_error` with the field in `loc`, type `value_error.extra`); the public sign-in routes ignore them, as the seeds did.',
    `Any request may also be answered by the HTTP layer with 400 \`bad_url\`, 404 \`not_found\`, 405 \`method_not_allowed\`, 408 \`client_timeout\`, 414 \`uri_too_long\` or 431 \`headers_too_large\`.`,
    '',
    `**Cookies and CSRF.** Writes that carry the session cookies (\`${settings.cookies.access}\`, \`${settings.cookies.refresh}\`) must show they are not cross-site: browsers send \`Origin\` themselves; other clients send \`Origin: <PUBLIC_URL's origin>\` or any \`X-Requested-With\` header. Bearer tokens and the API key are exempt. Sign-in routes (their credential is in the body) ignore the cookies.`,
    ...(aliases.length > 0
      ? ['', `The operations under \`${primary ?? ''}\` are also served under ${aliases.map((a) => `\`${a}\``).join(', ')} (same behaviour; documented once).`]
      : []),
  ].join('\n');
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A stable text of a schema: keys sorted, so equal schemas compare equal. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key] ?? null)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Replaces, children first, every schema equal to a named one by its $ref. */
function nameSchemas(value: Json, named: ReadonlyMap<string, string>): Json {
  if (Array.isArray(value)) return value.map((item) => nameSchemas(item, named));
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [key, child] of Object.entries(value)) out[key] = nameSchemas(child, named);
  const name = named.get(canonical(out));
  return name === undefined ? out : { $ref: `${REF_PREFIX}${name}` };
}

/** A TypeBox schema as @fastify/swagger writes it into the document (`const: x` → `enum: [x]`). */
function asDocumented(value: Json): Json {
  if (Array.isArray(value)) return value.map(asDocumented);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'const') out.enum = [child];
    else out[key] = asDocumented(child);
  }
  return out;
}

function componentSchemas(): { named: Map<string, string>; schemas: Record<string, Json> } {
  const named = new Map<string, string>();
  const schemas: Record<string, Json> = {};
  for (const [name, schema] of COMPONENTS) {
    const plain = nameSchemas(asDocumented(JSON.parse(JSON.stringify(schema)) as Json), named);
    schemas[name] = plain;
    named.set(canonical(plain), name);
  }
  return { named, schemas };
}

function isAlias(url: string, settings: OpenApiSettings): boolean {
  return settings.authRoutePrefixes.slice(1).some((prefix) => url === prefix || url.startsWith(`${prefix}/`));
}

type Schema = Record<string, unknown>;

/** One route's schema as documented: security, error answers, a raw body, from its contract. */
function documentedSchema(schema: Schema, route: Parameters<typeof routeContract>[0]): Schema {
  const contract = routeContract(route);
  // A route with no declared access is not part of the API (an embedder's own): not documented.
  if (contract === null) return { ...schema, hide: true };
  const response: Record<string, unknown> = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  for (const [status, codes] of contract.errors) {
    const lines = codes.map((code) => `\`${code}\`: ${ERROR_CATALOG[code].detail}`);
    response[String(status)] = { ...ErrorBody, description: `One of:\n\n- ${lines.join('\n- ')}` };
  }
  const documented: Schema = { ...schema, security: contract.security, response };
  const rawBody = route.config?.rawBody as { contentType: string; description: string } | undefined;
  if (rawBody !== undefined) Object.assign(documented, { body: { type: 'string', description: rawBody.description }, consumes: [rawBody.contentType] });
  if ((route.config as { bodyOptional?: boolean } | undefined)?.bodyOptional === true) documented['x-body-optional'] = true;
  return documented;
}

type Operation = {
  parameters?: { in: string; required?: boolean; schema?: { default?: unknown } }[];
  requestBody?: { required?: boolean };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  'x-body-optional'?: boolean;
};

function finishOperation(operation: Operation): void {
  // A query parameter with a default may be left out.
  for (const parameter of operation.parameters ?? []) if (parameter.in === 'query' && parameter.schema?.default !== undefined) parameter.required = false;
  if (operation['x-body-optional'] === true && operation.requestBody !== undefined) operation.requestBody.required = false;
  delete operation['x-body-optional'];
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (Number(status) >= 400) response.content = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
    else if (response.description === 'Default Response') response.description = SUCCESS_DESCRIPTIONS[status] ?? 'Success';
  }
}

export function openApiOptions(settings: OpenApiSettings): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Gatehouse', description: description(settings), version: settings.version, license: { name: 'MIT', identifier: 'MIT' } },
      servers: [{ url: '/', description: 'This Gatehouse' }],
      tags: [...TAGS],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from /login, /authenticate or /refresh' },
          cookie: { type: 'apiKey', in: 'cookie', name: settings.cookies.access, description: 'The access-token cookie set at sign-in (HttpOnly)' },
          refreshCookie: { type: 'apiKey', in: 'cookie', name: settings.cookies.refresh, description: 'The refresh-token cookie set at sign-in (HttpOnly)' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The operator’s API_KEY (admin routes only)' },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const own = (schema ?? {}) as Schema;
      if (own.hide === true || isAlias(url, settings)) return { schema: { ...own, hide: true }, url };
      return { schema: documentedSchema(own, route) as typeof schema, url };
    },
    transformObject: (documentObject) => {
      const document = ('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as {
        paths?: Record<string, Record<string, Operation>>;
        components?: { schemas?: Record<string, Json> };
      };
      for (const path of Object.values(document.paths ?? {})) for (const operation of Object.values(path)) finishOperation(operation);
      const { named, schemas } = componentSchemas();
      const paths = nameSchemas(document.paths as Json, named);
      const used = new Set((JSON.stringify(paths).match(REF) ?? []).map((ref) => ref.slice(REF_PREFIX.length)));
      // A component used only by another one is used too (parts come before what holds them).
      for (const [name, schema] of Object.entries(schemas).reverse()) {
        if (used.has(name)) for (const ref of JSON.stringify(schema).match(REF) ?? []) used.add(ref.slice(REF_PREFIX.length));
      }
      const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
      return { ...document, paths, components: { ...document.components, schemas: { ...document.components?.schemas, ...kept } } } as ReturnType<
        NonNullable<FastifyDynamicSwaggerOptions['transformObject']>
      >;
    },
  };
}
