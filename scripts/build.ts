/**
 * `npm run build` (and `npm start`, which builds first): bundles the service and the CLI into
 * dist/main.js and dist/cli.js with esbuild, dependencies left in node_modules, and the hosted
 * pages into dist/web/ (app.js, app.css). The built service needs neither esbuild nor tsx at run
 * time (both are development dependencies). Running built JavaScript instead of TypeScript
 * through tsx's loader starts faster and holds less memory (bench/README.md: start-up and peak
 * RSS). Tests and `npm run dev` keep running the sources.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/project-root.ts';
import { webBundleOptions, WEB_STYLES } from '../src/http/ui-assets.ts';

export async function buildDist(outdir: string = path.join(projectRoot(), 'dist')): Promise<void> {
  const root = projectRoot();
  rmSync(outdir, { recursive: true, force: true });
  await build({
    // The hash worker is its own file: piscina starts it in each hash thread (security/hash-pool.ts).
    entryPoints: {
      main: path.join(root, 'src/start.ts'),
      cli: path.join(root, 'src/cli/index.ts'),
      'hash-worker': path.join(root, 'src/security/hash-worker.ts'),
    },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    // ui-assets.ts then reads the pages' bundle from dist/web/ instead of making it.
    define: { __GATEHOUSE_BUILT__: 'true' },
  });
  const web = path.join(outdir, 'web');
  mkdirSync(web, { recursive: true });
  await build({ ...webBundleOptions(), outfile: path.join(web, 'app.js') });
  copyFileSync(WEB_STYLES, path.join(web, 'app.css'));
}

/**
 * The node flags `npm start` gives the built service (package.json's start script), so the bench
 * and the tests run it exactly as users do.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const words = (pkg.scripts?.start ?? '').split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') throw new Error('package.json: start must be `node [flags] dist/main.js`');
  return words.slice(1, -1);
}

if (import.meta.url.endsWith('/scripts/build.ts') && process.argv[1]?.endsWith('build.ts') === true) {
  await buildDist(process.argv[2]);
}
