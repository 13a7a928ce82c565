/**
 * Schemas compile at their first use in the service (src/http/lazy-compilers.ts), so one that
 * cannot compile would fail its first request, not the start. Here the same app is built with
 * Fastify's eager compilation: every route's validators and serializers compile at ready, or
 * this test fails. And the lazy app answers exactly as the eager one does.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildApp } from '../src/app.ts';
import { lazySerializerFactory, lazyValidator } from '../src/http/lazy-compilers.ts';
import { createMemoryCounterStore } from '../src/services/rate-limits.ts';
import { GENEROUS_LIMITS, testConfig } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';

it('every route schema compiles (the app built with eager compilation becomes ready)', async () => {
  const database = await createTestDatabase();
  const app = await buildApp({
    config: testConfig({ LOG_LEVEL: 'silent' }),
    db: database.db,
    limits: GENEROUS_LIMITS,
    counterStore: createMemoryCounterStore(),
    schemaCompilation: 'eager',
  });
  try {
    await app.ready();
    const invalid = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 42 } });
    assert.equal(invalid.statusCode, 422);
  } finally {
    await app.close();
    await database.close();
  }
});

it('a lazy validator compiles once, at its first call, and reports the compiled one’s errors', () => {
  let compiles = 0;
  const validate = lazyValidator(() => {
    compiles += 1;
    const check = (data: unknown): boolean => {
      check.errors = data === 1 ? null : ['not one'];
      return data === 1;
    };
    check.errors = null as string[] | null;
    return check;
  });
  assert.equal(compiles, 0, 'nothing compiled before a request needs it');
  assert.equal(validate(2), false);
  assert.deepEqual(validate.errors, ['not one']);
  assert.equal(validate(1), true);
  assert.equal(validate.errors, null);
  assert.equal(compiles, 1);
});

it('a lazy serializer builds at its first response and serializes as fast-json-stringify does', () => {
  const build = lazySerializerFactory()(undefined, {});
  const serialize = build({ method: 'GET', url: '/x', httpStatus: '200', schema: { type: 'object', properties: { a: { type: 'integer' } } } });
  assert.equal(serialize({ a: 1, secret: 'not in the schema' }), '{"a":1}');
});
