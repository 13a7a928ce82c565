/**
 * docs/api.md: the API reference rendered from the OpenAPI document, so the project's docs hold
 * every operation, field, status and error code a client needs, with examples, and cannot drift
 * from what the server serves (test/openapi-contract.test.ts compares; `npm run openapi` writes).
 */

type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  description?: string;
};

interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; schema: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}

export interface ApiDocument {
  info: { title: string; description: string; version: string };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    securitySchemes: Record<string, { type: string; in?: string; name?: string; scheme?: string; description?: string }>;
  };
}

const REF_PREFIX = '#/components/schemas/';

function refName(ref: string): string {
  return ref.slice(REF_PREFIX.length);
}

/** A short type text: `string (uuid)`, `integer 1..500, default 50`, `[Role](#role)[]`. */
function typeText(schema: Schema): string {
  if (schema.$ref !== undefined) return `[${refName(schema.$ref)}](#${refName(schema.$ref).toLowerCase()})`;
  if (schema.anyOf !== undefined) return schema.anyOf.map(typeText).join(' \\| ');
  if (schema.enum !== undefined) return schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' \\| ');
  if (schema.type === 'array') return `${typeText(schema.items ?? {})}[]${schema.maxItems === undefined ? '' : ` (at most ${schema.maxItems})`}`;
  const base = Array.isArray(schema.type) ? schema.type.join(' \\| ') : (schema.type ?? 'any');
  const notes: string[] = [];
  if (schema.format !== undefined) notes.push(schema.format);
  if (schema.minimum !== undefined || schema.maximum !== undefined) notes.push(`${schema.minimum ?? ''}..${schema.maximum ?? ''}`);
  if (schema.minLength !== undefined || schema.maxLength !== undefined)
    notes.push(schema.minLength === undefined ? `at most ${schema.maxLength ?? ''} chars` : `${schema.minLength}..${schema.maxLength ?? ''} chars`);
  if (schema.pattern !== undefined) notes.push(`\`${schema.pattern}\``);
  if (schema.default !== undefined) notes.push(`default ${JSON.stringify(schema.default)}`);
  return notes.length === 0 ? base : `${base} (${notes.join(', ')})`;
}

const SAMPLE_STRINGS: Readonly<Record<string, string>> = {
  email: 'ada@example.org',
  name: 'Ada Lovelace',
  password: 'correct horse battery staple',
  current_password: 'correct horse battery staple',
  new_password: 'a new long passphrase',
  token: 'gh_…',
  role_name: 'sustainer',
  role: 'member',
  batch_id: 'spring-2026',
  access_token: 'eyJ…',
  refresh_token: 'rt_…',
};

/** An example value of a schema, for the reference's request and response examples. */
function example(schema: Schema, components: Record<string, Schema>, field = '', depth = 0): unknown {
  if (depth > 20) return null;
  if (schema.$ref !== undefined) return example(components[refName(schema.$ref)] ?? {}, components, field, depth + 1);
  if (schema.anyOf !== undefined) return example(schema.anyOf.find((s) => s.type !== 'null') ?? {}, components, field, depth + 1);
  if (schema.enum !== undefined) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, value]) => [key, example(value, components, key, depth + 1)]));
    case 'array':
      return [example(schema.items ?? {}, components, field, depth + 1)];
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'uuid') return '0b6f1c8e-6a4e-4c1e-9c1a-2f1d3c4b5a69';
      if (schema.format === 'date-time') return '2026-12-01T12:00:00.000Z';
      return SAMPLE_STRINGS[field] ?? 'string';
    default:
      return null;
  }
}

function fieldsTable(schema: Schema, components: Record<string, Schema>): string[] {
  const resolved = schema.$ref === undefined ? schema : (components[refName(schema.$ref)] ?? {});
  if (resolved.type !== 'object' || resolved.properties === undefined) return [`Type: ${typeText(schema)}`];
  const required = new Set(resolved.required ?? []);
  return [
    '| field | type | required |',
    '|---|---|---|',
    ...Object.entries(resolved.properties).map(([name, field]) => `| \`${name}\` | ${typeText(field)} | ${required.has(name) ? 'yes' : 'no'} |`),
  ];
}

function securityText(security: Record<string, string[]>[]): string {
  if (security.length === 0) return 'none';
  return security
    .map((alternative) =>
      Object.keys(alternative).length === 0
        ? 'none'
        : Object.keys(alternative)
            .map((k) => `\`${k}\``)
            .join(' + '),
    )
    .join(' or ');
}

function jsonBlock(value: unknown): string[] {
  return ['```json', JSON.stringify(value, null, 2), '```'];
}

function operationSection(method: string, path: string, op: Operation, components: Record<string, Schema>): string[] {
  const lines = [`### \`${method.toUpperCase()} ${path}\``, '', `**${op.summary}** (\`${op.operationId}\`). Credentials: ${securityText(op.security)}.`, ''];
  const parameters = op.parameters ?? [];
  if (parameters.length > 0) {
    lines.push(
      '| parameter | in | type | required |',
      '|---|---|---|---|',
      ...parameters.map((p) => `| \`${p.name}\` | ${p.in} | ${typeText(p.schema)} | ${p.required === true ? 'yes' : 'no'} |`),
      '',
    );
  }
  for (const [contentType, media] of Object.entries(op.requestBody?.content ?? {})) {
    lines.push(`Request body (\`${contentType}\`${op.requestBody?.required === false ? ', optional' : ''}):`, '', ...fieldsTable(media.schema, components), '');
    if (contentType === 'application/json') lines.push(...jsonBlock(example(media.schema, components)), '');
    else if (media.schema.description !== undefined) lines.push(media.schema.description, '');
  }
  lines.push('| status | answer |', '|---|---|');
  for (const [status, response] of Object.entries(op.responses)) {
    const schema = response.content?.['application/json']?.schema;
    const text =
      Number(status) >= 400
        ? response.description
            .replace(/^One of:\s*/, '')
            .split('\n')
            .filter((line) => line.startsWith('- '))
            .map((line) => line.slice(2).split(':')[0])
            .join(', ')
        : `${response.description}${schema === undefined ? '' : `: ${typeText(schema)}`}`;
    lines.push(`| ${status} | ${text} |`);
  }
  const success = Object.entries(op.responses).find(([status, response]) => Number(status) < 300 && response.content?.['application/json'] !== undefined);
  if (success !== undefined)
    lines.push('', `Example ${success[0]}:`, '', ...jsonBlock(example(success[1].content?.['application/json']?.schema ?? {}, components)));
  return [...lines, ''];
}

export function apiMarkdown(document: ApiDocument): string {
  const components = document.components.schemas;
  const lines = [
    '# API reference',
    '',
    '<!-- Generated from /openapi.json by `npm run openapi`; do not edit (test/openapi-contract.test.ts checks it is current). -->',
    '',
    document.info.description,
    '',
    "Credentials: `bearer` is `Authorization: Bearer <access token>`; `cookie` and `refreshCookie` are the session cookies set at sign-in (named `__Host-access_token` and `__Host-refresh_token` in production, `access_token` and `refresh_token` in development); `apiKey` is the `X-API-Key` header with the operator's `API_KEY`. Each error code is explained in [errors.md](errors.md).",
    '',
  ];
  for (const tag of document.tags) {
    const entries = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.tags.includes(tag.name))
        .map(([method, op]) => ({ method, path, op })),
    );
    if (entries.length === 0) continue;
    lines.push(`## ${tag.name}`, '', tag.description, '');
    for (const { method, path, op } of entries) lines.push(...operationSection(method, path, op, components));
  }
  lines.push('## Schemas', '');
  for (const [name, schema] of Object.entries(components)) {
    lines.push(`### ${name}`, '', ...fieldsTable(schema, components), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
