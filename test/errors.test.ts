import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ERROR_CATALOG } from '../src/errors.ts';

it('every error code in the catalog is documented in docs/errors.md with its status', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, spec] of Object.entries(ERROR_CATALOG)) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    assert.ok(row !== undefined, `docs/errors.md has no row for ${code}`);
    assert.ok(row.includes(`| ${spec.status} |`), `docs/errors.md gives ${code} another status than ${spec.status}`);
  }
});
