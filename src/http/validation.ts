/**
 * Schema validation. Bodies are JSON and validated strictly (a number is not a password);
 * query strings and path params arrive as text and are coerced to the schema's types.
 * Unknown body fields are dropped before the handler sees them (no mass assignment).
 */
import { Ajv, type Options } from 'ajv';
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

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema);
};
