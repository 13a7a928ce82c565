/**
 * The package as npm publishes it: `npm run build` writes ESM and type declarations to dist/,
 * and a plain Node (no TypeScript loader, no source condition) imports every export of the
 * exports map, as an installed @gatehouse/verify would be imported.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { it } from 'node:test';

const PACKAGE = path.resolve(import.meta.dirname, '..');
const EXPORTS = ['index', 'fastify', 'express', 'hono'];

it('builds to dist/ with declarations, and each subpath export loads in plain Node', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', path.join(PACKAGE, 'tsconfig.build.json')], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stdout + build.stderr);
  for (const name of EXPORTS) {
    assert.ok(existsSync(path.join(PACKAGE, 'dist', `${name}.js`)), `dist/${name}.js`);
    assert.ok(existsSync(path.join(PACKAGE, 'dist', `${name}.d.ts`)), `dist/${name}.d.ts`);
  }
  const probe = `
    const root = await import('@gatehouse/verify');
    const adapters = await Promise.all(['fastify', 'express', 'hono'].map((name) => import('@gatehouse/verify/' + name)));
    const verifier = root.createVerifier({ issuer: 'https://auth.example.org', secret: 'x'.repeat(40) });
    console.log(JSON.stringify({ root: Object.keys(root).sort(), adapters: adapters.map((m) => typeof m.gatehouse), verify: typeof verifier.verify }));
  `;
  // Run from the package's parent so that the name resolves through the workspace link, without --conditions.
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: path.resolve(PACKAGE, '../..'),
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    root: ['GatehouseAuthError', 'createVerifier', 'hasAllSystemRoles', 'hasOrganizerRole', 'hasSystemRole', 'tokenFromHeaders'],
    adapters: ['function', 'function', 'function'],
    verify: 'function',
  });
});
