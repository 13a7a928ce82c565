/**
 * The folder that holds package.json, found from this module's location. Sources live two levels
 * below it (src/http/…) and the build one level (dist/), so files shipped beside the code (web/)
 * are found from both without a path that only one of them gets right.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function projectRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
