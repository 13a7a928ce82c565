/**
 * Writes the OpenAPI document a production Gatehouse serves at /openapi.json, from the real
 * route table on an in-memory database:
 *
 *   node --import tsx scripts/openapi.ts [document.json] [--types types.ts] [--markdown api.md]
 *
 * `npm run lint:openapi` lints the document with Redocly. `--types` writes the TypeScript types
 * openapi-typescript generates from it (test/generated/gatehouse-api.ts, which
 * test/openapi-client.test.ts drives the API through, type-checked by `npm run check`);
 * `--markdown` the reference docs/api.md. `npm run openapi` writes both.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { clientTypes, productionDocument } from '../test/helpers/openapi-document.ts';
import { apiMarkdown, type ApiDocument } from '../test/helpers/openapi-markdown.ts';

function write(target: string, text: string): void {
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, text);
}

/** `--types <path>` and `--markdown <path>`; the one bare argument is the document's path. */
function option(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

const args = process.argv.slice(2);
const typesTarget = option(args, '--types');
const markdownTarget = option(args, '--markdown');
const documentTarget = args.find((arg, index) => !arg.startsWith('--') && !args[index - 1]?.startsWith('--'));
const document = await productionDocument();
const text = `${JSON.stringify(document, null, 2)}\n`;
if (documentTarget === undefined) process.stdout.write(text);
else write(documentTarget, text);
if (typesTarget !== undefined) write(typesTarget, await clientTypes(document));
if (markdownTarget !== undefined) write(markdownTarget, apiMarkdown(document as ApiDocument));
