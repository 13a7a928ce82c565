import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CATALOG } from '../src/errors.ts';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_MESSAGES, formatErrorMessage } from '../src/error-messages.ts';

it('every error code in the catalog is documented in docs/errors.md with its status', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, spec] of Object.entries(ERROR_CATALOG)) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    assert.ok(row !== undefined, `docs/errors.md has no row for ${code}`);
    assert.ok(row.includes(`| ${spec.status} |`), `docs/errors.md gives ${code} another status than ${spec.status}`);
  }
});

describe('error messages (src/error-messages.ts)', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? sources(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
    );
  const code = sources('src')
    .filter((file) => !file.endsWith('error-messages.ts'))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');

  it('no throw site writes its own text: an AppError names a message of the catalog instead', () => {
    assert.deepEqual(code.match(/new AppError\('[a-z_]+', \{ detail: ['`]/g) ?? [], []);
  });

  it('every message of the catalog is used, and fills its placeholders', () => {
    for (const id of Object.keys(ERROR_MESSAGES)) assert.ok(code.includes(`'${id}'`), `${id} is not used`);
    assert.equal(formatErrorMessage('role_exists_named', { name: 'editors' }), 'Role editors already exists');
    assert.equal(formatErrorMessage('missing_roles', {}), 'User does not have the required role: {roles}', 'a missing value stays visible');
  });
});
