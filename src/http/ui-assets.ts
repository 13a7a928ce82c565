/**
 * The hosted pages' assets: web/src (TypeScript, browser code) bundled by esbuild into one ES
 * module when the app is built (buildApp, at start-up), kept in memory, served with a content
 * hash in its URL. No page files on disk or in git, from the sources and from dist/ alike.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
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

async function bundle(): Promise<UiAssets> {
  // Imported here so API-only deployments (UI_PATH=off) never load esbuild.
  const esbuild = await import('esbuild');
  const options = {
    entryPoints: [path.join(WEB_DIR, 'src/main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  } satisfies BuildOptions;
  // esbuild works in a child process; the bundle is made once, so the child may go afterwards.
  const result = await esbuild.build(options).finally(() => esbuild.stop());
  const script = result.outputFiles[0];
  if (script === undefined) throw new Error('esbuild produced no output for web/src/main.ts');
  const styles = await readFile(path.join(WEB_DIR, 'app.css'), 'utf8');
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
