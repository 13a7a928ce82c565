/**
 * /openapi.json as a contract: what every operation must state (derived from its route's access
 * and shape), and that the committed client types are those generated from it. That every
 * answer of the whole suite is declared is checked by test/helpers/app.ts on every test app.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../src/errors.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { clientTypes, GENERATED_TYPES_PATH, productionDocument } from './helpers/openapi-document.ts';
import { apiMarkdown, type ApiDocument } from './helpers/openapi-markdown.ts';

interface Response {
  description: string;
  content?: Record<string, { schema?: { $ref?: string } }>;
}
interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { required?: boolean; content: Record<string, unknown> };
  responses: Record<string, Response>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { name?: string }> };
}

let t: TestApp;
let doc: Document;
/** The production document, built once for this file (it boots its own app). */
let production: Promise<unknown> | null = null;
const productionOnce = (): Promise<unknown> => (production ??= productionDocument());
const operations: { method: string; path: string; op: Operation }[] = [];

before(async () => {
  t = await createTestApp();
  doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<Document>();
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods)) operations.push({ method: method.toUpperCase(), path, op });
});
after(() => t.close());

function named(path: string, method: string): Operation {
  const op = doc.paths[path]?.[method];
  assert.ok(op, `${method} ${path} is not documented`);
  return op;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

describe('the contract check every test app runs', () => {
  it('reports an answer whose status or code the operation does not declare, and passes declared ones', async () => {
    const probe = await createTestApp({ database: t.database });
    probe.app.get('/v1/auth/test/undeclared', { config: { access: 'public', errors: ['not_found'] } }, async (request) => {
      throw new AppError((request.query as { code?: string }).code === 'last_admin' ? 'last_admin' : 'not_found');
    });
    assert.equal((await probe.app.inject({ method: 'GET', url: '/v1/auth/test/undeclared' })).statusCode, 404);
    assert.deepEqual(probe.contractViolations, []);
    assert.equal((await probe.app.inject({ method: 'GET', url: '/v1/auth/test/undeclared?code=last_admin' })).statusCode, 409);
    assert.deepEqual(probe.contractViolations, ['GET /v1/auth/test/undeclared answered 409 (last_admin), which its operation does not declare']);
    // Closing fails on a violation: that is how the suite fails.
    await assert.rejects(() => probe.close(), /answers the OpenAPI document does not declare/);
  });
});

describe('the OpenAPI document', () => {
  it('documents each operation once, under the first route prefix (the others are aliases)', () => {
    assert.ok(operations.length >= 45, `only ${operations.length} operations`);
    assert.equal(operations.filter((o) => o.path.startsWith('/auth/')).length, 0, 'aliases are documented');
  });

  it('every operation has a unique camelCase operationId, a summary, tags and a security requirement', () => {
    const ids = operations.map((o) => o.op.operationId);
    for (const { method, path, op } of operations) {
      assert.match(op.operationId ?? '', /^[a-z][A-Za-z0-9]+$/, `${method} ${path}: operationId`);
      assert.ok((op.summary ?? '').length > 5, `${method} ${path}: summary`);
      assert.ok((op.tags ?? []).length > 0, `${method} ${path}: tags`);
      assert.ok(Array.isArray(op.security), `${method} ${path}: security`);
    }
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  });

  it('states 401 and 403 on every authenticated operation, and the API key only on admin ones and introspection', () => {
    for (const { method, path, op } of operations) {
      const schemes = new Set((op.security ?? []).flatMap((alternative) => Object.keys(alternative)));
      const needsCredential = (op.security ?? []).length > 0 && !(op.security ?? []).some((alternative) => Object.keys(alternative).length === 0);
      if (needsCredential) assert.ok(op.responses['401'], `${method} ${path}: 401`);
      if (path.includes('/admin/')) {
        assert.ok(schemes.has('apiKey') && schemes.has('bearer') && schemes.has('cookie'), `${method} ${path}: admin security`);
        assert.ok(op.responses['403']?.description.includes('missing_role'), `${method} ${path}: 403 missing_role`);
      } else {
        // Introspection is for services (the API key), never for a user's credential.
        if (op.operationId === 'introspectToken') assert.deepEqual([...schemes], ['apiKey'], `${method} ${path}: the API key only`);
        else assert.ok(!schemes.has('apiKey'), `${method} ${path}: the API key is for admin routes and introspection only`);
      }
    }
  });

  it('states 400, 413, 415 and 403 csrf_rejected on every write, and 422 wherever input is validated', () => {
    for (const { method, path, op } of operations) {
      if (WRITES.has(method)) {
        for (const status of ['400', '413', '415']) assert.ok(op.responses[status], `${method} ${path}: ${status}`);
        assert.ok(op.responses['403']?.description.includes('csrf_rejected'), `${method} ${path}: csrf_rejected`);
      }
      if (op.requestBody !== undefined || (op.parameters ?? []).length > 0)
        assert.ok(op.responses['422'] || path.includes('/import'), `${method} ${path}: 422`);
      for (const status of ['500', '503', '504']) assert.ok(op.responses[status], `${method} ${path}: ${status}`);
    }
  });

  it('every error response is the one Error component, and lists the codes it can carry', () => {
    for (const { method, path, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) {
          assert.notEqual(response.description, 'Default Response', `${method} ${path} ${status}`);
          continue;
        }
        assert.equal(response.content?.['application/json']?.schema?.$ref, '#/components/schemas/Error', `${method} ${path} ${status}`);
        assert.match(response.description, /^One of:/, `${method} ${path} ${status}`);
      }
    }
  });

  it('names the shared schemas: the user view, the memberships union, roles, lists', () => {
    for (const name of ['Error', 'UserPublicView', 'Membership', 'SystemMembership', 'OrganizerMembership', 'Role', 'AdminUser', 'AdminUserPage', 'Session']) {
      assert.ok(name in doc.components.schemas, `component ${name}`);
    }
    const me = named('/v1/auth/me', 'get').responses['200']?.content?.['application/json']?.schema;
    assert.deepEqual(me, { $ref: '#/components/schemas/UserPublicView' });
    assert.equal(named('/v1/auth/admin/users', 'get').responses['200']?.content?.['application/json']?.schema?.$ref, '#/components/schemas/AdminUserPage');
  });

  it('declares inputs as the service reads them: CSV bodies, optional limits, a cookie-only refresh', () => {
    for (const path of ['/v1/auth/admin/eligible-emails/import', '/v1/auth/admin/eligible-emails/import/preview']) {
      assert.ok('text/csv' in (named(path, 'post').requestBody?.content ?? {}), `${path} takes text/csv`);
    }
    const limits = operations.flatMap(({ op }) => (op.parameters ?? []).filter((p) => p.name === 'limit'));
    assert.ok(limits.length >= 4);
    for (const limit of limits) assert.equal(limit.required, false);
    assert.equal(named('/v1/auth/refresh', 'post').requestBody?.required, false);
    assert.deepEqual(named('/v1/auth/refresh', 'post').security, [{}, { refreshCookie: [] }]);
  });

  it('names the cookies the server really sets (access_token here, __Host-… in production)', async () => {
    assert.equal(doc.components.securitySchemes.cookie?.name, 'access_token');
    const document = (await productionOnce()) as Document;
    assert.equal(document.components.securitySchemes.cookie?.name, '__Host-access_token');
    assert.equal(document.components.securitySchemes.refreshCookie?.name, '__Host-refresh_token');
  });

  it('every API route declares its access (so its guard and its contract exist)', () => {
    const api = t.app.gatehouse.routes.filter((r) => /^\/(v1\/auth|auth)\/|^\/(healthz|readyz|\.well-known)/.test(r.url) && r.method !== 'HEAD');
    const hiddenPages = /\/magic-links\/verify$/;
    const missing = api.filter((r) => r.access === null && !hiddenPages.test(r.url)).map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(missing, []);
  });

  it(`${GENERATED_TYPES_PATH} and docs/api.md are what the document generates (else: npm run openapi)`, async () => {
    const document = await productionOnce();
    assert.ok(readFileSync(GENERATED_TYPES_PATH, 'utf8') === (await clientTypes(document)), `${GENERATED_TYPES_PATH} is stale: run npm run openapi`);
    assert.ok(readFileSync('docs/api.md', 'utf8') === apiMarkdown(document as ApiDocument), 'docs/api.md is stale: run npm run openapi');
  });
});
