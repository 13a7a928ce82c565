#!/usr/bin/env node
// The `gatehouse` command. After `npm run build` (or `npm start`), it runs the built dist/cli.js,
// as long as that is newer than every source file; otherwise the TypeScript sources through
// tsx's loader, so an edit is never hidden behind an old build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist/cli.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsCurrent() {
  if (!existsSync(built)) return false;
  const sources = Math.max(newestSource(path.join(root, 'src')), newestSource(path.join(root, 'migrations')));
  return statSync(built).mtimeMs >= sources;
}

if (buildIsCurrent()) {
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/index.ts');
}
