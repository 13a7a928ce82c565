/**
 * Schema validation. Bodies are JSON and validated strictly (a number is not a password);
 * query strings and path params arrive as text and are coerced to the schema's types.
 * Unknown body fields: a body schema closed with `additionalProperties: false` refuses them (422
 * naming the field), so a misspelt or unsupported field (`owner_email` where `owner_user_id` was
 * meant) never passes as "not given". The admin and organizer routes' bodies are closed from their
 * access (route-access.ts, closedSchema; the OpenAPI description states the rule); the seeds' public
 * routes stay open and drop unknown fields before the handler sees them, as FastAPI did. Either way
 * no unknown field reaches a handler (no mass assignment).
 *
 * Every validated part is also checked for NUL: PostgreSQL text cannot hold U+0000, so a string
 * carrying one would otherwise reach the database and fail there as a 500.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { lazyValidator } from './lazy-compilers.ts';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

function makeAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ coerceTypes, removeAdditional: 'all', useDefaults: true, allErrors: true, strict: false });
  addFormats(ajv);
  return ajv;
}

const bodyAjv = makeAjv(false);
/** For closed bodies: an unknown field is an error there, not something to drop. */
const closedBodyAjv = new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: true, strict: false });
addFormats(closedBodyAjv);
const textAjv = makeAjv('array');

/** The schema with every object closed to properties it does not name (unless it says otherwise). */
export function closedSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closedSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema))
    out[key] =
      key === 'properties' && value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([name, child]) => [name, closedSchema(child)]))
        : closedSchema(value);
  if (out.type === 'object' && out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
const MAX_DEPTH = 64;

/** The JSON-pointer path of the first string (or key) holding NUL, or null. */
export function findNul(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  for (const [key, item] of Object.entries(value)) {
    const here = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (key.includes('\u0000')) return here;
    const found = findNul(item, here, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

interface CheckedValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

function refusingNul(validate: ValidateFunction): CheckedValidator {
  const checked: CheckedValidator = (data: unknown): boolean => {
    const nulAt = findNul(data);
    if (nulAt !== null) {
      checked.errors = [{ instancePath: nulAt, schemaPath: '#/nul', keyword: 'nul', params: {}, message: 'must not contain the NUL character' }];
      return false;
    }
    const valid = validate(data);
    checked.errors = validate.errors ?? null;
    return valid;
  };
  return checked;
}

/** Compiles now (tests use it to compile every route's schema at once). */
export const eagerValidatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  if (httpPart === 'body' && (schema as { additionalProperties?: unknown }).additionalProperties === false) return refusingNul(closedBodyAjv.compile(schema));
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return refusingNul(ajv.compile(schema));
};

/** What the app uses: the same validator, compiled at its first request (http/lazy-compilers.ts). */
export const validatorCompiler: FastifySchemaCompiler<object> = (route) => lazyValidator(() => eagerValidatorCompiler(route) as CheckedValidator);
