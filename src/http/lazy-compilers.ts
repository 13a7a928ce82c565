/**
 * Schema compilation on first use. Fastify compiles every route's validators (ajv) and response
 * serializers (fast-json-stringify) when the app becomes ready: about 0.5 s of a start of
 * ~1 s, for ~80 routes most instances never serve all of. Here each route gets a function that
 * compiles its schema the first time a request needs it, and keeps the result. The same
 * compilers run, on the same schemas, so validation and serialization are unchanged; only the
 * moment moves. A schema that cannot compile then fails its first request instead of the start:
 * the test suite calls every operation (test/fuzz.test.ts, the contract tests), and
 * test/lazy-compilers.test.ts compiles every route's schemas eagerly, so such a schema fails CI.
 */
import SerializerSelector from '@fastify/fast-json-stringify-compiler';

/** A validator as Fastify calls it: a boolean, with `errors` set on the function when false. */
export interface LazyValidator<E> {
  (data: unknown): boolean;
  errors?: E;
}

export function lazyValidator<E>(compile: () => LazyValidator<E>): LazyValidator<E> {
  let compiled: LazyValidator<E> | null = null;
  const validate: LazyValidator<E> = (data: unknown): boolean => {
    compiled ??= compile();
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  };
  return validate;
}

type Factory = SerializerSelector.SerializerFactory;
type Serializer = SerializerSelector.Serializer;

/** Fastify's own serializer factory (fast-json-stringify), with each route's serializer built on first use. */
export function lazySerializerFactory(): Factory {
  const defaultFactory = SerializerSelector();
  return (externalSchemas, options) => {
    const build = defaultFactory(externalSchemas, options);
    return (route) => {
      let compiled: Serializer | null = null;
      return (data: unknown) => (compiled ??= build(route))(data);
    };
  };
}
