/**
 * The hosted pages' assets: web/src (TypeScript, browser code) bundled by esbuild into one ES
 * module, kept in memory, served with a content hash in its URL. The build (`npm run build`)
 * bundles them into dist/web/ once, so the built service reads files and needs neither esbuild
 * nor tsx at run time; run from the sources (tests, `npm run dev`), they are bundled at start
 * from web/ as it is now. No page files in git.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { projectRoot } from '../project-root.ts';

export interface UiAsset {
  readonly body: string;
  readonly contentType: string;
  /** First 16 hex digits of the SHA-256 of the body, for cache-busting URLs. */
  readonly version: string;
}

export interface UiAssets {
  readonly script: UiAsset;
  readonly styles: UiAsset;
}

const WEB_DIR = path.join(projectRoot(), 'web');

function asset(body: string, contentType: string): UiAsset {
  return { body, contentType, version: createHash('sha256').update(body).digest('hex').slice(0, 16) };
}

/** Set by scripts/build.ts (esbuild `define`): this module is running inside dist/. */
declare const __GATEHOUSE_BUILT__: boolean | undefined;
const BUILT = typeof __GATEHOUSE_BUILT__ !== 'undefined' && __GATEHOUSE_BUILT__;

/** esbuild's options for the pages' bundle (scripts/build.ts writes it to dist/web/). */
export function webBundleOptions(): {
  readonly entryPoints: string[];
  readonly bundle: true;
  readonly format: 'esm';
  readonly platform: 'browser';
  readonly target: string[];
  readonly minify: true;
  readonly legalComments: 'none';
  readonly logLevel: 'silent';
} {
  return {
    entryPoints: [path.join(WEB_DIR, 'src/main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  };
}

export const WEB_STYLES = path.join(WEB_DIR, 'app.css');

/** The files the build wrote beside the running bundle (dist/main.js or dist/cli.js: web/). */
async function prebuilt(): Promise<UiAssets> {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'web');
  const [script, styles] = await Promise.all([readFile(path.join(dir, 'app.js'), 'utf8'), readFile(path.join(dir, 'app.css'), 'utf8')]);
  return { script: asset(script, 'text/javascript; charset=utf-8'), styles: asset(styles, 'text/css; charset=utf-8') };
}

async function bundle(): Promise<UiAssets> {
  if (BUILT) return prebuilt();
  // A development dependency, imported only when running from the sources.
  const esbuild = await import('esbuild');
  const options = {
    ...webBundleOptions(),
    write: false,
  } satisfies BuildOptions;
  // esbuild works in a child process; the bundle is made once, so the child may go afterwards.
  const result = await esbuild.build(options).finally(() => esbuild.stop());
  const script = result.outputFiles[0];
  if (script === undefined) throw new Error('esbuild produced no output for web/src/main.ts');
  const styles = await readFile(WEB_STYLES, 'utf8');
  return { script: asset(script.text, 'text/javascript; charset=utf-8'), styles: asset(styles, 'text/css; charset=utf-8') };
}

let built: Promise<UiAssets> | null = null;

/** Bundled once per process: every app built in it (tests build many) shares the result. */
export function uiAssets(): Promise<UiAssets> {
  built ??= bundle().catch((error: unknown) => {
    built = null;
    throw error;
  });
  return built;
}
