#!/usr/bin/env node
// The `gatehouse` command: runs the built dist/cli.js (`npm run build`; `npm start` builds first).
// It needs neither tsx nor esbuild, which are development dependencies. From a checkout, the
// sources run with `npm run cli -- <command>`; a build older than the sources is run with a
// warning, so an edit is never silently hidden behind it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist/cli.js');

function newestSource(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

if (!existsSync(built)) {
  console.error('gatehouse is not built: run `npm run build` first (or, from a checkout, `npm run cli -- <command>` runs the sources).');
  process.exit(1);
}
const sources = Math.max(newestSource(path.join(root, 'src')), newestSource(path.join(root, 'migrations')));
if (statSync(built).mtimeMs < sources) console.error('warning: dist/cli.js is older than the sources; run `npm run build` (running the old build).');
await import(built);
