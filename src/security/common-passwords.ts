/**
 * The most common passwords, refused at sign-up and change: assets/common-passwords.txt, our own
 * copy of the long entries of a leaked-password list (assets/README.md says where it comes from).
 * Only entries of at least the minimum length are kept: shorter ones are refused by the length
 * rule already.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../project-root.ts';

let cache: ReadonlySet<string> | null = null;

function listEntries(): string[] {
  return readFileSync(path.join(projectRoot(), 'assets', 'common-passwords.txt'), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

export function loadCommonPasswords(minLength: number): ReadonlySet<string> {
  if (cache !== null) return cache;
  const set = new Set<string>();
  for (const line of listEntries()) {
    const entry = line.toLowerCase();
    if ([...entry].length >= minLength) set.add(entry);
  }
  cache = set;
  return set;
}

/** How many passwords the shipped list holds (for the docs and a test). */
export function shippedListSize(): number {
  return listEntries().length;
}
