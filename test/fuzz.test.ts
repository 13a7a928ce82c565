/**
 * The service attacks itself: property-based fuzzing (fast-check) of every operation in
 * /openapi.json, as an anonymous caller, a member and an admin (the API key), with generated
 * valid and invalid path parameters, query strings, bodies and headers — NUL, unicode edge
 * cases, wrong types, tampered cursors, wrong media types. For every answer:
 *   - no 5xx;
 *   - every error is `{detail, code}` with a catalogued code and the catalog's status;
 *   - a 4xx wrote nothing (a fingerprint of every table a request can change is unchanged).
 * The seed is fixed, so a failure replays; FUZZ_RUNS sets the runs per operation and caller
 * (a few in `npm test`, more in .ci/run).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { ERROR_CATALOG } from '../src/errors.ts';
import { insertEligibleChunk } from '../src/queries/eligibility.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login, ORIGIN } from './helpers/auth.ts';

const RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 6));
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const API_KEY = 'f'.repeat(40);

interface JsonSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
}

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  schema?: JsonSchema;
}

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly parameters: Parameter[];
  readonly body: JsonSchema | null;
  readonly bodyType: string | null;
}

type Caller = 'anonymous' | 'member' | 'admin';

let t: TestApp;
let operations: Operation[] = [];
let memberAuth: Record<string, string> = {};
const known = { uuids: [] as string[], emails: [] as string[], names: ['admin', 'member', 'sustainer'] };

/** Strings an attacker tries: NUL, invisible and fullwidth characters, lone surrogates, sizes. */
const nasty = fc.constantFrom(
  '',
  '\u0000',
  'a\u0000b',
  'x\u200by@example.org',
  'ｆｕｌｌ@example.org',
  '\ud800',
  '../../etc/passwd',
  "' or 1=1 --",
  '<script>alert(1)</script>',
  '__proto__',
  'x'.repeat(5000),
  '%00',
  '💥',
  Buffer.from(JSON.stringify(['not-a-date', 'x'])).toString('base64url'),
  Buffer.from('[1,2]').toString('base64url'),
);

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((type) => type !== 'null') : schema.type;
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'email') return fc.oneof(fc.emailAddress(), fc.constantFrom(...known.emails));
  if (schema.format === 'uuid') return fc.oneof(fc.uuid(), fc.constantFrom(...known.uuids));
  return fc.oneof(fc.string({ maxLength: Math.min(schema.maxLength ?? 40, 40) }), fc.constantFrom(...known.names, ...known.emails));
}

/** Mostly well-formed values of the schema, sometimes anything at all. */
function valueOf(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const anything = fc.oneof(nasty, fc.constant(null), fc.integer(), fc.boolean(), fc.constant([]), fc.constant({}), fc.double());
  const choices = schema.anyOf ?? schema.oneOf;
  let typed: fc.Arbitrary<unknown>;
  if (schema.const !== undefined) typed = fc.constant(schema.const);
  else if (schema.enum !== undefined && schema.enum.length > 0) typed = fc.constantFrom(...schema.enum);
  else if (choices !== undefined && choices.length > 0) typed = fc.oneof(...choices.map((choice) => valueOf(choice, depth + 1)));
  else {
    switch (typeOf(schema)) {
      case 'string':
        typed = stringArbitrary(schema);
        break;
      case 'integer':
        typed = fc.integer({ min: (schema.minimum ?? -10) - 2, max: Math.min(schema.maximum ?? 1000, 1_000_000) + 2 });
        break;
      case 'number':
        typed = fc.double();
        break;
      case 'boolean':
        typed = fc.boolean();
        break;
      case 'array':
        typed = depth > 3 ? fc.constant([]) : fc.array(valueOf(schema.items ?? {}, depth + 1), { maxLength: 4 });
        break;
      case 'object': {
        const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, property]) => [name, valueOf(property, depth + 1)]));
        // Any subset of the fields, the required ones usually there; plus a field nobody declared.
        typed = fc
          .tuple(fc.record(properties, { requiredKeys: [] }), fc.record(properties), fc.boolean(), nasty)
          .map(([some, all, full, extra]) => ({ ...(full ? all : some), ...(extra === '' ? {} : { is_email_verified: true, role: extra }) }));
        break;
      }
      default:
        typed = anything;
    }
  }
  return fc.oneof({ weight: 5, arbitrary: typed }, { weight: 1, arbitrary: anything });
}

function encodeSegment(value: unknown): string {
  try {
    return encodeURIComponent(String(value));
  } catch {
    return '%ED%A0%80'; // a lone surrogate, as a client could still send it
  }
}

interface Generated {
  readonly path: Record<string, unknown>;
  readonly query: Record<string, unknown>;
  readonly body: unknown;
  /** How the body is sent: as declared, as invalid JSON, as text/plain, or not at all. */
  readonly bodyMode: 'declared' | 'broken_json' | 'text_plain' | 'none';
  readonly origin: 'none' | 'own' | 'foreign';
  readonly junkKey: boolean;
}

function requestArbitrary(operation: Operation): fc.Arbitrary<Generated> {
  const byPlace = (place: Parameter['in']): Record<string, fc.Arbitrary<unknown>> =>
    Object.fromEntries(operation.parameters.filter((p) => p.in === place).map((p) => [p.name, valueOf(p.schema ?? {})]));
  return fc.record({
    path: fc.record(byPlace('path')),
    query: fc.record(byPlace('query'), { requiredKeys: [] }),
    body: operation.body === null ? fc.constant(undefined) : valueOf(operation.body),
    bodyMode: fc.constantFrom('declared', 'declared', 'declared', 'broken_json', 'text_plain', 'none'),
    origin: fc.constantFrom('none', 'own', 'foreign'),
    junkKey: fc.boolean(),
  });
}

function urlFor(operation: Operation, generated: Generated): string {
  const path = operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => encodeSegment(generated.path[name]));
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(generated.query)) if (value !== undefined) query.set(name, String(value));
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}

function payloadFor(operation: Operation, generated: Generated): { payload?: string; contentType?: string } {
  if (generated.bodyMode === 'none' || (operation.body === null && operation.bodyType === null)) return {};
  if (generated.bodyMode === 'broken_json') return { payload: '{"email": "a@b.org", ', contentType: 'application/json' };
  if (generated.bodyMode === 'text_plain') return { payload: 'email=a@b.org', contentType: 'text/plain' };
  if (operation.bodyType === 'text/csv') return { payload: `email\n${String(generated.body ?? 'a@example.org')}\nnot an address\n`, contentType: 'text/csv' };
  return { payload: JSON.stringify(generated.body ?? null), contentType: 'application/json' };
}

/** Every table a request can change, as one digest (sessions' last_seen_at aside: reads refresh it). */
async function fingerprint(): Promise<string> {
  const result = await sql<{ digest: string }>`
    select md5(concat_ws('|',
      (select string_agg(md5(u::text), ',' order by uuid) from users u),
      (select string_agg(md5(m::text), ',' order by id) from system_memberships m),
      (select string_agg(md5(r::text), ',' order by id) from roles r),
      (select string_agg(md5(o::text), ',' order by uuid) from organizers o),
      (select string_agg(md5(om::text), ',' order by id) from organizer_memberships om),
      (select string_agg(md5(e::text), ',' order by id) from eligible_emails e),
      (select string_agg(md5(a::text), ',' order by id) from audit_log a),
      (select string_agg(md5(ot::text), ',' order by token_hash) from one_time_tokens ot),
      (select string_agg(md5(concat(s.id, s.revoked_at, s.refresh_token_hash)), ',' order by id) from sessions s),
      (select string_agg(md5(i::text), ',' order by id) from invitations i),
      (select string_agg(md5(er::text), ',' order by id) from eligibility_rules er),
      -- The outbox without relayed_at, and deliveries without their state: the background
      -- workers move those on their own, whatever the request under test did.
      (select string_agg(md5(concat(we.id, we.type, we.data::text)), ',' order by sequence) from webhook_events we),
      (select string_agg(md5(w::text), ',' order by id) from webhook_endpoints w),
      (select string_agg(md5(concat(wd.id, wd.endpoint_id, wd.event_id)), ',' order by id) from webhook_deliveries wd)
    )) as digest`.execute(t.database.db);
  return result.rows[0]?.digest ?? '';
}

/** The member's credential; a fresh member when an earlier run signed it out or removed it. */
async function memberCredential(): Promise<Record<string, string>> {
  const me = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: memberAuth });
  if (me.statusCode === 200) return memberAuth;
  const user = await createUser(t.database.db, `fuzz-member-${Date.now()}-${Math.random().toString(36).slice(2)}@example.org`);
  known.uuids.push(user.uuid);
  memberAuth = (await login(t.app, user.email)).bearer;
  return memberAuth;
}

/** The caller's headers; made before the fingerprint, since a fresh member is a write of its own. */
async function headersFor(caller: Caller, generated: Generated): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  if (caller === 'member') Object.assign(headers, await memberCredential());
  if (caller === 'admin') headers['x-api-key'] = API_KEY;
  if (caller !== 'admin' && generated.junkKey) headers['x-api-key'] = 'junk';
  if (generated.origin !== 'none') headers.origin = generated.origin === 'own' ? ORIGIN : 'https://evil.example';
  return headers;
}

async function send(operation: Operation, headers: Record<string, string>, generated: Generated): Promise<LightMyRequestResponse> {
  const { payload, contentType } = payloadFor(operation, generated);
  if (contentType !== undefined) headers['content-type'] = contentType;
  return t.app.inject({ method: operation.method as 'GET', url: urlFor(operation, generated), headers, ...(payload === undefined ? {} : { payload }) });
}

function checkAnswer(operation: Operation, res: LightMyRequestResponse, written: boolean): void {
  const where = `${operation.method} ${res.raw.req.url}: ${res.statusCode} ${res.body.slice(0, 300)}`;
  assert.ok(res.statusCode < 500, `no 5xx — ${where}`);
  if (res.statusCode < 400) return;
  const body = res.json<{ detail?: unknown; code?: string }>();
  assert.ok(typeof body.detail === 'string' || Array.isArray(body.detail), `detail — ${where}`);
  const spec = body.code === undefined ? undefined : (ERROR_CATALOG as Record<string, { status: number }>)[body.code];
  assert.ok(spec !== undefined, `a catalogued code — ${where}`);
  assert.equal(spec.status, res.statusCode, `the catalog's status — ${where}`);
  assert.ok(!written, `a ${res.statusCode} wrote nothing — ${where}`);
}

before(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silent', API_KEY } });
  const member = await createUser(t.database.db, 'fuzz-member@example.org');
  const admin = await createUser(t.database.db, 'fuzz-admin@example.org', { roles: ['admin'] });
  await insertEligibleChunk(t.database.db, ['fuzz-eligible@example.org'], 'fuzz-batch');
  const organizer = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/admin/organizers',
    headers: { 'x-api-key': API_KEY },
    payload: { name: 'Fuzz Club', owner_user_id: member.uuid },
  });
  known.uuids.push(member.uuid, admin.uuid, organizer.json<{ uuid: string }>().uuid);
  known.emails.push(member.email, admin.email, 'fuzz-eligible@example.org');
  memberAuth = (await login(t.app, member.email)).bearer;

  const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
  }>();
  operations = Object.entries(document.paths)
    // The document states each operation once (the /auth aliases are the same routes).
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]): Operation => {
        const [bodyType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [null, null];
        return { method: method.toUpperCase(), path, parameters: op.parameters ?? [], body: media?.schema ?? null, bodyType };
      }),
    );
});
after(async () => t.close());

describe('fuzz: every operation of /openapi.json', () => {
  it('finds the operations', (context) => {
    assert.ok(operations.length >= 40, `${operations.length} operations`);
    context.diagnostic(`${operations.length} operations, ${RUNS} runs each per caller, seed ${SEED}`);
  });

  it("the routes the document hides (the mailed link's landing page and its form): no 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(nasty, fc.constantFrom('none', 'own', 'foreign'), async (token, origin) => {
        const headers: Record<string, string> = origin === 'none' ? {} : { origin: origin === 'own' ? ORIGIN : 'https://evil.example' };
        const page = await t.app.inject({ method: 'GET', url: `/v1/auth/magic-links/verify?token=${encodeSegment(token)}` });
        assert.ok(page.statusCode < 500, `GET landing: ${page.statusCode}`);
        const form = await t.app.inject({
          method: 'POST',
          url: '/v1/auth/magic-links/verify',
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `token=${encodeSegment(token)}`,
        });
        assert.ok(form.statusCode < 500, `POST landing: ${form.statusCode} ${form.body.slice(0, 200)}`);
      }),
      { numRuns: RUNS * 5, seed: SEED, endOnFailure: true, includeErrorInReport: true },
    );
  });

  for (const caller of ['anonymous', 'member', 'admin'] as const) {
    it(`as ${caller}: no 5xx, every error catalogued, nothing written on a 4xx`, async () => {
      for (const [index, operation] of operations.entries()) {
        await fc.assert(
          fc.asyncProperty(requestArbitrary(operation), async (generated) => {
            const headers = await headersFor(caller, generated);
            const before = await fingerprint();
            const res = await send(operation, headers, generated);
            await t.app.gatehouse.backgroundIdle();
            checkAnswer(operation, res, res.statusCode >= 400 && (await fingerprint()) !== before);
          }),
          { numRuns: RUNS, seed: SEED + index, endOnFailure: true, includeErrorInReport: true },
        );
      }
    });
  }
});
