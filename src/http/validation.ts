/**
 * Schema validation. Bodies are JSON and validated strictly (a number is not a password);
 * query strings and path params arrive as text and are coerced to the schema's types.
 * Unknown body fields are dropped before the handler sees them (no mass assignment).
 *
 * Every validated part is also checked for NUL: PostgreSQL text cannot hold U+0000, so a string
 * carrying one would otherwise reach the database and fail there as a 500.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

function makeAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ coerceTypes, removeAdditional: 'all', useDefaults: true, allErrors: true, strict: false });
  addFormats(ajv);
  return ajv;
}

const bodyAjv = makeAjv(false);
const textAjv = makeAjv('array');
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

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return refusingNul(ajv.compile(schema));
};
